"""Your data's pages, for every role: only ever the signed-in person's own."""

import datetime as dt
import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from recovery_network.care.models import Grant
from recovery_network.privacy import exporting, tasks
from recovery_network.privacy.models import Erasure, Export
from tests.factories import TEST_PASSWORD, sign_in


@pytest.fixture
def export(owner):
    made = exporting.request_export(owner, lambda export_id: None)
    exporting.build(made.pk)
    made.refresh_from_db()
    return made


def _reauthenticated(user):
    return sign_in(Client(), user, reauthenticated=True)


def test_anonymous_is_asked_to_sign_in(anon_client, export):
    for url in (
        reverse("privacy:index"),
        reverse("privacy:export"),
        reverse("privacy:export_status", args=[export.pk]),
        reverse("privacy:export_live", args=[export.pk]),
        reverse("privacy:export_download", args=[export.pk]),
        reverse("privacy:erase"),
        reverse("privacy:import"),
    ):
        response = anon_client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url, url


def test_the_owner_sees_their_data_page_with_their_downloads(owner_client, export, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = owner_client.get(reverse("privacy:index"))
    assert response.status_code == 200
    assert reverse("privacy:export_download", args=[export.pk]).encode() in response.content


@pytest.mark.parametrize("who", ["family_client", "counselor_client", "stranger_client"])
def test_nobody_else_reaches_an_export(request, who, export):
    client = request.getfixturevalue(who)
    for name in ("privacy:export_status", "privacy:export_live", "privacy:export_download"):
        assert client.get(reverse(name, args=[export.pk])).status_code == 404, name
    # Their own page lists nothing of the owner's.
    page = client.get(reverse("privacy:index"))
    assert page.status_code == 200
    assert reverse("privacy:export_download", args=[export.pk]).encode() not in page.content


def test_asking_for_an_export_needs_the_password_again(owner_client):
    response = owner_client.get(reverse("privacy:export"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_reauthenticate"))
    response = owner_client.post(reverse("privacy:export"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_reauthenticate"))
    assert not Export.objects.exists()


def test_the_export_is_built_with_progress_and_downloaded_by_its_owner(owner, django_capture_on_commit_callbacks):
    client = _reauthenticated(owner)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("privacy:export"))
    export = Export.objects.get(owner=owner)
    assert response.status_code == 302 and response.url == reverse("privacy:export_status", args=[export.pk])
    waiting = client.get(response.url)
    assert b"Waiting to start" in waiting.content and b'data-live-url="' in waiting.content
    # A second ask while it is waiting is the same export.
    client.post(reverse("privacy:export"))
    assert Export.objects.filter(owner=owner).count() == 1

    assert exporting.build(export.pk) == "ready"
    assert exporting.build(export.pk) == "skipped"  # a task run twice builds once
    live = client.get(reverse("privacy:export_live", args=[export.pk]))
    assert b"Download my data" in live.content and b"data-finished" in live.content
    download = client.get(reverse("privacy:export_download", args=[export.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert "attachment" in download["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        names = set(archive.namelist())
    assert {"recovery-network.json", "calendar.ics", "summary.html", "csv/checkins.csv"} <= names
    assert Export.objects.get(pk=export.pk).downloaded_at is not None


def test_a_download_is_offered_for_a_day_only(owner_client, export, time_machine):
    time_machine.move_to(export.expires_at + dt.timedelta(seconds=1))
    response = owner_client.get(reverse("privacy:export_download", args=[export.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("privacy:index")
    assert b"no longer offered" in response.content


def test_a_lost_export_task_is_queued_again(owner, time_machine):
    time_machine.move_to(timezone.now())
    queued = []
    made = exporting.request_export(owner, lambda export_id: None)

    class Task:
        @staticmethod
        def delay(export_id):
            queued.append(export_id)

    assert exporting.requeue_stalled(Task) == 0
    time_machine.shift(exporting.STALLED_AFTER + dt.timedelta(seconds=1))
    assert exporting.requeue_stalled(Task) == 1 and queued == [made.pk]


def test_the_erase_page_says_what_others_keep_and_needs_the_box_ticked(owner):
    client = _reauthenticated(owner)
    page = client.get(reverse("privacy:erase"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Family and friends keep nothing" in text and "counselor keeps the record of a consent" in text
    refused = client.post(reverse("privacy:erase"), {})
    assert refused.status_code == 400 and b"Tick the box" in refused.content
    assert not Erasure.objects.exists()


def test_erasing_ends_sharing_at_once_and_signs_out(owner, family, family_client):
    client = _reauthenticated(owner)
    assert family_client.get(reverse("care:person", args=[owner.pk])).status_code == 200
    response = client.post(reverse("privacy:erase"), {"understood": "on"})
    assert response.status_code == 302 and response.url == reverse("privacy:erase_requested")
    assert Erasure.objects.filter(owner=owner).exists()
    # Revoking cuts access at once.
    assert family_client.get(reverse("care:person", args=[owner.pk])).status_code == 404
    assert not Grant.objects.active().filter(owner=owner).exists()
    # Signed out here and everywhere.
    assert client.get(reverse("privacy:index")).status_code == 302
    assert not owner.usersession_set.exists()
    page = client.get(reverse("privacy:erase_requested"))
    assert page.status_code == 200 and b"sign in" in page.content


def test_signing_in_during_the_grace_period_cancels(owner, db):
    client = _reauthenticated(owner)
    client.post(reverse("privacy:erase"), {"understood": "on"})
    assert Erasure.objects.filter(owner=owner).exists()
    fresh = Client()
    response = fresh.post(reverse("account_login"), {"login": owner.email, "password": TEST_PASSWORD}, follow=True)
    assert response.status_code == 200
    assert not Erasure.objects.filter(owner=owner).exists()
    assert b"will not be erased" in response.content


def test_the_import_page_for_each_role(owner_client, family_client, stranger_client):
    # The owner in the test cast has no records yet; the page offers the upload.
    assert b"Bring my records" in owner_client.get(reverse("privacy:import")).content
    for client in (family_client, stranger_client):
        assert client.get(reverse("privacy:import")).status_code == 200


def test_the_page_after_asking_gives_the_day_on_the_persons_own_calendar(owner, time_machine):
    """Signed out, the page knows no zone: it says the day the email says, in the person's zone (UTC+14 here)."""
    owner.time_zone = "Pacific/Kiritimati"
    owner.save(update_fields=["time_zone"])
    time_machine.move_to(dt.datetime(2026, 12, 5, 16, 0, tzinfo=dt.UTC), tick=False)
    client = _reauthenticated(owner)
    response = client.post(reverse("privacy:erase"), {"understood": "on"}, follow=True)
    assert b'datetime="2026-12-13"' in response.content and b"Sunday 13 December 2026" in response.content


def test_a_file_past_its_day_is_deleted_by_the_next_sweep(owner, export, time_machine):
    time_machine.move_to(export.expires_at - dt.timedelta(seconds=1))
    tasks.sweep_exports()
    assert Export.objects.filter(pk=export.pk).exists()
    time_machine.move_to(export.expires_at + dt.timedelta(seconds=1))
    tasks.sweep_exports()
    assert not Export.objects.filter(pk=export.pk).exists()
