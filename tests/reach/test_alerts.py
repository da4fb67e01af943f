"""A call for support, from the tap to the answer: each supporter told once per channel, the answer shown,
escalation at the deadline, closing, limits, and nothing said in a subject or preview about why."""

import datetime as dt
import re

import pytest
import sms
import time_machine
from django.core import mail
from django.db import OperationalError as DatabaseGone
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from recovery_network.notifications.models import Notification
from recovery_network.reach import links, sending, services, tasks
from recovery_network.reach.models import Alert, AlertContact, AlertSend, AlertWave
from tests.factories import UserFactory, sign_in
from tests.reach.factories import AlertContactFactory, accepted, unsigned

pytestmark = pytest.mark.django_db

NIGHT_UTC = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)  # 3 AM in Chicago
DAY_UTC = dt.datetime(2026, 12, 5, 18, 0, tzinfo=dt.UTC)  # noon in Chicago


@pytest.fixture(autouse=True)
def _outbox():
    sms.outbox = []


def send_all(now=None):
    """What a worker does with every pending message."""
    for send_id in AlertSend.objects.filter(status=AlertSend.Status.PENDING).values_list("pk", flat=True):
        sending.send_alert_message(send_id, now=now)


def test_an_alert_reaches_the_first_three_accepted_people_once_each(owner, django_capture_on_commit_callbacks):
    people = accepted(owner, 4)
    with django_capture_on_commit_callbacks(execute=False):
        alert, created = services.raise_alert(owner, "rough night", now=DAY_UTC)
    assert created
    send_all(DAY_UTC)
    send_all(DAY_UTC)  # a second worker, or a redelivered task: nothing more
    assert sorted(message.to[0] for message in mail.outbox) == sorted(c.email for c in people[:3])
    assert AlertWave.objects.get(alert=alert).size == 3
    assert Alert.objects.get(pk=alert.pk).next_wave_at == DAY_UTC + dt.timedelta(minutes=10)


def test_nothing_reaches_someone_asked_who_did_not_accept(owner):
    AlertContactFactory(owner=owner, status=AlertContact.Status.ASKED)
    AlertContactFactory(owner=owner, status=AlertContact.Status.DECLINED)
    yes = AlertContactFactory(owner=owner)
    services.raise_alert(owner, now=DAY_UTC)
    send_all(DAY_UTC)
    assert [message.to for message in mail.outbox] == [[yes.email]]


def test_with_no_one_accepted_no_alert_is_made(owner):
    AlertContactFactory(owner=owner, status=AlertContact.Status.ASKED)
    with pytest.raises(services.ReachProblem):
        services.raise_alert(owner, now=DAY_UTC)
    assert not Alert.objects.exists()


def test_the_subject_and_preview_say_nothing_of_why(owner):
    AlertContactFactory(owner=owner, phone="+1 555 010 0199")
    services.raise_alert(owner, "I relapsed and want to drink", now=DAY_UTC)
    send_all(DAY_UTC)
    (email,) = mail.outbox
    assert email.subject == f"{owner.name} would like to hear from you"
    assert email.body.splitlines()[0] == f"{owner.name} would like to hear from you now."
    everything = email.subject + email.body + email.alternatives[0][0] + sms.outbox[0].body
    for word in ("relapse", "drink", "craving", "recovery", "struggl"):
        assert word not in everything.lower().replace("recovery network", "")
    assert email.extra_headers["List-Unsubscribe"].startswith("<http")


def test_texts_go_through_the_sms_backend(owner):
    AlertContactFactory(owner=owner, phone="+15550100199")
    services.raise_alert(owner, now=DAY_UTC)
    send_all(DAY_UTC)
    (text,) = sms.outbox
    assert text.recipients == ["+15550100199"]
    assert "/reach/answer/" in text.body


def test_a_supporter_with_an_account_gets_the_alert_in_the_app_at_once(owner):
    friend = UserFactory()
    contact = AlertContactFactory(owner=owner, user=friend)
    alert, _ = services.raise_alert(owner, now=DAY_UTC)
    note = Notification.objects.get(recipient=friend, kind="reach_alert")
    assert unsigned(note.action_url) == unsigned(links.answer_path(alert, contact))
    assert AlertSend.objects.get(alert=alert, channel="app").status == "sent"


def test_a_second_tap_returns_the_open_alert(owner):
    accepted(owner, 1)
    first, _ = services.raise_alert(owner, now=DAY_UTC)
    second, created = services.raise_alert(owner, "words after all", now=DAY_UTC + dt.timedelta(seconds=5))
    assert second.pk == first.pk and not created
    assert Alert.objects.get().words == "words after all"
    assert AlertWave.objects.count() == 1


