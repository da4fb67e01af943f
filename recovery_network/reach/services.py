"""Reach out now, as operations views, tasks and tests call alike.

Asking a supporter to be there (`ask`), their answer (`accept`, `decline`, `stop`), and a call for support
(`raise_alert`) with its waves (`start_wave`, `escalate`), answers (`answer`) and end (`close`). Every step is a
row written once: a wave is unique per (alert, number), a message per (alert, supporter, channel), an answer
per (alert, supporter); so a double tap, a retried task or two workers racing all meet the same row.

Messages waiting to be sent are announced (`alerts_pending`) after the transaction that wrote them commits,
and a wave's deadline too (`wave_started`); tasks.py queues both, and its sweep catches what a lost broker
message would have dropped.
"""

import datetime as dt
import logging

import sms
from django.conf import settings
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from recovery_network.care import log_lines, sharing
from recovery_network.care.models import AccessEvent
from recovery_network.models import User
from recovery_network.notifications.delivery import count_new_notifications
from recovery_network.notifications.models import Notification
from supports.models import Influence

from . import links
from .models import Alert, AlertAnswer, AlertContact, AlertSend, AlertWave, new_nonce

log = logging.getLogger(__name__)

# With `send_ids`: messages committed as pending, to be sent now.
alerts_pending = Signal()
# With `alert_id` and `at`: when the wave just started has waited long enough.
wave_started = Signal()

REQUEST_SUBJECT = gettext_lazy("You have a request on {site}")  # {site}: the site's name


class ReachProblem(Exception):
    """Why something cannot be done; the message is shown to the person as it is."""


# Asking, and the supporter's answer


def askable(supporter):
    """Whether a supporter can be asked: someone current, not marked as a risk to the person's recovery, with an
    email address, a mobile number or an account of their own."""
    return (
        supporter.archived_at is None
        and supporter.influence != Influence.RISK
        and bool(supporter.email or supporter.phone or supporter.linked_user_id)
    )


def ask(owner, supporter, now=None):
    """Ask a supporter whether they agree to be alerted; asking again sends a fresh request (older links die)."""
    now = now or timezone.now()
    if supporter.owner_id != owner.pk:
        raise ReachProblem(_("That person is not in your network."))
    if supporter.influence == Influence.RISK:
        raise ReachProblem(
            _("%(name)s is marked as a risk to your recovery, so they can't be asked.") % {"name": supporter.name}
        )
    if not askable(supporter):
        raise ReachProblem(
            _("Add an email address or a mobile number for %(name)s first, so they can be asked.")
            % {"name": supporter.name}
        )
    with transaction.atomic():
        contact = AlertContact.objects.select_for_update().filter(supporter=supporter).first()
        if contact is not None and contact.is_accepted:
            raise ReachProblem(_("%(name)s has already agreed to be there.") % {"name": supporter.name})
        if contact is not None and contact.status == AlertContact.Status.STOPPED:
            # They stopped alerts with one click: that click must hold, so no request reaches them again from here.
            raise ReachProblem(
                _("%(name)s stopped these alerts, so they can't be asked again here.") % {"name": supporter.name}
            )
        if (
            contact is not None
            and contact.status in (AlertContact.Status.ASKED, AlertContact.Status.DECLINED)
            and (now - contact.asked_at < dt.timedelta(days=1))
        ):
            raise ReachProblem(
                _("%(name)s was asked less than a day ago; give them time to answer.") % {"name": supporter.name}
            )
        if contact is None:
            last = AlertContact.objects.for_owner(owner).order_by("-position").values_list("position", flat=True)
            contact = AlertContact(owner=owner, supporter=supporter, position=(last.first() or 0) + 1)
        contact.status = AlertContact.Status.ASKED
        contact.email = supporter.email
        # Where a request by text goes; whoever accepts says again where alerts should (accept()).
        contact.phone = supporter.phone
        contact.user_id = supporter.linked_user_id
        contact.time_zone = owner.time_zone
        contact.nonce = new_nonce()
        contact.asked_at = now
        contact.answered_at = None
        contact.save()
        if contact.user_id:
            _in_app(
                contact.user_id,
                "reach_request",
                gettext_noop("%(name)s has a request for you"),
                {"name": owner.name},
                url=links.request_path(contact),
                about=owner.pk,
                now=now,
            )
    if contact.email:
        transaction.on_commit(lambda: _send_request_email(contact, owner))
    elif contact.phone and not contact.user_id:
        transaction.on_commit(lambda: _send_request_text(contact, owner))
    return contact


