"""Whether a person has a journey of their own, kept on their User row (User.has_journey): the navigation and the
home page offer the check-in only to someone in recovery, and the daily check-in reminder goes only to them."""

from django.db.models import Exists, OuterRef
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from recovery_network.models import User

from .models import Journey


def refresh_has_journey(owner_ids):
    owner_ids = {owner_id for owner_id in owner_ids if owner_id is not None}
    if owner_ids:
        User.objects.filter(pk__in=owner_ids).update(has_journey=Exists(Journey.objects.filter(owner=OuterRef("pk"))))


@receiver([post_save, post_delete], sender=Journey, dispatch_uid="milestones-has-journey")
def _journey_changed(sender, instance, raw=False, created=False, **kwargs):
    # An edit never changes whether the person has one; a new or deleted journey may.
    if not raw and (created or kwargs.get("signal") is post_delete):
        refresh_has_journey([instance.owner_id])
