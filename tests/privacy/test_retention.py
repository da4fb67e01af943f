"""The nightly retention (recovery_network/privacy/retention.py): each kind of record goes after its period and
not a day before, nothing still waiting or still needed goes, a reminder never goes out twice because its row
went, and the access log stays closed to every other delete."""

import datetime as dt
import itertools
import threading
from pathlib import Path

import pytest
from celery.schedules import crontab
from django.conf import settings as site_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recovery_network.care import sharing, warning_signs
from recovery_network.care.models import (
    AccessEvent,
    CaseloadRoster,
    CaseloadView,
    ConsentRequest,
    Grant,
    Invitation,
    RosterEntry,
    SignEpisode,
    SignWatch,
)
from recovery_network.care.notification_kinds import CircleNews, tell_circle
from recovery_network.models import User
from recovery_network.notifications import dispatch as reminders
from recovery_network.notifications.dispatch import refresh_person, refresh_subjects
from recovery_network.notifications.models import Delivery, Notification, Reminder
from recovery_network.privacy import retention, tasks
from recovery_network.privacy.models import Export
from supports.models import Closeness
from supports.services import log_contact
from tests.care.factories import InvitationFactory
from tests.factories import UserFactory
from tests.milestones.factories import CheckInFactory, JourneyFactory
from tests.notifications.conftest import chicago
from tests.supports.factories import SupporterFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 5, 3, 30, tzinfo=dt.UTC)  # when beat runs it
DAY = dt.timedelta(days=1)
SIX_YEARS = 6 * 365 + 2
SENT, SKIPPED, FAILED = Delivery.Status.SENT, Delivery.Status.SKIPPED, Delivery.Status.FAILED
OCCURRENCES = itertools.count()


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def ago(days):
    return NOW - days * DAY


def notification(user, read_days_ago=None, created_days_ago=None, delivery=None):
    created_days_ago = created_days_ago if created_days_ago is not None else (read_days_ago or 0)
    return Notification.objects.create(
        recipient=user,
        delivery=delivery,
        kind="checkin",
        title="Time for your check-in",
        created_at=ago(created_days_ago),
        read_at=None if read_days_ago is None else ago(read_days_ago),
    )


def delivery(user, status, days_ago, kind="checkin", subject_id=0, sent_days_ago=None):
    sent_days_ago = days_ago if sent_days_ago is None else sent_days_ago
    return Delivery.objects.create(
        recipient=user,
        kind=kind,
        subject_id=subject_id,
        occurrence=f"o{next(OCCURRENCES)}",
        status=status,
        created_at=ago(days_ago),
        sent_at=ago(sent_days_ago) if status == SENT else None,
    )


def line(owner, days_ago):
    return AccessEvent.objects.create(
        owner=owner, actor_name="Casey", action=AccessEvent.Action.VIEWED, what="clean time", created_at=ago(days_ago)
    )


def roster(counselor, days_ago, clients):
    written = CaseloadRoster.objects.create(
        counselor=counselor,
        counselor_name="Casey",
        digest=f"d{next(OCCURRENCES)}",
        created_at=ago(days_ago),
    )
    for client in clients:
        RosterEntry.objects.create(roster=written, owner=client, what="caseload summary: clean time")
    return written


def look(at_roster, days_ago):
    return CaseloadView.objects.create(roster=at_roster, path="/care/clients/", created_at=ago(days_ago))


def pks(model):
    return set(model._base_manager.values_list("pk", flat=True))


def expired_request(counselor, email="client@example.org", **answer):
    return ConsentRequest.objects.create(
        counselor=counselor,
        email=email,
        recipient_name="Casey Counselor",
        organisation="Riverside Counseling",
        expires_on=NOW.date() + 90 * DAY,
        nonce=f"n{next(OCCURRENCES)}",
        expires_at=NOW - dt.timedelta(seconds=1),
        **answer,
    )


# Notifications


def test_read_notifications_go_after_ninety_days_and_unread_ones_never(clock, owner, stranger):
    kept = notification(owner, read_days_ago=89)
    gone = notification(owner, read_days_ago=91)
    unread = notification(owner, created_days_ago=4000)
    theirs = notification(stranger, read_days_ago=10)
    counts = retention.apply()
    assert counts["notifications"] == 1
    assert pks(Notification) == {kept.pk, unread.pk, theirs.pk}
    assert gone.pk not in pks(Notification)


# Deliveries