def test_at_most_a_few_alerts_an_hour(owner, settings):
    accepted(owner, 1)
    for minute in range(3):
        alert, _ = services.raise_alert(owner, now=DAY_UTC + dt.timedelta(minutes=minute))
        services.close(alert)
    with pytest.raises(services.ReachProblem, match="3 times in the last hour"):
        services.raise_alert(owner, now=DAY_UTC + dt.timedelta(minutes=5))
    services.raise_alert(owner, now=DAY_UTC + dt.timedelta(minutes=61))


def test_no_answer_escalates_at_the_deadline_to_the_next_people(owner):
    people = accepted(owner, 5)
    with time_machine.travel(DAY_UTC, tick=False):
        alert, _ = services.raise_alert(owner)
    with time_machine.travel(DAY_UTC + dt.timedelta(minutes=9), tick=False):
        assert services.escalate(alert.pk) is None  # not yet
    with time_machine.travel(DAY_UTC + dt.timedelta(minutes=10), tick=False):
        wave = services.escalate(alert.pk)
        assert services.escalate(alert.pk) is None  # twice is once
    assert wave.number == 2 and wave.size == 2
    send_all(DAY_UTC + dt.timedelta(minutes=10))
    assert sorted(m.to[0] for m in mail.outbox) == sorted(c.email for c in people)
    with time_machine.travel(DAY_UTC + dt.timedelta(minutes=20), tick=False):
        last = services.escalate(alert.pk)
    assert last.size == 0
    assert Alert.objects.get(pk=alert.pk).status == Alert.Status.UNANSWERED


def test_an_answer_stops_the_escalation_and_tells_the_person(owner):
    first, *_ = accepted(owner, 4)
    alert, _ = services.raise_alert(owner, now=DAY_UTC)
    services.answer(alert, first, now=DAY_UTC + dt.timedelta(minutes=2))
    services.answer(alert, first, now=DAY_UTC + dt.timedelta(minutes=3))  # a second tap
    alert.refresh_from_db()
    assert alert.status == Alert.Status.ANSWERED and alert.next_wave_at is None
    assert services.escalate(alert.pk, now=DAY_UTC + dt.timedelta(minutes=30)) is None
    assert AlertWave.objects.filter(alert=alert).count() == 1
    assert Notification.objects.filter(recipient=owner, kind="reach_answer").count() == 1


def test_at_night_those_who_declined_night_alerts_are_passed_over(owner):
    sleeper = AlertContactFactory(owner=owner, night_alerts=False)
    owl = AlertContactFactory(owner=owner, night_alerts=True)
    alert, _ = services.raise_alert(owner, now=NIGHT_UTC)
    send_all(NIGHT_UTC)
    assert [m.to for m in mail.outbox] == [[owl.email]]
    skipped = AlertSend.objects.get(alert=alert, contact=sleeper)
    assert skipped.status == "skipped" and skipped.skip_reason == "asked not to be alerted at night"  # kept in English
    # and told in the reader's language where it is shown
    owner.language = "es"
    owner.save(update_fields=["language"])
    page = sign_in(Client(), owner).get(reverse("reach:history")).content.decode()
    assert "pidió no recibir avisos de noche" in page and "asked not to be alerted" not in page


def test_a_supporters_own_quiet_hours_decide_their_night(owner):
    friend = UserFactory(time_zone="Europe/London")  # 9 AM there at NIGHT_UTC; quiet hours 22–7 by default
    contact = AlertContactFactory(owner=owner, user=friend, night_alerts=False, time_zone="America/Chicago")
    services.raise_alert(owner, now=NIGHT_UTC)
    send_all(NIGHT_UTC)
    assert [m.to for m in mail.outbox] == [[contact.email]]


def test_the_persons_own_quiet_hours_do_not_hold_their_alert(owner):
    owner.quiet_hours_start, owner.quiet_hours_end = dt.time(0, 0), dt.time(23, 59)
    owner.save()
    accepted(owner, 1)
    services.raise_alert(owner, now=NIGHT_UTC)
    send_all(NIGHT_UTC)
    assert len(mail.outbox) == 1