def request_channel(contact):
    """How a request reached them, in the person's words: "by email and in the app", "by text"…"""
    if contact.email and contact.user_id:
        return _("by email and in the app")
    if contact.email:
        return _("by email")
    if contact.user_id:
        return _("in the app")
    return _("by text")


def _send_request_text(contact, owner):
    """For someone with only a number: the name and the link, nothing about why (the page says it all)."""
    body = f"{owner.name} has a request for you: {links.absolute(links.request_path(contact))}"
    try:
        sms.send_sms(body, recipients=[contact.phone])
    except Exception:  # noqa: BLE001 — the request stands; the person can send it again from their list
        log.warning("The request to contact %s could not be texted", contact.pk, exc_info=True)


def _send_request_email(contact, owner):
    context = {
        "owner_name": owner.name,
        "supporter_name": contact.supporter.name,
        "request_url": links.absolute(links.request_path(contact)),
        "max_per_hour": settings.ALERT_MAX_PER_HOUR,
        "days": settings.ALERT_REQUEST_MAX_AGE_DAYS,
    }
    # In the reader's language: theirs when the supporter has an account linked, else the language of the person
    # asking, who knows them.
    linked = contact.supporter.linked_user if contact.supporter.linked_user_id else None
    try:
        with translation.override(linked.language if linked else owner.language):
            sharing.send_link_email(contact.email, REQUEST_SUBJECT, "emails/reach/request", context)
    except Exception:  # noqa: BLE001 — the request stands; the person can send it again from their list
        log.warning("The request to contact %s could not be emailed", contact.pk, exc_info=True)


def accept(contact, *, night_alerts, phone, time_zone, now=None):
    """The supporter agrees to be alerted (from the link in their request)."""
    now = now or timezone.now()
    if contact.status not in (AlertContact.Status.ASKED, AlertContact.Status.DECLINED):
        raise ReachProblem(_("This request is no longer open."))
    contact.status = AlertContact.Status.ACCEPTED
    contact.night_alerts = night_alerts
    contact.phone = phone
    contact.time_zone = time_zone
    contact.answered_at = now
    contact.save()
    _tell_owner(contact, gettext_noop("%(name)s agreed to be there when you need support"), now)
    return contact


def decline(contact, now=None):
    now = now or timezone.now()
    if contact.status != AlertContact.Status.ASKED:
        raise ReachProblem(_("This request is no longer open."))
    contact.status = AlertContact.Status.DECLINED
    contact.answered_at = now
    contact.save(update_fields=["status", "answered_at"])
    _tell_owner(contact, gettext_noop("%(name)s answered your request"), now)
    return contact


def stop(contact, now=None):
    """The supporter stops alerts (one click, from any alert or the request); every older link dies."""
    now = now or timezone.now()
    if contact.status == AlertContact.Status.STOPPED:
        return contact
    was_accepted = contact.is_accepted
    contact.status = AlertContact.Status.STOPPED
    contact.answered_at = now
    contact.nonce = new_nonce()
    contact.save(update_fields=["status", "answered_at", "nonce"])
    if was_accepted:
        _tell_owner(contact, gettext_noop("%(name)s stopped alerts"), now)
    return contact


def withdraw(contact, now=None):
    """The person takes a supporter off their list: nothing more reaches them, and their links die."""
    contact.status = AlertContact.Status.WITHDRAWN
    contact.nonce = new_nonce()
    contact.save(update_fields=["status", "nonce"])
    return contact


def move(contact, up):
    """Swap a supporter with the one before (up) or after them in the order people are alerted in."""
    contacts = list(AlertContact.objects.for_owner(contact.owner).in_order())
    index = next(i for i, other in enumerate(contacts) if other.pk == contact.pk)
    swap = index - 1 if up else index + 1
    if not 0 <= swap < len(contacts):
        return
    contacts[index], contacts[swap] = contacts[swap], contacts[index]
    with transaction.atomic():
        for position, other in enumerate(contacts, start=1):
            if other.position != position:
                AlertContact.objects.filter(pk=other.pk).update(position=position)


def _in_app(
    user_id, kind, title, names, *, url="", action_url="", action_label="", about=None, language=None, now=None
):
    """A note in someone's notification centre, written in their language (`language`, else their account's):
    `title` and `action_label` are marked English, `names` what goes into the title."""
    if language is None:
        language = User.objects.filter(pk=user_id).values_list("language", flat=True).first()
    with translation.override(language or settings.LANGUAGE_CODE):
        title = _(title) % names
        action_label = _(action_label) if action_label else ""
    Notification.objects.create(
        recipient_id=user_id,
        about_id=about,
        kind=kind,
        title=title[:200],
        url=url,
        action_url=action_url,
        action_label=action_label,
        created_at=now or timezone.now(),
    )
    count_new_notifications({user_id: 1})