def test_finished_deliveries_go_ninety_days_after_they_finished(clock, owner, stranger):
    kept = [
        delivery(owner, SENT, 89),
        delivery(owner, SKIPPED, 89),
        delivery(owner, FAILED, 89),
        delivery(owner, SENT, 95, sent_days_ago=89),  # written 95 days ago, sent after its retries 89 days ago
        delivery(stranger, SENT, 30),
    ]
    gone = [delivery(owner, SENT, 91), delivery(owner, SKIPPED, 91), delivery(owner, FAILED, 91)]
    note = notification(owner, created_days_ago=91, delivery=gone[0])  # unread: it stays, without its delivery
    counts = retention.apply()
    assert counts["deliveries"] == 3
    assert pks(Delivery) == {row.pk for row in kept}
    note.refresh_from_db()
    assert note.delivery is None and note.is_unread


def test_pending_held_and_sending_deliveries_are_never_deleted(clock, owner):
    waiting = [delivery(owner, status, 400) for status in ("pending", "held", "sending")]
    assert retention.apply()["deliveries"] == 0
    assert pks(Delivery) == {row.pk for row in waiting}


def test_a_reminder_whose_delivery_went_is_not_sent_again(owner, time_machine):
    """The check-in reminder of 1 June: sent, its row deleted 91 days on, then its occurrence met again (a
    schedule rebuilt from an old point): the dispatch finds it long expired and skips it; nothing is sent."""
    JourneyFactory(owner=owner, started_on=dt.date(2026, 1, 1))
    owner.checkin_time = dt.time(20, 30)
    owner.save()
    refresh_person(owner, now=chicago(2026, 6, 1, 12))
    due = chicago(2026, 6, 1, 20, 30)
    old = Reminder.objects.get(recipient=owner, kind="checkin")
    assert reminders.dispatch(now=due, enqueue=[].extend).sent == 1
    Delivery.objects.filter(kind="checkin").update(status=SENT, sent_at=due)
    notes = Notification.objects.count()

    time_machine.move_to(due + 91 * DAY, tick=False)
    assert retention.apply()["deliveries"] == 1
    Reminder.objects.filter(pk=old.pk).update(
        occurrence=old.occurrence, occurs_at=old.occurs_at, expires_at=old.expires_at, due_at=old.due_at
    )
    emails = []
    result = reminders.dispatch(now=due + 91 * DAY, enqueue=emails.extend)
    assert (result.sent, result.skipped, emails) == (0, 1, [])
    again = Delivery.objects.get(kind="checkin", occurrence="2026-06-01")
    assert (again.status, again.skip_reason) == (SKIPPED, Delivery.SkipReason.MISSED)
    assert Notification.objects.count() == notes


def quarterly_nudge_sent(owner):
    """Olive's reach-out nudge for Ana, every three months, sent on 30 May: (Ana, when it was due, its key)."""
    supporter = SupporterFactory(owner=owner, name="Ana", closeness=Closeness.INNER, contact_every_days=90)
    log_contact(supporter, happened_at=chicago(2026, 3, 1, 12))
    refresh_subjects("reach_out", [supporter.pk], now=chicago(2026, 3, 2))
    due = Reminder.objects.get(kind="reach_out").occurs_at
    assert reminders.dispatch(now=due, enqueue=[].extend).sent == 1
    Delivery.objects.filter(kind="reach_out").update(status=SENT, sent_at=due)
    return supporter, due, Delivery.objects.get(kind="reach_out").occurrence


def edited_and_dispatched(supporter, now):
    """An edit to the supporter rebuilds the schedule (looking a period back), then the dispatch runs: the
    occurrences of every nudge made so far."""
    refresh_subjects("reach_out", [supporter.pk], now=now)
    reminders.dispatch(now=now, enqueue=[].extend)
    return list(Delivery.objects.filter(kind="reach_out").values_list("occurrence", flat=True))


def test_the_longest_lived_reminder_keeps_its_row_whatever_the_setting(owner, time_machine, settings):
    """A quarterly reach-out nudge is worth sending until the next is due, 90 days on, and a schedule rebuilt
    looks 90 days back for it: its row stays that long, even with a shorter setting."""
    settings.DELIVERY_RETENTION_DAYS = 30
    supporter, due, sent_once = quarterly_nudge_sent(owner)
    for days, deleted in ((31, 0), (89, 0), (91, 1)):
        time_machine.move_to(due + days * DAY, tick=False)
        assert retention.apply()["deliveries"] == deleted
        made = edited_and_dispatched(supporter, due + days * DAY)
        assert made.count(sent_once) == (0 if deleted else 1)
    # 91 days on, the next quarter's nudge (due a day ago) went out; the first was not made again.
    assert made == [(due + 90 * DAY).isoformat(timespec="seconds")]