def test_a_failed_send_is_retried_without_sending_twice(owner, settings):
    settings.EMAIL_BACKEND = "tests.reach.test_alerts.FailOnce"
    FailOnce.failures = 1
    accepted(owner, 1)
    alert, _ = services.raise_alert(owner, now=DAY_UTC)
    row = AlertSend.objects.get(alert=alert)
    outcome = sending.send_alert_message(row.pk, now=DAY_UTC)
    assert outcome.status == "pending" and outcome.retry_in == 5
    assert sending.send_alert_message(row.pk, now=DAY_UTC).status == "waiting"
    later = DAY_UTC + dt.timedelta(seconds=6)
    assert sending.send_alert_message(row.pk, now=later).status == "sent"
    assert sending.send_alert_message(row.pk, now=later).status == "sent"
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_message_sent_while_the_database_session_ended_is_recorded_on_a_fresh_one(owner, monkeypatch):
    """Left "sending", its claim would lapse and the sweep send it twice (the reminders' test_delivery.py has the
    same; tests/recovery_network/test_postgres_faults.py cuts real sessions)."""
    accepted(owner, 1)
    alert, _ = services.raise_alert(owner)
    row = AlertSend.objects.get(alert=alert)
    update, cut = QuerySet.update, []

    def cut_once(queryset, **values):
        if values.get("status") == "sent" and not cut:
            cut.append(values)
            raise DatabaseGone("server closed the connection unexpectedly")
        return update(queryset, **values)

    monkeypatch.setattr(QuerySet, "update", cut_once)
    assert sending.send_alert_message(row.pk).status == "sent"
    assert len(cut) == 1 and len(mail.outbox) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 1)


def test_a_send_cut_off_by_the_database_runs_again_at_once(owner, monkeypatch):
    accepted(owner, 1)
    alert, _ = services.raise_alert(owner)
    row = AlertSend.objects.get(alert=alert)
    real, cut = sending.send_alert_message, []

    def cut_first(send_id, **kwargs):
        if not cut:
            cut.append(send_id)
            raise DatabaseGone("terminating connection due to administrator command")
        return real(send_id, **kwargs)

    monkeypatch.setattr(sending, "send_alert_message", cut_first)
    tasks.send_alert_message.apply((row.pk,))  # as a worker runs it: retried, not left to the sweep
    assert cut == [row.pk] and len(mail.outbox) == 1
    assert AlertSend.objects.get(pk=row.pk).status == "sent"


def test_a_message_held_by_a_worker_that_died_is_sent_after_the_lease(owner, settings):
    accepted(owner, 1)
    alert, _ = services.raise_alert(owner, now=DAY_UTC)
    row = AlertSend.objects.get(alert=alert)
    AlertSend.objects.filter(pk=row.pk).update(status="sending", claimed_at=DAY_UTC, attempts=1)
    assert sending.send_alert_message(row.pk, now=DAY_UTC + dt.timedelta(seconds=10)).status == "held"
    after = DAY_UTC + dt.timedelta(seconds=settings.ALERT_SEND_LEASE_SECONDS + 1)
    assert sending.stalled_ids(after) == [row.pk]
    assert sending.send_alert_message(row.pk, now=after).status == "sent"
    assert len(mail.outbox) == 1


def test_someone_who_stopped_before_the_send_gets_nothing(owner):
    contact = AlertContactFactory(owner=owner)
    alert, _ = services.raise_alert(owner, now=DAY_UTC)
    services.stop(contact)
    send_all(DAY_UTC)
    assert mail.outbox == []
    assert AlertSend.objects.get(alert=alert).status == "skipped"


class FailOnce:
    """An email backend that refuses the first `failures` messages, then delivers to the outbox."""

    failures = 0

    def __init__(self, *args, **kwargs):
        from django.core.mail.backends.locmem import EmailBackend

        self.backend = EmailBackend(*args, **kwargs)

    def send_messages(self, messages):
        if FailOnce.failures:
            FailOnce.failures -= 1
            raise ConnectionRefusedError("SMTP server refused")
        return self.backend.send_messages(messages)

    def open(self):
        pass

    def close(self):
        pass


# Pages


def test_the_home_check_in_and_crisis_pages_offer_the_button(owner_client):
    for name in ("home", "milestones:checkin", "crisis"):
        page = owner_client.get(reverse(name))
        assert b'action="/reach/"' in page.content, name


def test_one_tap_from_home_sends_and_shows_the_alert(owner, owner_client):
    accepted(owner, 2)
    response = owner_client.post(reverse("reach:now"))
    alert = Alert.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reach:alert", args=[alert.pk])
    page = owner_client.get(response["Location"])
    assert b"Waiting for an answer" in page.content


