"""A person who signs up gets a first run; one made any other way (the demo, the admin) does not."""

from allauth.account.signals import user_signed_up
from django.dispatch import receiver

from .models import FirstRun


@receiver(user_signed_up, dispatch_uid="welcome-first-run-on-sign-up")
def _signed_up(sender, request, user, **kwargs):
    FirstRun.objects.get_or_create(owner=user)