def test_without_that_floor_a_shorter_setting_would_send_a_nudge_twice(owner, time_machine, settings, monkeypatch):
    """Why retention.ONCE_ONLY_DAYS exists."""
    monkeypatch.setattr(retention, "ONCE_ONLY_DAYS", 0)
    settings.DELIVERY_RETENTION_DAYS = 30
    supporter, due, sent_once = quarterly_nudge_sent(owner)
    time_machine.move_to(due + 31 * DAY, tick=False)
    assert retention.apply()["deliveries"] == 1
    assert edited_and_dispatched(supporter, due + 31 * DAY) == [sent_once]
    assert Delivery.objects.get(kind="reach_out").status == "pending"  # on its way, a second time


# Deliveries that are records


@pytest.fixture
def watched(owner, family):
    """Olive's family hears of silence after two of her days without a check-in (clean time and check-ins)."""
    JourneyFactory(owner=owner, started_on=dt.date(2026, 1, 1))
    Grant.objects.filter(owner=owner, viewer=family).update(checkins=True)
    SignWatch.objects.create(owner=owner, watcher=family, no_checkin=True, no_checkin_days=2)
    return family


def test_a_warning_sign_is_told_once_however_long_it_lasts_and_its_record_stays(owner, watched, time_machine):
    time_machine.move_to(dt.datetime(2026, 6, 1, 18, tzinfo=dt.UTC), tick=False)
    CheckInFactory(owner=owner, local_date=dt.date(2026, 6, 1))
    time_machine.move_to(dt.datetime(2026, 6, 3, 18, tzinfo=dt.UTC), tick=False)
    assert warning_signs.sweep_silence() == 1
    Delivery.objects.filter(kind="warning_sign").update(status=SENT, sent_at=dt.datetime(2026, 6, 3, 18, tzinfo=dt.UTC))

    # Four months of silence: the note stays, so the sweep (every quarter hour) tells no one again.
    time_machine.move_to(dt.datetime(2026, 10, 1, 18, tzinfo=dt.UTC), tick=False)
    assert retention.apply()["deliveries"] == 0
    warning_signs.sweep_silence()
    assert Delivery.objects.filter(kind="warning_sign", recipient=watched).count() == 1

    # Ended long ago, it is still who was told (the person's page of signs); it goes with its episode.
    SignEpisode.objects.update(ended_at=dt.datetime(2026, 10, 1, 18, tzinfo=dt.UTC))
    time_machine.move_to(dt.datetime(2027, 6, 1, 18, tzinfo=dt.UTC), tick=False)
    assert retention.apply()["deliveries"] == 0
    SignEpisode.objects.all().delete()
    assert retention.apply()["deliveries"] == 1


def test_who_was_told_of_a_milestone_stays_told_for_good(owner, family, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 30, 15, tzinfo=dt.UTC), tick=False)  # 30 days, in Chicago
    journey = JourneyFactory(owner=owner, started_on=dt.date(2026, 2, 28))
    milestone = journey.milestone_named("d30")
    assert tell_circle(milestone) == ["Fran"]
    assert Delivery.objects.get(kind=CircleNews.key).status == SENT  # in the app only, by default
    orphan = delivery(family, SENT, 400, kind=CircleNews.key, subject_id=journey.pk + 1000)  # a journey deleted

    time_machine.move_to(dt.datetime(2027, 6, 1, 15, tzinfo=dt.UTC), tick=False)
    assert retention.apply()["deliveries"] == 1
    assert orphan.pk not in pks(Delivery)
    assert tell_circle(milestone) == []  # still told: no second note
    assert Notification.objects.filter(recipient=family, kind=CircleNews.key).count() == 1


# The access log


def test_the_access_log_goes_after_six_years_and_not_a_day_before(clock, owner, stranger):
    kept = line(owner, SIX_YEARS - 1)
    gone = line(owner, SIX_YEARS + 1)
    theirs = line(stranger, SIX_YEARS - 1)
    counts = retention.apply()
    assert counts["access_events"] == 1
    assert pks(AccessEvent) == {kept.pk, theirs.pk}
    assert gone.pk not in pks(AccessEvent)