def test_the_answer_shows_on_the_persons_page(owner, owner_client, client):
    contact = AlertContactFactory(owner=owner)
    alert, _ = services.raise_alert(owner, "please call")
    url = links.answer_path(alert, contact)
    opened = client.get(url)
    assert b"please call" in opened.content and b"I'm reaching out now" in opened.content
    assert Alert.objects.get().status == "open"  # opening answers nothing
    client.post(url)
    live = owner_client.get(reverse("reach:alert_live", args=[alert.pk]))
    assert f"{contact.supporter.name} is reaching out to you now".encode() in live.content


def test_opening_an_alert_is_in_the_persons_access_log(owner, client):
    contact = AlertContactFactory(owner=owner)
    alert, _ = services.raise_alert(owner)
    client.get(links.answer_path(alert, contact))
    event = owner.access_events.get()
    assert event.actor_name == contact.supporter.name and "call for support" in event.what


def test_an_expired_alert_link_says_so(owner, client):
    contact = AlertContactFactory(owner=owner)
    with time_machine.travel(DAY_UTC):
        alert, _ = services.raise_alert(owner)
        url = links.answer_path(alert, contact)
    with time_machine.travel(DAY_UTC + dt.timedelta(hours=25)):
        response = client.get(url)
    assert response.status_code == 410 and b"expired" in response.content


def test_a_mangled_link_is_a_404_with_a_page(client):
    for name in ("reach:answer", "reach:request", "reach:stop"):
        response = client.get(reverse(name, args=["not-a-token"]))
        assert response.status_code == 404, name


def test_someone_elses_alert_is_a_404(owner, stranger_client):
    accepted(owner, 1)
    alert, _ = services.raise_alert(owner)
    for name in ("reach:alert", "reach:alert_live"):
        assert stranger_client.get(reverse(name, args=[alert.pk])).status_code == 404
    assert stranger_client.post(reverse("reach:close", args=[alert.pk])).status_code == 404


def test_the_limit_gets_a_clear_message_and_the_crisis_lines(owner, owner_client):
    accepted(owner, 1)
    for _ in range(3):
        owner_client.post(reverse("reach:now"))
        Alert.objects.update(status="closed")
    response = owner_client.post(reverse("reach:now"))
    assert response.status_code == 429
    assert b"3 times in the last hour" in response.content and b"988" in response.content


def test_closing_stops_the_escalation(owner, owner_client):
    accepted(owner, 5)
    alert, _ = services.raise_alert(owner, now=timezone.now() - dt.timedelta(minutes=1))
    owner_client.post(reverse("reach:close", args=[alert.pk]))
    assert services.escalate(alert.pk, now=timezone.now() + dt.timedelta(hours=1)) is None
    assert Alert.objects.get().status == "closed"


def test_history_lists_every_step(owner, owner_client):
    first, second = accepted(owner, 2)
    alert, _ = services.raise_alert(owner, "hard day")
    services.answer(alert, second)
    page = owner_client.get(reverse("reach:history")).content.decode()
    assert "hard day" in page and f"{second.supporter.name} answered" in page


def test_messages_are_queued_on_the_broker_when_the_alert_commits(owner, caplog, django_capture_on_commit_callbacks):
    """Queued through the configured broker (kombu's filesystem one here): Celery refuses a task whose soft time
    limit is above its hard one, and a refusal would leave the alert to the sweep, up to 30 s late."""
    accepted(owner, 2)
    with django_capture_on_commit_callbacks(execute=True), caplog.at_level("WARNING"):
        services.raise_alert(owner)
    assert "Could not queue" not in caplog.text


def test_the_alert_is_in_the_supporters_notification_centre_with_one_tap(owner, client):
    friend = UserFactory()
    contact = AlertContactFactory(owner=owner, user=friend)
    alert, _ = services.raise_alert(owner, "PRIVATE words")
    client.force_login(friend)
    page = client.get(reverse("notifications:index")).content.decode()
    assert f"{owner.name} would like to hear from you now" in page
    answer = re.search(r'formaction="(/reach/answer/[^"]+)"', page).group(1)
    assert unsigned(answer) == unsigned(links.answer_path(alert, contact))
    assert "PRIVATE words" not in page  # the words only on the page the link opens
    client.post(answer)
    assert Alert.objects.get().status == "answered"


