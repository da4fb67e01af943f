"""Signing in during an erasure's grace period cancels it."""

from allauth.account.signals import user_logged_in
from django.dispatch import receiver

from . import erasure


@receiver(user_logged_in, dispatch_uid="privacy-cancel-erasure-on-sign-in")
def cancel_erasure_on_sign_in(sender, request, user, **kwargs):
    erasure.cancel(user, request)