def test_caseload_looks_go_and_their_rosters_once_no_kept_look_needs_them(clock, owner, stranger, counselor):
    oldest = roster(counselor, SIX_YEARS + 300, [owner, stranger])
    look(oldest, SIX_YEARS + 300)
    still_seen = roster(counselor, SIX_YEARS + 100, [owner])
    look(still_seen, SIX_YEARS + 100)
    kept_look = look(still_seen, SIX_YEARS - 1)
    newest = roster(counselor, SIX_YEARS + 50, [owner])  # unchanged since, and not looked at in six years
    look(newest, SIX_YEARS + 50)
    left = roster(None, SIX_YEARS + 10, [stranger])  # the counselor erased their account
    look(left, SIX_YEARS + 10)

    counts = retention.apply()
    assert (counts["caseload_views"], counts["caseload_rosters"], counts["roster_entries"]) == (4, 2, 3)
    assert pks(CaseloadRoster) == {still_seen.pk, newest.pk}
    assert pks(CaseloadView) == {kept_look.pk}
    assert set(RosterEntry.objects.values_list("roster_id", flat=True)) == {still_seen.pk, newest.pk}
    # The look kept is still a line in the client's log, with what the caseload showed of them.
    lines, _ = sharing.access_log(owner)
    assert [(entry.actor_name, entry.what) for entry in lines] == [("Casey", "caseload summary: clean time")]


def test_the_access_log_still_refuses_every_other_delete_and_change(clock, owner, counselor):
    event = line(owner, SIX_YEARS + 1)
    seen = roster(counselor, SIX_YEARS + 1, [owner])
    view = look(seen, SIX_YEARS + 1)
    for model, change in (
        (AccessEvent, {"created_at": NOW}),
        (CaseloadView, {"created_at": NOW}),
        (CaseloadRoster, {"created_at": NOW}),
        (RosterEntry, {"what": ""}),
    ):
        with pytest.raises(PermissionError):
            model.objects.all().delete()
        with pytest.raises(PermissionError):
            model.objects.all().update(**change)
    for row in (event, view, seen, seen.entries.get()):
        with pytest.raises(PermissionError):
            row.delete()
    assert AccessEvent.objects.count() == CaseloadView.objects.count() == 1


def test_retention_alone_deletes_past_the_access_logs_refusal():
    """Django's own delete, called past the append-only refusal, appears in one place: retention's purge."""
    root = Path(__file__).resolve().parents[2]
    callers = {
        path.relative_to(root).as_posix()
        for package in ("recovery_network", "supports", "milestones")
        for path in (root / package).rglob("*.py")
        if "migrations" not in path.parts
        and ("QuerySet.delete(" in (text := path.read_text()) or "_raw_delete(" in text)
    }
    assert callers == {"recovery_network/privacy/retention.py"}


# At once


def test_invitations_never_accepted_go_once_they_expire(clock, owner, family):
    expired = InvitationFactory(owner=owner, expires_at=NOW - dt.timedelta(seconds=1))
    declined = InvitationFactory(owner=owner, expires_at=ago(2), declined_at=ago(5))
    withdrawn = InvitationFactory(owner=owner, expires_at=ago(2), withdrawn_at=ago(5))
    waiting = InvitationFactory(owner=owner, expires_at=NOW + DAY)
    declined_this_week = InvitationFactory(owner=owner, expires_at=NOW + DAY, declined_at=ago(1))
    accepted = InvitationFactory(owner=owner, email=family.email, expires_at=ago(30), accepted_at=ago(35))
    Grant.objects.filter(owner=owner, viewer=family).update(invitation=accepted)
    version = User.objects.get(pk=owner.pk).data_version

    counts = retention.apply()
    assert counts["invitations"] == 3
    assert pks(Invitation) == {waiting.pk, declined_this_week.pk, accepted.pk}
    assert not {expired.pk, declined.pk, withdrawn.pk} & pks(Invitation)
    assert Grant.objects.get(owner=owner, viewer=family).invitation == accepted
    assert User.objects.get(pk=owner.pk).data_version > version  # the page cache heard of it


