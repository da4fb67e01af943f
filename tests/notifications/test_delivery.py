"""Sending one delivery: claim once, discreet email with unsubscribe headers, retry with back-off, fail, resend."""

import datetime as dt
import re

import pytest
from django.contrib.admin.sites import site
from django.core import mail
from django.db import OperationalError
from django.db.models import QuerySet
from django.test import RequestFactory, override_settings
from django.utils import timezone

from recovery_network.notifications import delivery as sending
from recovery_network.notifications import dispatch as reminders
from recovery_network.notifications.admin import DeliveryAdmin
from recovery_network.notifications.delivery import backoff, send_delivery
from recovery_network.notifications.dispatch import refresh_subjects
from recovery_network.notifications.models import Delivery, Notification, Reminder
from supports.models import Closeness
from tests.factories import sign_in
from tests.notifications.conftest import chicago
from tests.supports.factories import SupporterFactory

pytestmark = pytest.mark.django_db

HEALTH_WORDS = re.compile(r"check|sober|recover(?!y network)|milestone|days|meeting|craving|reach|marcus", re.I)


def make_delivery(user, kind="checkin", subject_id=None, occurrence="2026-06-01", **fields):
    fields.setdefault("next_attempt_at", timezone.now())
    return Delivery.objects.create(
        recipient=user,
        kind=kind,
        subject_id=user.pk if subject_id is None else subject_id,
        occurrence=occurrence,
        by_email=True,
        in_app=True,
        **fields,
    )


def test_send_delivery_sends_once_however_often_it_is_run(owner):
    delivery = make_delivery(owner)
    assert send_delivery(delivery.pk).status == "sent"
    assert send_delivery(delivery.pk).status == "sent"
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    assert delivery.sent_at is not None


def test_a_claim_held_by_a_live_worker_is_left_alone_and_retried_after_its_lease(owner, settings):
    settings.DELIVERY_LEASE_SECONDS = 120
    now = timezone.now()
    delivery = make_delivery(owner, status="sending", claimed_at=now - dt.timedelta(seconds=30), attempts=1)
    outcome = send_delivery(delivery.pk, now=now)
    assert outcome.status == "held" and 90 <= outcome.retry_in <= 92
    assert mail.outbox == []
    # Once the lease is over, the holder is gone: this worker takes over and sends.
    assert send_delivery(delivery.pk, now=now + dt.timedelta(seconds=100)).status == "sent"
    assert len(mail.outbox) == 1
    assert Delivery.objects.get().attempts == 2


def test_email_is_discreet_html_and_text_with_one_click_unsubscribe(owner):
    supporter = SupporterFactory(owner=owner, name="Marcus", closeness=Closeness.INNER, contact_every_days=3)
    delivery = make_delivery(owner, kind="reach_out", subject_id=supporter.pk, occurrence="2026-06-01T18:00:00+00:00")
    send_delivery(delivery.pk)
    message = mail.outbox[0]
    assert message.subject == "A note from Recovery Network"
    assert message.to == [owner.email]
    # What a lock screen shows: the subject and the first couple of lines. No health detail there.
    preview = " ".join(message.body.split())[:200]
    assert not HEALTH_WORDS.search(message.subject + " " + preview), preview
    html = message.alternatives[0].content
    preheader = re.search(r'<span class="preheader">(.*?)</span>', html, re.S).group(1)
    assert not HEALTH_WORDS.search(preheader)
    # The details are in the body, after the preview.
    assert "Reach out to Marcus" in message.body and "Reach out to Marcus" in html
    assert "/network/reached-out/" in message.body
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert re.fullmatch(r"<http://127\.0\.0\.1:8000/notifications/unsubscribe/[^>]+/>", unsubscribe)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.strip("<>") in message.body
    assert message.extra_headers["Message-ID"] == f"<delivery-{delivery.pk}-reach_out@localhost>"


def test_smtp_failure_then_success_on_a_real_smtp_server(owner, smtp_sink, settings):
    for name, value in smtp_sink.settings().items():
        setattr(settings, name, value)
    smtp_sink.replies = ["451 4.3.0 Mailbox busy, try later"]
    delivery = make_delivery(owner)
    now = timezone.now()
    first = send_delivery(delivery.pk, now=now)
    assert (first.status, first.retry_in) == ("pending", backoff(1))
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and "451" in delivery.last_error
    assert delivery.next_attempt_at == now + dt.timedelta(seconds=backoff(1))
    assert smtp_sink.messages == []

    # A copy of the task that turns up early waits out the back-off instead of sending.
    early = send_delivery(delivery.pk, now=now + dt.timedelta(seconds=10))
    assert (early.status, early.retry_in) == ("waiting", backoff(1) - 10)
    assert send_delivery(delivery.pk, now=now + dt.timedelta(seconds=backoff(1))).status == "sent"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, "")
    assert len(smtp_sink.messages) == 1
    received = smtp_sink.messages[0]
    assert received["Subject"] == "A note from Recovery Network"
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert {part.get_content_type() for part in received.walk()} >= {"text/plain", "text/html"}


