"""Who hears of what, and how: each person's channels per kind, and the one-click unsubscribe."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.db import models
from django.urls import reverse

from .models import NotificationPreference
from .registry import kinds

UNSUBSCRIBE_SALT = "recovery_network.unsubscribe"


def channels_for(user_ids):
    """{(user id, kind): (by_email, in_app)} for people who changed a default (one query)."""
    rows = NotificationPreference.objects.filter(user_id__in=list(user_ids)).values_list(
        "user_id", "kind", "by_email", "in_app"
    )
    return {(user_id, kind): (by_email, in_app) for user_id, kind, by_email, in_app in rows}


def verified_email_users(user_ids):
    """The people among these whose own address is verified (one query).

    Reminders are emailed only to a verified address: an address mistyped at
    sign-up belongs to someone else, who must never receive these notes.
    """
    return set(
        EmailAddress.objects.filter(user_id__in=list(user_ids), verified=True, primary=True).values_list(
            "user_id", flat=True
        )
    )


def channel_facts(recipient="recipient_id", kind="kind"):
    """Annotations for rows naming a recipient and a kind: the channels the person chose for
    that kind (None where they kept the defaults) and whether their address is verified.

    The dispatch reads them with its due rows, where a query per batch with a few thousand
    ids in a list cost more in building and planning the list than in finding the rows.
    """
    chosen = NotificationPreference.objects.filter(user_id=models.OuterRef(recipient), kind=models.OuterRef(kind))
    return {
        "chosen_email": models.Subquery(chosen.values("by_email")[:1]),
        "chosen_in_app": models.Subquery(chosen.values("in_app")[:1]),
        "verified_email": models.Exists(
            EmailAddress.objects.filter(user_id=models.OuterRef(recipient), verified=True, primary=True)
        ),
    }


def channels(user, kind, chosen=None):
    """(by_email, in_app) for one person and kind, given channels_for() output or a query."""
    if chosen is None:
        chosen = channels_for([user.pk])
    return chosen.get((user.pk, kind.key), (kind.default_email, kind.default_in_app))


def preferences(user):
    """[(kind, by_email, in_app)] of the kinds offered to this person, for the preferences page."""
    chosen = channels_for([user.pk])
    return [(kind, *channels(user, kind, chosen)) for kind in kinds().values() if kind.offered_to(user)]


def unsubscribe_token(user, kind_key):
    """A signed token that turns off one kind's emails for one person. It does not expire:
    an unsubscribe link in an old email must keep working."""
    return signing.dumps({"u": user.pk, "k": kind_key}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token):
    """(user id, kind key), or None for a forged or mangled token."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return int(data["u"]), str(data["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def absolute(path):
    return path if path.startswith(("http://", "https://")) or not path else f"{settings.SITE_URL}{path}"


def unsubscribe_url(user, kind_key):
    return absolute(reverse("notifications:unsubscribe", args=[unsubscribe_token(user, kind_key)]))