def _tell_owner(contact, title, now):
    """The person who asked is told how someone answered (`title` names them as %(name)s)."""
    _in_app(contact.owner_id, "reach_people", title, {"name": contact.supporter.name}, url=links.people_path(), now=now)


# A call for support


def raise_alert(owner, words="", now=None):
    """Start a call for support, or return the one still live (a second tap adds nothing). (alert, created)."""
    now = now or timezone.now()
    words = words.strip()
    with transaction.atomic():
        # One person's taps queue here, so two at once cannot both start an alert.
        User.objects.select_for_update().filter(pk=owner.pk).values_list("pk").first()
        live = Alert.objects.for_owner(owner).live(now, live_for()).first()
        if live is not None:
            if words and not live.words:
                Alert.objects.filter(pk=live.pk).update(words=words[:500])
                live.words = words[:500]
            return live, False
        if not AlertContact.objects.for_owner(owner).accepted().exists():
            raise ReachProblem(_("No one has agreed to be alerted yet."))
        if Alert.objects.for_owner(owner).since(now - dt.timedelta(hours=1)).count() >= settings.ALERT_MAX_PER_HOUR:
            raise ReachProblem(
                ngettext(
                    "You have asked for support %(count)s time in the last hour, so no one more was alerted. The "
                    "people you asked can see it; if you need someone now, the lines below answer at any hour.",
                    "You have asked for support %(count)s times in the last hour, so no one more was alerted. The "
                    "people you asked can see it; if you need someone now, the lines below answer at any hour.",
                    settings.ALERT_MAX_PER_HOUR,
                )
                % {"count": settings.ALERT_MAX_PER_HOUR}
            )
        alert = Alert.objects.create(owner=owner, words=words[:500], created_at=now)
        start_wave(alert, 1, now)
    return alert, True


def live_for():
    """How long a call stays the one a new tap returns to: three waves' worth of waiting."""
    return dt.timedelta(minutes=3 * settings.ALERT_ANSWER_MINUTES)


def start_wave(alert, number, now=None):
    """Alert the next people in order, once: the wave's row is unique, so a second start is a no-op (None)."""
    now = now or timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                wave = AlertWave.objects.create(alert=alert, number=number, started_at=now)
        except IntegrityError:
            return None
        chosen, passed_over = _next_people(alert, now)
        pending = _write_sends(alert, chosen, number, now)
        _write_skipped(alert, passed_over, number, now)
        wave.size = len(chosen)
        wave.save(update_fields=["size"])
        deadline = now + dt.timedelta(minutes=settings.ALERT_ANSWER_MINUTES) if chosen else None
        if chosen:
            Alert.objects.filter(pk=alert.pk, status=Alert.Status.OPEN).update(next_wave_at=deadline)
        else:
            # No one left to ask (or everyone left asleep): the call ends unanswered, and its page says so
            # beside the crisis lines. A supporter told earlier may still answer it.
            Alert.objects.filter(pk=alert.pk, status=Alert.Status.OPEN).update(
                status=Alert.Status.UNANSWERED, next_wave_at=None, closed_at=now
            )
        alert.refresh_from_db(fields=["status", "next_wave_at", "closed_at"])
    transaction.on_commit(lambda: alerts_pending.send(sender=Alert, send_ids=pending))
    if deadline:
        transaction.on_commit(lambda: wave_started.send(sender=Alert, alert_id=alert.pk, at=deadline))
    return wave


def _next_people(alert, now):
    """(who to alert now, [(who is passed over, why)]) among accepted people not yet alerted: asleep and asked
    not to be woken, or with no way left to reach them."""
    done = AlertSend.objects.filter(alert=alert).values("contact_id")
    waiting = (
        AlertContact.objects.filter(owner_id=alert.owner_id)
        .accepted()
        .exclude(pk__in=done)
        .select_related("user", "supporter")
        .in_order()
    )
    chosen, passed_over = [], []
    for contact in waiting:
        if not (contact.email or contact.phone or contact.user_id):
            # Kept in English in the row (AlertSend.skip_reason), translated where it is shown.
            passed_over.append((contact, gettext_noop("no address to reach them at")))  # their account was deleted
        elif not contact.may_be_alerted(now):
            passed_over.append((contact, gettext_noop("asked not to be alerted at night")))
        elif len(chosen) < settings.ALERT_WAVE_SIZE:
            chosen.append(contact)
    return chosen, passed_over