def test_consent_requests_never_signed_go_once_they_expire(clock, counselor, owner):
    unanswered = expired_request(counselor)
    declined = expired_request(counselor, declined_at=ago(3))
    signed = expired_request(counselor, email=owner.email, answered_at=ago(3))
    waiting = ConsentRequest.objects.create(
        counselor=counselor,
        email="later@example.org",
        recipient_name="Casey Counselor",
        organisation="Riverside Counseling",
        expires_on=NOW.date() + 90 * DAY,
        nonce="waiting",
        expires_at=NOW + DAY,
    )
    assert retention.apply()["consent_requests"] == 2
    assert pks(ConsentRequest) == {signed.pk, waiting.pk}
    assert not {unanswered.pk, declined.pk} & pks(ConsentRequest)


def test_exports_go_with_their_file_once_they_expire(clock, owner, stranger):
    expired = Export.objects.create(
        owner=owner, status="ready", content=b"zip", expires_at=NOW - dt.timedelta(seconds=1)
    )
    offered = Export.objects.create(owner=owner, status="ready", content=b"zip", expires_at=NOW + DAY)
    theirs = Export.objects.create(owner=stranger, status="building", expires_at=NOW + DAY)
    assert retention.apply()["exports"] == 1
    assert pks(Export) == {offered.pk, theirs.pk}
    assert expired.pk not in pks(Export)


# Settings


def test_each_period_is_a_setting(clock, owner, settings):
    settings.NOTIFICATION_RETENTION_DAYS = 30
    settings.DELIVERY_RETENTION_DAYS = 120
    settings.ACCESS_LOG_RETENTION_DAYS = 365
    kept = [notification(owner, read_days_ago=29), delivery(owner, SENT, 119), line(owner, 364)]
    gone = [notification(owner, read_days_ago=31), delivery(owner, SENT, 121), line(owner, 366)]
    counts = retention.apply()
    assert (counts["notifications"], counts["deliveries"], counts["access_events"]) == (1, 1, 1)
    for row in kept:
        assert row.pk in pks(type(row))
    for row in gone:
        assert row.pk not in pks(type(row))


def test_deliveries_are_kept_ninety_days_however_short_the_setting(clock, owner, settings):
    settings.DELIVERY_RETENTION_DAYS = 30
    kept = delivery(owner, SENT, 60)
    gone = delivery(owner, SKIPPED, 91)
    assert retention.apply()["deliveries"] == 1
    assert pks(Delivery) == {kept.pk} and gone.pk not in pks(Delivery)


def test_a_period_of_zero_keeps_for_ever(clock, owner, settings):
    settings.NOTIFICATION_RETENTION_DAYS = 0
    settings.DELIVERY_RETENTION_DAYS = 0
    settings.ACCESS_LOG_RETENTION_DAYS = 0
    old = [notification(owner, read_days_ago=7000), delivery(owner, SENT, 7000), line(owner, 7000)]
    expired = InvitationFactory(owner=owner, expires_at=ago(1))
    counts = retention.apply()
    assert counts["notifications"] == counts["deliveries"] == counts["access_events"] == 0
    assert all(row.pk in pks(type(row)) for row in old)
    assert counts["invitations"] == 1 and expired.pk not in pks(Invitation)  # expiry is no period


def test_the_defaults_are_ninety_days_and_six_years():
    assert site_settings.NOTIFICATION_RETENTION_DAYS == site_settings.DELIVERY_RETENTION_DAYS == 90
    assert site_settings.ACCESS_LOG_RETENTION_DAYS == 2192
    entry = site_settings.CELERY_BEAT_SCHEDULE["apply-retention"]
    assert entry["task"] == tasks.apply_retention.name
    assert entry["schedule"] == crontab(hour=3, minute=30)


# Running it


def test_the_nightly_task_sweeps_and_running_it_twice_is_harmless(clock, owner, caplog):
    kept = notification(owner, read_days_ago=10)
    notification(owner, read_days_ago=91)
    delivery(owner, SENT, 91)
    line(owner, SIX_YEARS + 1)
    with caplog.at_level("INFO", logger="recovery_network.privacy.retention"):
        first = tasks.apply_retention()
    assert (first["notifications"], first["deliveries"], first["access_events"]) == (1, 1, 1)
    assert tasks.apply_retention() == dict.fromkeys(first, 0)
    assert pks(Notification) == {kept.pk}
    record = next(record for record in caplog.records if record.name == "recovery_network.privacy.retention")
    assert record.getMessage().startswith("Retention deleted 1 notifications, 1 deliveries, 1 access_events")
    assert "@" not in record.getMessage() and owner.name not in record.getMessage()