def test_back_off_grows_and_the_last_failure_is_final(owner, smtp_sink, settings):
    for name, value in smtp_sink.settings().items():
        setattr(settings, name, value)
    settings.DELIVERY_MAX_ATTEMPTS = 3
    smtp_sink.replies = ["554 5.0.0 No"] * 3
    delivery = make_delivery(owner)
    now, waits = timezone.now(), []
    for _ in range(3):
        waits.append(send_delivery(delivery.pk, now=now).retry_in)
        now += dt.timedelta(seconds=waits[-1] or 0)
    assert waits == [30, 120, None]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert send_delivery(delivery.pk).status == "failed"
    assert smtp_sink.messages == []


def test_admin_resend_puts_a_failed_delivery_back_and_it_is_sent(owner, admin_user, monkeypatch):
    failed = make_delivery(owner, status="failed", attempts=5, last_error="SMTPException: boom")
    sent = make_delivery(owner, occurrence="2026-06-02", status="sent")
    queued = []
    monkeypatch.setattr("recovery_network.notifications.tasks.enqueue_deliveries", queued.extend)
    request = RequestFactory().post("/admin/")
    request.user = admin_user
    request._messages = type("Messages", (), {"add": lambda *args, **kwargs: None})()
    DeliveryAdmin(Delivery, site).resend(request, Delivery.objects.filter(pk__in=[failed.pk, sent.pk]))
    assert queued == [failed.pk]
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("pending", 0)
    assert send_delivery(failed.pk).status == "sent"
    assert len(mail.outbox) == 1


def test_admin_lists_deliveries_with_their_status(client, admin_user, owner):
    make_delivery(owner, status="failed", last_error="SMTPException: boom")
    sign_in(client, admin_user, two_factor=True)
    response = client.get("/admin/notifications/delivery/?status__exact=failed")
    assert response.status_code == 200
    assert b"Failed" in response.content and b"Olive" in response.content


def test_opting_out_after_dispatch_skips_the_email(owner):
    delivery = make_delivery(owner)
    reminders.set_channels(owner, "checkin", by_email=False)
    assert send_delivery(delivery.pk).status == "skipped"
    assert mail.outbox == [] and Delivery.objects.get().skip_reason == "opted_out"


def test_a_pause_started_after_dispatch_skips_the_email(owner):
    owner.reminders_paused_until = timezone.now() + dt.timedelta(days=1)
    owner.save()
    assert send_delivery(make_delivery(owner).pk).status == "skipped"
    assert mail.outbox == []


def test_an_address_unverified_since_dispatch_gets_no_email(owner):
    delivery = make_delivery(owner)
    owner.emailaddress_set.update(verified=False)
    assert send_delivery(delivery.pk).status == "skipped"
    assert mail.outbox == [] and Delivery.objects.get().skip_reason == "unverified"


def test_subject_gone_before_sending_skips(owner):
    delivery = make_delivery(owner, kind="reach_out", subject_id=999_999, occurrence="x")
    assert send_delivery(delivery.pk).status == "skipped"
    assert Delivery.objects.get().skip_reason == "gone"


def test_stalled_deliveries_are_requeued_once_per_lease(owner, settings, dispatch, enqueued):
    settings.DELIVERY_LEASE_SECONDS = 60
    now = timezone.now()
    lost = make_delivery(owner, next_attempt_at=now - dt.timedelta(minutes=5))
    dead_worker = make_delivery(
        owner, occurrence="2026-06-02", status="sending", claimed_at=now - dt.timedelta(minutes=5)
    )
    fresh = make_delivery(owner, occurrence="2026-06-03", next_attempt_at=now)
    Reminder.objects.all().delete()
    assert dispatch(now).requeued == 2
    assert sorted(enqueued) == sorted([lost.pk, dead_worker.pk])
    assert Delivery.objects.get(pk=dead_worker.pk).status == "pending"
    assert dispatch(now + dt.timedelta(seconds=30)).requeued == 0
    assert fresh.pk not in enqueued