def _write_sends(alert, contacts, wave, now):
    """A row per channel for each person alerted; the in-app note is written at once. Pending ids."""
    rows = []
    for contact in contacts:
        made = {"alert": alert, "contact": contact, "wave": wave, "created_at": now}
        if contact.email:
            rows.append(AlertSend(channel=AlertSend.Channel.EMAIL, next_attempt_at=now, **made))
        if contact.phone:
            rows.append(AlertSend(channel=AlertSend.Channel.SMS, next_attempt_at=now, **made))
        if contact.user_id:
            rows.append(AlertSend(channel=AlertSend.Channel.APP, status=AlertSend.Status.SENT, sent_at=now, **made))
            answer_path = links.answer_path(alert, contact)
            _in_app(
                contact.user_id,
                "reach_alert",
                gettext_noop("%(name)s would like to hear from you now"),
                {"name": alert.owner.name},
                url=answer_path,
                action_url=answer_path,
                action_label=gettext_noop("I'm reaching out now"),
                about=alert.owner_id,
                language=contact.user.language,
                now=now,
            )
    AlertSend.objects.bulk_create(rows)
    return [row.pk for row in rows if row.status == AlertSend.Status.PENDING]


def _write_skipped(alert, passed_over, wave, now):
    """Those passed over: a row saying why, so the history tells it and no later wave picks them again."""
    AlertSend.objects.bulk_create(
        [
            AlertSend(
                alert=alert,
                contact=contact,
                wave=wave,
                channel=AlertSend.Channel.EMAIL,
                status=AlertSend.Status.SKIPPED,
                skip_reason=reason,
                created_at=now,
            )
            for contact, reason in passed_over
        ]
    )


def escalate(alert_id, now=None):
    """At a wave's deadline with no answer: alert the next people; with no one left, the call ends unanswered.

    Safe to run any number of times, early or late: it acts only on an open alert whose deadline has passed,
    and the next wave's row is unique."""
    now = now or timezone.now()
    alert = Alert.objects.select_related("owner").filter(pk=alert_id).first()
    if alert is None or not alert.is_open or alert.next_wave_at is None or alert.next_wave_at > now:
        return None
    last = alert.waves.order_by("-number").values_list("number", flat=True).first() or 0
    return start_wave(alert, last + 1, now)


def due_alert_ids(now=None, limit=1000):
    now = now or timezone.now()
    return list(
        Alert.objects.filter(status=Alert.Status.OPEN, next_wave_at__lte=now)
        .order_by("next_wave_at")
        .values_list("pk", flat=True)[:limit]
    )


def answer(alert, contact, now=None):
    """A supporter's "I'm reaching out now": recorded once; it stops the escalation and tells the person."""
    now = now or timezone.now()
    if not alert.accepts_answers:
        raise ReachProblem(
            _("%(name)s has said they are all right now. Thank you for being there.") % {"name": alert.owner.name}
        )
    with transaction.atomic():
        answer_row, created = AlertAnswer.objects.get_or_create(
            alert=alert, contact=contact, defaults={"answered_at": now}
        )
        if created:
            Alert.objects.filter(pk=alert.pk, status__in=[Alert.Status.OPEN, Alert.Status.UNANSWERED]).update(
                status=Alert.Status.ANSWERED, next_wave_at=None, closed_at=None
            )
            _in_app(
                alert.owner_id,
                "reach_answer",
                gettext_noop("%(name)s is reaching out to you now"),
                {"name": contact.supporter.name},
                url=links.alert_path(alert),
                language=alert.owner.language,
                now=now,
            )
    return answer_row, created


def close(alert, now=None):
    """The person says they are all right now: no one more is alerted."""
    now = now or timezone.now()
    Alert.objects.filter(pk=alert.pk).exclude(status=Alert.Status.CLOSED).update(
        status=Alert.Status.CLOSED, next_wave_at=None, closed_at=now
    )


def log_opened(alert, contact, path, now=None):
    """A supporter opening an alert's page (which shows the person's words) is a line in the person's log."""
    AccessEvent.objects.create(
        owner_id=alert.owner_id,
        actor_id=contact.user_id,
        actor_name=contact.supporter.name,
        action=AccessEvent.Action.VIEWED,
        what=log_lines.YOUR_CALL,
        path=path[:300],
        created_at=now or timezone.now(),
    )