def test_a_long_table_goes_in_batches_past_the_rows_it_keeps(clock, owner):
    rows = []
    for n in range(12):
        rows.append(notification(owner, read_days_ago=91))
        rows.append(notification(owner, created_days_ago=91 + n))  # unread, between them
    counts = retention.apply(batch_size=5)
    assert counts["notifications"] == 12
    assert Notification.objects.count() == 12 and not Notification.objects.filter(read_at__isnull=False).exists()


def world(rows, owner, counselor):
    """`rows` of each kind of record past its period: read notifications, sent deliveries (each with its unread
    notification), access-log lines, caseload rosters with an entry and a look, invitations, consent requests,
    exports."""
    deliveries = Delivery.objects.bulk_create(
        Delivery(
            recipient=owner,
            kind="checkin",
            occurrence=f"o{next(OCCURRENCES)}",
            status=SENT,
            sent_at=ago(100),
            created_at=ago(100),
        )
        for _ in range(rows)
    )
    Notification.objects.bulk_create(
        Notification(recipient=owner, kind="checkin", title="t", created_at=ago(100), read_at=ago(100 if n else 1))
        for n in range(rows)
    )
    Notification.objects.bulk_create(
        Notification(recipient=owner, kind="checkin", title="t", delivery=sent, created_at=ago(100))
        for sent in deliveries
    )
    AccessEvent.objects.bulk_create(
        AccessEvent(owner=owner, actor_name="Casey", action="viewed", created_at=ago(SIX_YEARS + 1))
        for _ in range(rows)
    )
    rosters = CaseloadRoster.objects.bulk_create(
        CaseloadRoster(
            counselor=counselor, counselor_name="Casey", digest=f"d{next(OCCURRENCES)}", created_at=ago(3000)
        )
        for _ in range(rows)
    )
    RosterEntry.objects.bulk_create(RosterEntry(roster=seen, owner=owner, what="caseload") for seen in rosters)
    CaseloadView.objects.bulk_create(CaseloadView(roster=seen, created_at=ago(3000)) for seen in rosters)
    Invitation.objects.bulk_create(
        Invitation(owner=owner, email=f"i{n}@example.org", nonce=f"n{n}", expires_at=ago(1)) for n in range(rows)
    )
    ConsentRequest.objects.bulk_create(
        ConsentRequest(
            counselor=counselor,
            email=f"c{n}@example.org",
            recipient_name="Casey",
            organisation="Riverside",
            expires_on=NOW.date(),
            nonce=f"n{n}",
            expires_at=ago(1),
        )
        for n in range(rows)
    )
    Export.objects.bulk_create(Export(owner=owner, content=b"zip", expires_at=ago(1)) for _ in range(rows))


def test_the_sweep_costs_a_few_queries_a_batch_however_many_rows(
    clock, owner, counselor, django_assert_max_num_queries
):
    """No query per row: each kind of record costs the same few statements a batch, but for Django's delete,
    which writes one DELETE per 100 ids for the three tables other rows point at (deliveries, invitations,
    rosters: it nulls or deletes what points at them first)."""
    world(10, owner, counselor)
    with CaptureQueriesContext(connection) as few:
        counts = retention.apply()
    assert counts["deliveries"] == 10 and counts["notifications"] == 9 and counts["caseload_rosters"] == 9

    world(200, owner, counselor)
    with django_assert_max_num_queries(len(few) + 3 * (200 // 100)):
        counts = retention.apply()
    assert counts["deliveries"] == counts["access_events"] == counts["caseload_views"] == 200
    assert counts["notifications"] == 199 and counts["caseload_rosters"] == 200  # the first world's newest too
    assert counts["invitations"] == counts["consent_requests"] == counts["exports"] == 200


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_delete_each_row_once():
    owner = UserFactory()
    Notification.objects.bulk_create(
        Notification(recipient=owner, kind="checkin", title="t", read_at=ago(100)) for _ in range(300)
    )
    Delivery.objects.bulk_create(
        Delivery(
            recipient=owner, kind="checkin", occurrence=f"o{n}", status=SENT, sent_at=ago(100), created_at=ago(100)
        )
        for n in range(300)
    )
    barrier = threading.Barrier(2)
    results, errors = [], []

    def work():
        try:
            barrier.wait()
            results.append(retention.apply(now=NOW, batch_size=20))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert not errors, errors
    assert sum(result["notifications"] for result in results) == 300
    assert sum(result["deliveries"] for result in results) == 300
    assert not Notification.objects.exists() and not Delivery.objects.exists()
