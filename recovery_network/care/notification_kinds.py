"""The notifications the circle of care brings: celebrations for the people who share in them,
encouragement received, the counselors' weekly caseload digest, and warning signs.

They are registry.Kind classes like the person's own reminders (notification_kinds.py here and in
milestones); they live in supports until the circle of care has an app of its own;
what sets them apart is that someone other than the owner may receive them, so each
one asks the sharing rules (an active grant, a valid consent, the scope) afresh when it
is scheduled, when it is dispatched and again when its email is sent.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from milestones import schedule
from milestones.celebration import Circle, circle_asked, circle_told
from milestones.models import Encouragement, Journey
from recovery_network.models import User, end_of_local_day, local_moment
from recovery_network.notifications.delivery import notify
from recovery_network.notifications.dispatch import refresh_subjects
from recovery_network.notifications.models import Delivery, NotificationPreference
from recovery_network.notifications.preferences import channels_for
from recovery_network.notifications.registry import Kind, Message, Occurrence, get_kind
from recovery_network.two_factor import totp_authenticators

from . import log_lines
from .caseload import caseload
from .models import AccessEvent, Consent, Grant, SignEpisode, SignWatch, WarningSign, allowed_signs
from .people import actor_label
from .sharing import encouragement_sent, find_access, sharing_changed

FOREVER = dt.datetime.max.replace(tzinfo=dt.UTC)


def _journey_ids_of(owner_id):
    return list(Journey.objects.filter(owner_id=owner_id).values_list("pk", flat=True))


def _two_factor(counselor_field):
    """Counselors open client data only with two-factor authentication on; what we send them follows
    the same rule, or a counselor without it would read by email what the app would not show them."""
    return Exists(totp_authenticators(OuterRef(counselor_field)))


@receiver(sharing_changed, dispatch_uid="circle-kinds-sharing-changed")
def sharing_changed_for(sender, owner_id, **kwargs):
    """After a grant or consent changed by a bulk UPDATE (revoked, accepted): recompute the
    celebrations that follow what this owner shares, once the change is committed."""
    transaction.on_commit(lambda: refresh_subjects(CircleMilestone.key, _journey_ids_of(owner_id)), robust=True)


def circle_roles(user):
    """(whether someone's active grant names this person, whether someone's unrevoked consent does),
    remembered on this user object as Django's ModelBackend remembers permissions (`_perm_cache`): the
    preferences page asks for each kind it offers, and two kinds ask about consents."""
    if not hasattr(user, "_circle_roles"):
        user._circle_roles = (
            Grant.objects.active().filter(viewer=user).exists(),
            Consent.objects.unrevoked().filter(counselor=user).exists(),
        )
    return user._circle_roles


class CircleMilestone(Kind):
    """The day before and the morning someone who shares their clean time reaches a milestone.

    Sent to family and friends whose grant includes clean time and milestones, and to
    counselors whose consent includes it and has not lapsed, at 09:00 on their own
    clock. Off until the viewer turns it on: an owner who shares clean time agreed to
    it being seen on a page, not to it arriving in someone's inbox or on a shared
    family computer, so the viewer must ask for it (and the owner can still stop it
    by taking the scope away).

    The subject is the owner's journey; `load` attaches its audience — who may receive
    it and until when (a consent lapses at the end of its date in the owner's zone) —
    so a revoked grant or a lapsed consent ends the reminder at the next look, even
    when it was changed by a bulk UPDATE that no signal saw.
    """

    key = "circle_milestone"
    label = gettext_lazy("Milestones of people you support")
    description = gettext_lazy(
        "The day before and the morning someone who shares their clean time with you reaches a milestone, "
        "so you can encourage them. Off unless you turn it on."
    )
    default_email = False
    default_in_app = False
    recipients_opt_in = True
    send_at = dt.time(9, 0)
    watches = {
        "milestones.Journey": lambda journey: [journey.pk],
        "care.Grant": lambda grant: _journey_ids_of(grant.owner_id),
        "care.Consent": lambda consent: _journey_ids_of(consent.owner_id),
    }

    def load(self, subject_ids):
        journeys = {
            journey.pk: journey for journey in Journey.objects.filter(pk__in=list(subject_ids)).select_related("owner")
        }
        owners = {journey.owner_id: journey.owner for journey in journeys.values()}
        audiences = self.audiences(owners)
        viewer_ids = {viewer_id for audience in audiences.values() for viewer_id in audience}
        viewers = {user.pk: user for user in User.objects.filter(pk__in=viewer_ids)} if viewer_ids else {}
        for journey in journeys.values():
            journey.audience = audiences.get(journey.owner_id, {})
            journey.viewers = [viewers[viewer_id] for viewer_id in sorted(journey.audience) if viewer_id in viewers]
        return journeys

    def audiences(self, owners):
        """{owner id: {viewer id: until (UTC)}} of the people who may and want to hear (three queries)."""
        found = {}
        for owner_id, viewer_id in (
            Grant.objects.active()
            .filter(owner_id__in=list(owners), clean_time=True, viewer__is_active=True)
            .values_list("owner_id", "viewer_id")
        ):
            found.setdefault(owner_id, {})[viewer_id] = FOREVER
        for owner_id, counselor_id, expires_on in (
            Consent.objects.unrevoked()
            .filter(_two_factor("counselor"), owner_id__in=list(owners), clean_time=True, counselor__is_active=True)
            .values_list("owner_id", "counselor_id", "expires_on")
        ):
            until = Consent.lapses_at(expires_on, owners[owner_id].zone)
            audience = found.setdefault(owner_id, {})
            audience[counselor_id] = max(until, audience.get(counselor_id, until))
        viewer_ids = {viewer_id for audience in found.values() for viewer_id in audience}
        chosen = channels_for(viewer_ids)
        default = (self.default_email, self.default_in_app)
        for audience in found.values():
            for viewer_id in list(audience):
                if not any(chosen.get((viewer_id, self.key), default)):
                    del audience[viewer_id]
        return found

    def recipients(self, journey):
        return journey.viewers

    def offered_to(self, user):
        viewer, counselor = circle_roles(user)
        return viewer or counselor

    def subjects_for(self, recipient):
        grants = Grant.objects.active().filter(owner=OuterRef("owner"), viewer=recipient, clean_time=True)
        consents = Consent.objects.unrevoked().filter(owner=OuterRef("owner"), counselor=recipient, clean_time=True)
        return list(Journey.objects.filter(Exists(grants) | Exists(consents)).values_list("pk", flat=True))

    def eligible(self):
        # Journeys with at least one viewer who shares in them and turned this on (it is off by default),
        # so reconcile never recomputes the many journeys whose viewers did not ask.
        asked = NotificationPreference.objects.filter(Q(by_email=True) | Q(in_app=True), kind=self.key)
        grants = Grant.objects.active().filter(
            owner=OuterRef("owner"), clean_time=True, viewer__in=asked.values("user")
        )
        consents = Consent.objects.unrevoked().filter(
            owner=OuterRef("owner"), clean_time=True, counselor__in=asked.values("user")
        )
        return Journey.objects.filter(Exists(grants) | Exists(consents), owner__is_active=True)

    def next_occurrence(self, recipient, journey, after_utc):
        until = journey.audience.get(recipient.pk)
        if until is None or not journey.owner.is_active:
            return None
        # The milestone falls on a date of the owner's calendar; the viewer hears of it on their own clock.
        zone = recipient.zone
        local_day = after_utc.astimezone(zone).date()
        for step, due_on in schedule.next_scheduled(journey.started_on, local_day - dt.timedelta(days=2), count=3):
            for when, day in (("eve", due_on - dt.timedelta(days=1)), ("day", due_on)):
                at = local_moment(day, self.send_at, zone)
                if at <= after_utc:
                    continue
                if at >= until:
                    return None
                return Occurrence(
                    f"{step.key}:{due_on.isoformat()}:{when}", at, min(end_of_local_day(day, zone), until)
                )
        return None  # pragma: no cover - the schedule never ends

    def still_allowed(self, delivery, subject, now_utc):
        until = subject.audience.get(delivery.recipient_id)
        return until is not None and now_utc < until

    def delivered(self, items, now_utc):
        # What reaches a viewer's inbox or notification centre is a look at the owner's data: log it.
        viewers = {viewer.pk: viewer for _, journey in items for viewer in journey.viewers}
        AccessEvent.objects.bulk_create(
            [
                AccessEvent(
                    owner_id=journey.owner_id,
                    actor_id=delivery.recipient_id,
                    actor_name=actor_label(viewers[delivery.recipient_id]),
                    action=AccessEvent.Action.VIEWED,
                    what=log_lines.NEWS_TOLD if delivery.occurrence.endswith(TOLD) else log_lines.CELEBRATION_REMINDER,
                    created_at=now_utc,
                )
                for delivery, journey in items
            ]
        )

    def message(self, delivery, journey):
        """A counselor's copy names no one: an email, and the notification centre, open without the second
        factor that client data asks of a session; the client's page, behind it, says who."""
        milestone_key, due_on, when = delivery.occurrence.split(":")
        milestone = journey.milestone_named(milestone_key)
        label = milestone.label if milestone else _("a milestone")
        day = dt.date.fromisoformat(due_on)
        counselor = journey.audience.get(delivery.recipient_id, FOREVER) != FOREVER
        url = reverse("care:client" if counselor else "care:person", args=[journey.owner_id])
        if counselor:
            if when == "eve":
                title = _("A client reaches %(milestone)s tomorrow") % {"milestone": label}
            else:
                title = _("A client reaches %(milestone)s today") % {"milestone": label}
            body = _("%(title)s. Open their page to see who.") % {"title": title}
            return Message(title=title, body=body, url=url, about=journey.owner_id)
        words = {"name": journey.owner.name, "milestone": label, "day": format_date(day, gettext("l j F"))}
        if when == TOLD:
            # The title is what a notification list or a shared screen shows: news, not what it is about.
            title = _("%(name)s has news to share") % words
            body = (
                _(
                    "%(name)s reached %(milestone)s on %(day)s and wanted you to know. A few words from you can mean "
                    "a lot."
                )
                % words
            )
        elif when == "eve":
            title = _("%(name)s reaches %(milestone)s tomorrow") % words
            body = (
                _(
                    "%(name)s reaches %(milestone)s tomorrow, %(day)s. A few words from you the day it happens can "
                    "mean a lot."
                )
                % words
            )
        else:
            title = _("%(name)s reaches %(milestone)s today") % words
            body = _("Today %(name)s reaches %(milestone)s. A short note to say you noticed is enough.") % words
        return Message(title=title, body=body, url=url, about=journey.owner_id)

    def subjects_about(self, person_id):
        return _journey_ids_of(person_id)


# The owner's own "tell my circle" about a milestone reached: CircleNews's occurrence "<key>:<date>:told".
TOLD = "told"


class CircleNews(CircleMilestone):
    """News the owner chose to share: sent when they press "Tell my circle" on a milestone reached, to the
    family and friends whose grant includes clean time.

    Unlike CircleMilestone's reminders, which arrive unasked and so wait for the viewer to turn them on, this
    is the owner reaching out, so it is on in the app by default (the viewer may turn it off); by email only
    if the viewer asks, as an email may be read on a shared computer. The audience, the access-log line and
    the wording are CircleMilestone's.
    """

    key = "circle_news"
    label = gettext_lazy("News from people you support")
    description = gettext_lazy(
        "When someone who shares their clean time with you tells you about a milestone they reached."
    )
    scheduled = False
    default_email = False
    default_in_app = True
    recipients_opt_in = False
    watches = {}

    def offered_to(self, user):
        return circle_roles(user)[0]

    def subjects_for(self, recipient):
        return ()

    def eligible(self):
        return Journey.objects.none()

    def next_occurrence(self, recipient, journey, after_utc):
        return None


def told_occurrence(milestone):
    """One milestone of one count: a count restarted reaches its "30 days" again, and may tell it again."""
    return f"{milestone.key}:{milestone.due_on.isoformat()}:{TOLD}"


@receiver(circle_asked, dispatch_uid="circle-kinds-circle-asked")
def circle_asked_about(sender, milestone, owner, now=None, **kwargs):
    return circle_for(milestone, owner, now)


def circle_for(milestone, owner, now=None):
    """Who in the owner's circle can hear of this milestone, in two queries whatever the circle's size.

    The family and friends whose grant includes clean time, whether they hear such news (CircleNews: on in the
    app unless they turned it off), and who was told of this one already — told stays told, even for someone
    whose grant ended since. Counselors are not told: what is sent to them names no client.
    """
    kind = get_kind(CircleNews.key)
    if kind is None:
        return None
    chosen = NotificationPreference.objects.filter(user=OuterRef("viewer"), kind=kind.key)
    grants = (
        Grant.objects.active()
        .filter(owner=owner, clean_time=True, viewer__is_active=True)
        .select_related("viewer")
        .annotate(
            chosen_email=Subquery(chosen.values("by_email")[:1]), chosen_in_app=Subquery(chosen.values("in_app")[:1])
        )
        .order_by("viewer__display_name", "viewer_id")
    )
    told = (
        Delivery.objects.filter(kind=kind.key, subject_id=milestone.journey.pk, occurrence=told_occurrence(milestone))
        .exclude(status=Delivery.Status.SKIPPED)
        .select_related("recipient")
        .order_by("created_at", "pk")
    )
    told = [(delivery.recipient_id, delivery.recipient.name, delivery.created_at) for delivery in told]
    told_ids = {recipient_id for recipient_id, _, _ in told}
    can_tell, not_hearing = [], []
    now = now or timezone.now()
    for grant in grants:
        if grant.viewer_id in told_ids:
            continue
        hears = (kind.default_email if grant.chosen_email is None else grant.chosen_email) or (
            kind.default_in_app if grant.chosen_in_app is None else grant.chosen_in_app
        )
        (can_tell if hears and not grant.viewer.reminders_paused(now) else not_hearing).append(grant.viewer.name)
    return Circle(
        told=[(name, when) for _, name, when in told],
        can_tell=can_tell,
        not_hearing=not_hearing,
        manage_url=reverse("care:circle"),
    )


@receiver(circle_told, dispatch_uid="circle-kinds-circle-told")
def circle_told_of(sender, milestone, owner, now=None, **kwargs):
    return tell_circle(milestone, now)


def tell_circle(milestone, now=None):
    """The owner pressed "Tell my circle" on a milestone reached: a note to each family member or friend whose
    grant includes clean time and who hears such news, in the app and by email as each of them chose.

    Once per person and milestone however often it is pressed (the delivery's unique occurrence); a revoked
    grant, a paused or an opted-out viewer hears nothing. Returns the names of the people told now.
    """
    now = now or timezone.now()
    kind = get_kind(CircleNews.key)
    journey = kind.load([milestone.journey.pk]).get(milestone.journey.pk) if kind is not None else None
    if journey is None or not milestone.is_reached(journey.owner.local_today(now)):
        return []
    occurrence = told_occurrence(milestone)
    told = []
    for viewer in journey.viewers:
        # Family and friends (a grant has no end date); a counselor's until is their consent's last moment.
        if journey.audience[viewer.pk] != FOREVER or viewer.reminders_paused(now):
            continue
        if notify(viewer, kind.key, journey, occurrence, now=now) is not None:
            told.append(viewer.name)
    return told


class EncouragementReceived(Kind):
    """When someone the owner shares with sends a kind word: once per encouragement."""

    key = "encouragement"
    label = gettext_lazy("Encouragement")
    description = gettext_lazy("When someone in your circle sends you a kind word.")
    scheduled = False

    def load(self, subject_ids):
        return {
            encouragement.pk: encouragement for encouragement in Encouragement.objects.filter(pk__in=list(subject_ids))
        }

    def message(self, delivery, encouragement):
        if encouragement.journey_id and encouragement.milestone_key:
            url = reverse("milestones:celebrate", args=[encouragement.journey_id, encouragement.milestone_key])
        else:
            url = reverse("home")
        return Message(
            title=_("%(name)s sent you encouragement") % {"name": encouragement.from_name},
            body=_("“%(message)s”") % {"message": encouragement.message},
            url=url,
        )


@receiver(encouragement_sent, dispatch_uid="circle-kinds-encouragement-sent")
def encouragement_sent_to(sender, encouragement, now=None, **kwargs):
    encouragement_received(encouragement, now)


def encouragement_received(encouragement, now=None):
    """Tell the owner, in the app and by email as they chose. The encouragement's id is the
    occurrence, so however often this runs for it the owner hears once."""
    if get_kind(EncouragementReceived.key) is None:
        return None
    return notify(encouragement.owner, EncouragementReceived.key, encouragement, f"e{encouragement.pk}", now=now)


class CaseloadDigest(Kind):
    """Monday at 08:00 on the counselor's clock: the caseload's signals in one note.

    The digest is recovery_network.care.caseload.caseload() itself — a fixed number of queries whatever the
    number of clients, only clients whose consent is valid at that moment, each signal
    only where that client's consent covers it, and a line in each client's access log.
    """

    key = "caseload_digest"
    label = gettext_lazy("Weekly caseload digest")
    description = gettext_lazy("For counselors: Monday morning, the clients who may need your attention this week.")
    send_at = dt.time(8, 0)
    weekday = 0  # Monday
    watches = {"care.Consent": lambda consent: [consent.counselor_id] if consent.counselor_id else []}

    def load(self, subject_ids):
        return {user.pk: user for user in User.objects.filter(pk__in=list(subject_ids))}

    def load_for(self, reminders):
        return {reminder.subject_id: reminder.recipient for reminder in reminders}

    def recipients(self, counselor):
        return [counselor]

    def offered_to(self, user):
        return circle_roles(user)[1]

    def subjects_for(self, recipient):
        return [recipient.pk]

    def eligible(self):
        # Counselors with a consent not yet past its date; one that lapses later is skipped at dispatch.
        valid = Consent.objects.possibly_valid().filter(counselor=OuterRef("pk"))
        return User.objects.filter(Exists(valid), is_active=True)

    def next_occurrence(self, recipient, counselor, after_utc):
        if not recipient.is_active:
            return None
        zone = recipient.zone
        local_day = after_utc.astimezone(zone).date()
        monday = local_day - dt.timedelta(days=(local_day.weekday() - self.weekday) % 7)
        for weeks in range(3):
            day = monday + dt.timedelta(weeks=weeks)
            at = local_moment(day, self.send_at, zone)
            if at > after_utc:
                return Occurrence(day.isoformat(), at, min(at + self.grace, end_of_local_day(day, zone)))
        return None  # pragma: no cover - next Monday always lies ahead

    @staticmethod
    def with_clients(counselor_ids, now_utc):
        """The counselors among these with two-factor on and a client whose consent is valid now (one query)."""
        return {
            consent.counselor_id
            for consent in Consent.objects.possibly_valid(now_utc)
            .filter(_two_factor("counselor"), counselor_id__in=list(counselor_ids))
            .select_related("owner")
            if consent.is_valid(now_utc) and consent.owner.is_active
        }

    def skip_reasons(self, reminders, now_utc):
        with_clients = self.with_clients({reminder.recipient_id for reminder in reminders}, now_utc)
        return {
            reminder.pk: Delivery.SkipReason.GONE for reminder in reminders if reminder.recipient_id not in with_clients
        }

    def still_allowed(self, delivery, counselor, now_utc):
        return counselor.pk in self.with_clients([counselor.pk], now_utc)

    def message(self, delivery, counselor):
        """How many clients may need attention, and none of who or why: an email, and the notification
        centre, open without the second factor that client data asks of a session; the caseload says the rest."""
        rows = caseload(counselor, path="weekly digest")
        count = sum(1 for row in rows if row.reasons)
        if not rows:
            lines = [_("No client shares with you at the moment.")]
        else:
            numbers = {"count": count, "total": len(rows)}
            if count:
                line = ngettext(
                    "%(count)s of your %(total)s client may need attention this week.",
                    "%(count)s of your %(total)s clients may need attention this week.",
                    len(rows),
                )
            else:
                line = ngettext(
                    "Nothing stands out for your %(total)s client this week.",
                    "Nothing stands out for your %(total)s clients this week.",
                    len(rows),
                )
            lines = [
                line % numbers,
                _("Open your caseload to see who and why; it asks for the code from your authenticator app."),
            ]
        title = (
            ngettext(
                "Your weekly digest: %(count)s client may need attention",
                "Your weekly digest: %(count)s clients may need attention",
                count,
            )
            % {"count": count}
            if count
            else _("Your weekly digest: nothing stands out")
        )
        return Message(title=title, body="\n".join(lines), url=reverse("care:caseload"))


def may_be_told(watch, sign, now=None):
    """Whether this watcher is to be told of this sign now: chosen, and shown by their grant or consent."""
    if not watch.watches(sign):
        return False
    access = find_access(watch.watcher, watch.owner_id, now)
    return access is not None and sign in allowed_signs(access.scopes)


class WarningSignKind(Kind):
    """A warning sign the person chose to share: once per episode and watcher (warning_signs.py).

    In the app and by email by default, as a sign is worth hearing of; each watcher may turn either off.
    The title is what a lock screen or a notification list shows: no health detail in it.
    """

    key = "warning_sign"
    label = gettext_lazy("Warning signs")
    description = gettext_lazy("When someone who shares with you shows a warning sign they chose to tell you of.")
    scheduled = False
    default_email = True
    default_in_app = True

    def load(self, subject_ids):
        episodes = SignEpisode.objects.filter(pk__in=list(subject_ids)).select_related("owner")
        return {episode.pk: episode for episode in episodes}

    def offered_to(self, user):
        return user.views_someone or user.counsels_someone

    def still_allowed(self, delivery, episode, now_utc):
        watch = SignWatch.objects.filter(owner_id=episode.owner_id, watcher_id=delivery.recipient_id).first()
        return watch is not None and may_be_told(watch, episode.sign, now_utc)

    @staticmethod
    def to_counselor(delivery, episode):
        """Whether the note goes to a counselor of this person. Someone who is both family and counselor gets
        the counselor's nameless note: what reaches a counselor outside the two-factor pages names no one."""
        return Consent.objects.filter(owner_id=episode.owner_id, counselor_id=delivery.recipient_id).exists()

    def delivered(self, items, now_utc):
        # A note naming a sign is a look at the owner's check-ins: a line in their access log, as CircleMilestone's.
        AccessEvent.objects.bulk_create(
            [
                AccessEvent(
                    owner_id=episode.owner_id,
                    actor_id=delivery.recipient_id,
                    actor_name=actor_label(delivery.recipient),  # notify() made the delivery with its recipient
                    action=AccessEvent.Action.VIEWED,
                    **log_lines.row_fields(log_lines.line("warning_sign", sign=episode.sign)),
                    created_at=now_utc,
                )
                for delivery, episode in items
            ]
        )

    def message(self, delivery, episode):
        """For family, the person's name and the sign, which their grant shows — never a note; for a counselor no
        name, as everything that reaches a counselor outside the two-factor pages (the caseload says who)."""
        if self.to_counselor(delivery, episode):
            return Message(
                title=_("A client may need a call today"),
                body=_("One of your clients chose to tell you of a warning sign. Your caseload lists them first."),
                url=reverse("care:caseload"),
                about=episode.owner_id,
            )
        owner = episode.owner
        # Counted on the person's calendar on the day the note was written, so a later email says the same.
        silent = (owner.local_today(delivery.created_at) - episode.started_on).days
        if episode.sign == WarningSign.NO_CHECKIN:
            why = ngettext(
                "%(name)s hasn't checked in for %(days)s day.", "%(name)s hasn't checked in for %(days)s days.", silent
            ) % {"name": owner.name, "days": silent}
        elif episode.sign == WarningSign.CRAVING:
            why = _("%(name)s has noted strong cravings three days running.") % {"name": owner.name}
        else:
            why = _(
                "%(name)s recorded a use in their check-in for %(weekday)s. Being honest about it takes courage."
            ) % {"name": owner.name, "weekday": format_date(episode.started_on, "l")}
        return Message(
            title=_("%(name)s may need a call today") % {"name": owner.name},
            body=_("%(why)s A call or a kind word can help; no need to say why you're calling.") % {"why": why},
            url=reverse("care:person", args=[owner.pk]),
            about=owner.pk,
        )

    def subjects_about(self, person_id):
        return SignEpisode.objects.filter(owner_id=person_id).values_list("pk", flat=True)
