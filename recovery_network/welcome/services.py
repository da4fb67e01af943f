"""What the first run writes into the network, and where a person goes after signing in.

Each write may arrive twice (a double tap, a resend after a lost answer): views call these under a lock on
the person's first run, and each finds what an earlier submit already made instead of making it again.
"""

import re

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from milestones import services as progress
from recovery_network.care.models import Consent, Grant, Invitation
from recovery_network.models import User
from supports.models import Channel, Closeness, PeerGroup, Supporter

from .models import FirstRun


def first_run_of(user):
    """The person's first run as saved, or a fresh unsaved one (a GET writes nothing)."""
    return FirstRun.objects.for_owner(user).select_related("journey").first() or FirstRun(owner=user)


def locked_first_run(user):
    """The person's first run, made if need be and locked until the transaction ends: a second submit of the
    same step waits here for the first and then finds its work done."""
    FirstRun.objects.get_or_create(owner=user)
    return FirstRun.objects.select_for_update(of=("self",)).select_related("journey").get(owner=user)


def invited(user, now=None):
    """Whether someone shares with this account, or has invited its email address and is waiting for an answer
    (a person who signed up from an invitation's link, before accepting it)."""
    return (
        User.objects.filter(pk=user.pk)
        .filter(
            Q(Exists(Grant.objects.active().filter(viewer=OuterRef("pk"))))
            | Q(Exists(Consent.objects.unrevoked().filter(counselor=OuterRef("pk"))))
            | Q(Exists(Invitation.objects.pending(now).filter(email__iexact=OuterRef("email"))))
        )
        .exists()
    )


def url_after_sign_in(user):
    """Where a person goes after signing in when no `next` says otherwise: their first run while it is open and
    not set aside (not for an invited family member or counselor who hasn't started one), else None (home)."""
    first_run = FirstRun.objects.for_owner(user).first()
    if first_run is None or not first_run.greets_after_sign_in(brought_in=False):
        return None
    if first_run.started_at is None:
        if invited(user):
            return None
        return reverse("welcome:start")
    return reverse(f"welcome:{first_run.next_step()}")


def start_or_update_journey(form, first_run):
    """Save the first step's journey: the one this first run made before, else a new one."""
    user = first_run.owner
    if first_run.journey_id is not None:
        return form.save()
    data = form.cleaned_data
    journey = progress.start_journey(
        user, kind=data["kind"], started_on=data["started_on"], own_words=data.get("own_words", "")
    )
    first_run.journey = journey
    return journey


def _digits(phone):
    return re.sub(r"\D", "", phone)


@transaction.atomic
def add_crisis_people(owner, rows):
    """Add the people the person would call on a bad night: inner circle, crisis support, by phone. Someone
    already in the network under the same name and number is marked for crisis support rather than added twice.
    Returns (added, already there)."""
    existing = {
        (supporter.name.casefold(), _digits(supporter.phone)): supporter
        for supporter in Supporter.objects.for_owner(owner).active().only("id", "name", "phone", "gives_crisis")
    }
    added, kept = [], []
    for row in rows:
        key = (row["name"].casefold(), _digits(row["phone"]))
        if key in existing:
            supporter = existing[key]
            if not supporter.gives_crisis:
                Supporter.objects.for_owner(owner).filter(pk=supporter.pk).update(gives_crisis=True)
            kept.append(supporter)
            continue
        existing[key] = Supporter.objects.create(
            owner=owner,
            name=row["name"],
            phone=row["phone"],
            relationship=row["relationship"],
            closeness=Closeness.INNER,
            gives_crisis=True,
            preferred_channel=Channel.PHONE,
        )
        added.append(existing[key])
    return added, kept


def add_own_group(owner, name, fellowship):
    """A group the person goes to that the directory doesn't list; once per name. Returns (group, created)."""
    group = PeerGroup.objects.for_owner(owner).active().filter(name__iexact=name).first()
    if group:
        return group, False
    return PeerGroup.objects.create(owner=owner, name=name, fellowship=fellowship, time_zone=owner.time_zone), True