def test_the_persons_access_log_says_who_opened_their_call(owner, owner_client, client):
    contact = AlertContactFactory(owner=owner)
    alert, _ = services.raise_alert(owner)
    client.get(links.answer_path(alert, contact))
    page = owner_client.get(reverse("care:access_log")).content.decode()
    assert contact.supporter.name in page and "your call for support" in page


def test_with_the_broker_down_the_alert_is_still_made_and_the_sweep_sends_it(
    owner, owner_client, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis. Connection refused.")

    monkeypatch.setattr(tasks.send_alert_message, "apply_async", refuse)
    monkeypatch.setattr(tasks.escalate_alert, "apply_async", refuse)
    accepted(owner, 1)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("reach:now"))
    assert response.status_code == 302  # the person sees their call, not an error
    row = AlertSend.objects.get()
    assert row.status == "pending"
    later = timezone.now() + dt.timedelta(seconds=31)
    assert sending.stalled_ids(later) == [row.pk]
    sending.send_alert_message(row.pk, now=later)
    assert len(mail.outbox) == 1


def test_when_everyone_asked_not_to_be_woken_the_call_ends_at_once_with_the_crisis_lines(owner, owner_client):
    AlertContactFactory(owner=owner, night_alerts=False)
    with time_machine.travel(NIGHT_UTC, tick=False):
        alert, _ = services.raise_alert(owner)
        page = owner_client.get(reverse("reach:alert", args=[alert.pk])).content.decode()
    assert Alert.objects.get().status == Alert.Status.UNANSWERED
    assert "No one could be alerted right now" in page and "988" in page
    assert mail.outbox == []


def test_a_late_answer_is_still_welcome_but_not_after_the_person_closed_the_call(owner):
    first, second = accepted(owner, 2)
    alert, _ = services.raise_alert(owner, now=DAY_UTC)
    services.escalate(alert.pk, now=DAY_UTC + dt.timedelta(minutes=10))  # no one left: unanswered
    alert.refresh_from_db()
    assert alert.status == Alert.Status.UNANSWERED
    services.answer(alert, first, now=DAY_UTC + dt.timedelta(minutes=15))
    alert.refresh_from_db()
    assert alert.status == Alert.Status.ANSWERED
    services.close(alert)
    alert.refresh_from_db()
    with pytest.raises(services.ReachProblem, match="all right now"):
        services.answer(alert, second)


def test_someone_left_with_no_way_to_reach_them_is_passed_over_once(owner):
    """An account deleted after agreeing through it leaves no address: no wave may pick them again and again."""
    gone = AlertContactFactory(owner=owner, email="", phone="", user=None)
    alert, _ = services.raise_alert(owner, now=DAY_UTC)
    assert AlertSend.objects.get(alert=alert, contact=gone).skip_reason == "no address to reach them at"
    assert Alert.objects.get().status == Alert.Status.UNANSWERED


def test_an_alerts_tasks_go_ahead_of_everything_else_queued(
    owner, settings, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(tasks.send_alert_message, "apply_async", lambda *a, **kw: queued.append(kw["priority"]))
    monkeypatch.setattr(tasks.escalate_alert, "apply_async", lambda *a, **kw: queued.append(kw["priority"]))
    accepted(owner, 2)
    with django_capture_on_commit_callbacks(execute=True):
        services.raise_alert(owner)
    assert queued == [0, 0, 0] and settings.CELERY_TASK_DEFAULT_PRIORITY > 0


def test_a_text_does_not_name_the_site(owner):
    AlertContactFactory(owner=owner, phone="+15550100199")
    services.raise_alert(owner, now=DAY_UTC)
    send_all(DAY_UTC)
    assert sms.outbox[0].body.startswith(f"{owner.name} would like to hear from you now.")
    assert "Recovery" not in sms.outbox[0].body


def test_the_in_app_notes_are_in_each_readers_language(owner):
    """The supporter reads the call in their language, the person the answer in theirs."""
    friend = UserFactory(language="es")
    contact = AlertContactFactory(owner=owner, user=friend)
    alert, _ = services.raise_alert(owner, now=DAY_UTC)
    note = Notification.objects.get(recipient=friend, kind="reach_alert")
    assert note.title == f"{owner.name} quiere saber de ti ahora" and note.action_label == "Me comunico ahora"
    owner.language = "es"
    owner.save(update_fields=["language"])
    alert.refresh_from_db()
    services.answer(alert, contact, now=DAY_UTC)
    answer_note = Notification.objects.get(recipient=owner, kind="reach_answer")
    assert answer_note.title == f"{contact.supporter.name} se está comunicando contigo ahora"
