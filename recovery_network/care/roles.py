"""Whether an account sees someone's progress (an active grant) or counsels someone (an unrevoked consent), kept on
its User row so every page's navigation and the home page read them without a query.

Grants and consents saved or deleted one at a time are caught by the model signals; the sharing door's bulk
UPDATEs (a revocation, a consent's counselor set on accepting) call `refresh` with the people they touched.
"""

from django.db.models import Exists, OuterRef
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from recovery_network.models import User

from .models import Consent, Grant


def refresh(user_ids):
    """Work the two flags out again for these people, from the rows (one UPDATE)."""
    user_ids = {user_id for user_id in user_ids if user_id is not None}
    if not user_ids:
        return
    User.objects.filter(pk__in=user_ids).update(
        views_someone=Exists(Grant.objects.active().filter(viewer=OuterRef("pk"))),
        counsels_someone=Exists(Consent.objects.unrevoked().filter(counselor=OuterRef("pk"))),
    )


@receiver([post_save, post_delete], sender=Grant, dispatch_uid="care-roles-grant")
def _grant_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh([instance.viewer_id])


@receiver([post_save, post_delete], sender=Consent, dispatch_uid="care-roles-consent")
def _consent_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh([instance.counselor_id])