@override_settings(REACH_OUT_LINK_MAX_AGE_DAYS=7)
def test_notify_delivers_an_event_kind_once(owner, enqueued, django_capture_on_commit_callbacks):
    supporter = SupporterFactory(owner=owner, closeness=Closeness.INNER, contact_every_days=3)
    with django_capture_on_commit_callbacks(execute=True):
        midday = chicago(2026, 6, 1, 12)  # outside quiet hours, which hold an event's email
        first = sending.notify(owner, "reach_out", supporter, "event-1", now=midday, enqueue=enqueued.extend)
        again = sending.notify(owner, "reach_out", supporter, "event-1", now=midday, enqueue=enqueued.extend)
    assert first is not None and again is None
    assert enqueued == [first.pk]
    assert Notification.objects.count() == 1
    owner.refresh_from_db()
    assert owner.unread_notifications == 1


def test_refresh_drops_rows_for_subjects_that_no_longer_qualify(owner):
    supporter = SupporterFactory(owner=owner, closeness=Closeness.INNER, contact_every_days=3)
    refresh_subjects("reach_out", [supporter.pk], now=chicago(2026, 6, 1))
    assert Reminder.objects.filter(kind="reach_out").exists()
    supporter.closeness = Closeness.WIDER
    supporter.save()
    refresh_subjects("reach_out", [supporter.pk], now=chicago(2026, 6, 1))
    assert not Reminder.objects.filter(kind="reach_out").exists()


def test_a_chunk_goes_out_over_one_smtp_connection_and_a_refusal_costs_only_its_own(
    owner, smtp_sink, settings, monkeypatch
):
    from recovery_network.notifications import tasks

    for name, value in smtp_sink.settings().items():
        setattr(settings, name, value)
    retried = []
    monkeypatch.setattr(tasks.send_deliveries, "apply_async", lambda args, countdown: retried.append(args[0]))
    deliveries = [make_delivery(owner, occurrence=f"2026-06-0{day}") for day in range(1, 6)]
    smtp_sink.replies = ["250 2.0.0 Accepted", "554 5.0.0 No"]  # the second email is refused
    tasks.send_deliveries([delivery.pk for delivery in deliveries])
    statuses = [Delivery.objects.get(pk=delivery.pk).status for delivery in deliveries]
    assert statuses == ["sent", "pending", "sent", "sent", "sent"]
    assert retried == [[deliveries[1].pk]]
    assert len(smtp_sink.messages) == 4
    # One connection before the refusal, one fresh one after it: not one per email.
    first, *rest = smtp_sink.connections
    assert len(set(rest)) == 1 and rest[0] != first


@pytest.mark.django_db(transaction=True)
def test_an_email_sent_while_the_database_session_ended_is_recorded_on_a_fresh_one(owner, monkeypatch):
    """Left "sending", its claim would lapse and the email go out twice (tests/recovery_network/test_postgres_faults.py
    cuts real sessions)."""
    delivery = make_delivery(owner)
    update, cut = QuerySet.update, []

    def cut_once(queryset, **values):
        if values.get("status") == "sent" and not cut:
            cut.append(values)
            raise OperationalError("server closed the connection unexpectedly")
        return update(queryset, **values)

    monkeypatch.setattr(QuerySet, "update", cut_once)
    assert send_delivery(delivery.pk).status == "sent"
    assert len(cut) == 1 and len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)


def test_a_chunk_cut_off_by_the_database_runs_again_sending_each_email_once(owner, monkeypatch):
    from recovery_network.notifications import tasks

    deliveries = [make_delivery(owner, occurrence=f"2026-06-0{day}") for day in range(1, 4)]
    cut = []

    def send_or_cut(delivery_id, **kwargs):
        if delivery_id == deliveries[1].pk and not cut:
            cut.append(delivery_id)
            raise OperationalError("terminating connection due to administrator command")
        return send_delivery(delivery_id, **kwargs)

    monkeypatch.setattr(tasks, "send_delivery", send_or_cut)
    tasks.send_deliveries.apply(([delivery.pk for delivery in deliveries],))  # a worker's run: it retries
    assert cut == [deliveries[1].pk]
    assert [Delivery.objects.get(pk=delivery.pk).status for delivery in deliveries] == ["sent"] * 3
    assert sorted(message.subject for message in mail.outbox) == ["A note from Recovery Network"] * 3
