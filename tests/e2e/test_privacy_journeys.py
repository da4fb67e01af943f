"""Your data, in a real browser (issue 21): a person downloads everything, and a person asks to be erased and
keeps their account by signing in again within the grace period, or does not and is erased.

Tasks are not run eagerly in tests: where a worker would build the export or erase the due accounts, the test body
runs the task's function while the page is open. The pages are checked with axe-core at phone width, light and dark.
"""

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from milestones.models import CheckIn, Journey
from recovery_network.care.models import Grant
from recovery_network.models import User
from recovery_network.privacy import erasure, tasks
from recovery_network.privacy.models import Erasure, Export
from recovery_network.privacy.views import what_others_keep
from supports.models import Supporter
from tests.e2e.helpers import login
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
NOTE = "Called Sam before the party instead of after. It helped."
UNTICKED = "Tick the box to say you understand, or go back to keep your account."
WELCOME_BACK = "Welcome back. Your account will not be erased."


@pytest.fixture
def records(owner):
    """Some of the owner's own records: a journey, two check-ins with notes, a supporter."""
    today = owner.local_today()
    Journey.objects.create(owner=owner, kind="alcohol", first_started_on=today - dt.timedelta(days=90),
                           started_on=today - dt.timedelta(days=90))  # fmt: skip
    CheckIn.objects.create(owner=owner, local_date=today - dt.timedelta(days=1), sober="yes", mood=3, craving=4,
                           notes="A long day at work.")  # fmt: skip
    CheckIn.objects.create(owner=owner, local_date=today, sober="yes", mood=4, craving=2, notes=NOTE)
    Supporter.objects.create(owner=owner, name="Sam", phone="+1 555 0100")
    return owner


def open_your_data(page):
    """Settings → "Download or erase your data", through the main menu (folded behind "Menu" on a phone)."""
    menu = page.get_by_role("button", name="Menu")
    if menu.is_visible():
        menu.click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.get_by_role("heading", name="Settings", exact=True).wait_for()
    page.get_by_role("link", name="Download or erase your data").click()
    page.get_by_role("heading", name="Your data", exact=True).wait_for()


def reauthenticate(page):
    """allauth asks for the password again before a page that gives away or ends everything."""
    page.get_by_role("heading", name="Confirm it's you").wait_for()
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Confirm").click()


def open_erase_page(page):
    open_your_data(page)
    page.get_by_role("link", name="Erase my account…").click()
    reauthenticate(page)
    page.get_by_role("heading", name="Erase my account").wait_for()


def confirm_erasure(page):
    page.get_by_label("I understand that after seven days").check()
    page.get_by_role("button", name="Erase my account in 7 days").click()
    page.get_by_role("heading", name="Your account will be erased").wait_for()


@pytest.mark.parametrize("device", ["phone_page", "page"])
def test_a_person_downloads_everything_and_only_they_can_fetch_it_for_a_day(
    request, device, live_server, new_page, records, stranger
):
    page = login(request.getfixturevalue(device), live_server, records)
    open_your_data(page)
    page.get_by_role("link", name="Prepare my download").click()
    reauthenticate(page)
    page.get_by_role("heading", name="Download everything").wait_for()
    page.get_by_role("button", name="Prepare my download").click()

    # The status page: waiting for a worker, with a progress bar.
    page.get_by_role("heading", name="Your download").wait_for()
    export = Export.objects.get(owner=records)
    assert page.url == f"{live_server.url}/privacy/export/{export.pk}/"
    assert export.status == Export.Status.QUEUED
    live = page.locator("#export-live")
    assert live.get_attribute("aria-live") == "polite"
    expect(live.get_by_role("progressbar", name="Waiting to start…")).to_be_visible()
    expect(live.get_by_role("link", name="Refresh now")).to_be_hidden()  # privacy.js polls instead

    # A worker builds it while the page is open; the page shows the link without being reloaded.
    page.evaluate("window.stillTheSamePage = true")
    assert tasks.build_export.apply(args=[export.pk]).get() == "ready"
    download_link = live.get_by_role("link", name="Download my data")
    download_link.wait_for()
    assert page.evaluate("window.stillTheSamePage === true")
    assert not live.get_by_role("progressbar").count()

    with page.expect_download() as downloading:
        download_link.click()
    download = downloading.value
    assert download.suggested_filename == f"recovery-network-{export.created_at:%Y-%m-%d}.zip"
    with zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes())) as archive:
        names = set(archive.namelist())
        assert {"recovery-network.json", "csv/checkins.csv", "calendar.ics", "summary.html"} <= names
        document = json.loads(archive.read("recovery-network.json"))
        assert NOTE in [checkin["notes"] for checkin in document["data"]["checkins"]]
        assert [supporter["name"] for supporter in document["data"]["supporters"]] == ["Sam"]
        assert NOTE in archive.read("csv/checkins.csv").decode()
        assert archive.read("calendar.ics").startswith(b"BEGIN:VCALENDAR")
        assert NOTE in archive.read("summary.html").decode()
    export.refresh_from_db()
    assert export.downloaded_at is not None

    # Someone else, signed in, finds nothing at its addresses.
    download_path = f"/privacy/export/{export.pk}/download/"
    other = login(new_page(), live_server, stranger)
    for path in (download_path, f"/privacy/export/{export.pk}/"):
        assert other.goto(path).status == 404, path

    # A day on, the file is gone: the link says so and offers a new one.
    Export.objects.filter(pk=export.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    page.goto(download_path)
    page.get_by_role("heading", name="Your data", exact=True).wait_for()
    assert page.url == f"{live_server.url}/privacy/"
    assert page.get_by_role("status").get_by_text("That download is no longer offered").is_visible()
    assert not page.get_by_role("link", name="Download (").count()


def test_asking_to_be_erased_ends_sharing_and_signing_in_within_the_grace_period_keeps_the_account(
    live_server, new_page, records, family
):
    family_page = login(new_page(), live_server, family)
    assert family_page.goto(f"/care/people/{records.pk}/").status == 200

    laptop = login(new_page(), live_server, records)
    page = login(new_page(**PHONE), live_server, records)
    open_erase_page(page)
    main = page.get_by_role("main")
    page.get_by_role("heading", name="What others keep").wait_for()
    for reason in what_others_keep():
        assert main.get_by_text(str(reason)).is_visible(), reason
    assert main.get_by_role("link", name="Download everything").is_visible()

    # Without the box ticked: a clear error, in sight at the foot of the long page, and nothing happens.
    page.get_by_role("button", name="Erase my account in 7 days").click()
    expect(page.get_by_text(UNTICKED)).to_be_in_viewport()
    understood = page.get_by_label("I understand that after seven days")
    assert not understood.is_checked() and understood.get_attribute("aria-invalid") == "true"
    assert not Erasure.objects.exists()
    assert Grant.objects.active().filter(owner=records).exists()

    confirm_erasure(page)
    requested = Erasure.objects.get(owner=records)
    assert dt.timedelta(days=6, hours=23) < requested.erase_after - timezone.now() <= Erasure.GRACE
    assert page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").count()
    # The day on the person's own calendar, as the email gives it.
    local_day = requested.erase_after.astimezone(records.zone).date()
    assert page.locator("main time").get_attribute("datetime") == local_day.isoformat()
    assert [message.subject for message in mail.outbox if records.email in message.to] == [
        erasure.ERASURE_SUBJECT.format(site=settings.SITE_NAME)
    ]
    for device in (page, laptop):  # signed out everywhere
        device.goto("/privacy/")
        assert "/accounts/login/" in device.url

    # Their family member no longer sees them.
    assert family_page.goto(f"/care/people/{records.pk}/").status == 404
    assert not Grant.objects.active().filter(owner=records).exists()

    # They sign in again within the grace period: the account stays; the sharing that ended stays ended.
    login(page, live_server, records)
    assert page.get_by_role("status").get_by_text(WELCOME_BACK).is_visible()
    assert not Erasure.objects.filter(owner=records).exists()
    records.refresh_from_db()
    assert records.reminders_paused_until is None  # reminders resume
    assert not Grant.objects.active().filter(owner=records).exists()
    assert family_page.goto(f"/care/people/{records.pk}/").status == 404


def test_an_account_not_signed_into_within_the_grace_period_is_erased(live_server, new_page, records, family):
    page = login(new_page(**PHONE), live_server, records)
    open_erase_page(page)
    confirm_erasure(page)

    # Seven days pass without a sign-in; the hourly task erases them.
    Erasure.objects.filter(owner=records).update(erase_after=timezone.now() - dt.timedelta(minutes=1))
    assert erasure.erase_due() == 1
    assert not User.objects.filter(pk=records.pk).exists()
    assert not CheckIn.objects.filter(notes=NOTE).exists()

    # Their old password opens nothing.
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(records.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("The email address and/or password you specified are not correct.").wait_for()
    assert page.url == f"{live_server.url}/accounts/login/"
    family_page = login(new_page(), live_server, family)
    assert family_page.goto(f"/care/people/{records.pk}/").status == 404


def problems(page):
    """What is wrong with the open page: a horizontal scroll, and any axe-core violation, whatever its impact."""
    found = []
    wide, screen = page.evaluate("document.documentElement.scrollWidth"), page.viewport_size["width"]
    if wide > screen:
        found.append(f"{wide} px wide on a {screen} px screen")
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(content=AXE)
    violations = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    for violation in violations:
        targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
        found.append(f"axe {violation['impact']} {violation['id']}: {violation['help']} ({targets})")
    return found


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_your_data_pages_fit_a_phone_and_pass_axe(browser, live_server, records, scheme):
    """The pages of both journeys, in the order a person meets them; a screenshot of each in /tmp/privacy-*.png."""
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, color_scheme=scheme, **PHONE)
    context.set_default_timeout(10_000)
    page = login(context.new_page(), live_server, records)
    report = []

    def check(name):
        page.screenshot(path=f"/tmp/privacy-{name}{'-dark' if scheme == 'dark' else ''}.png", full_page=True)
        report.extend(f"{name} ({page.url}): {problem}" for problem in problems(page))

    page.goto("/privacy/export/")
    reauthenticate(page)
    page.get_by_role("button", name="Prepare my download").click()
    page.get_by_role("progressbar", name="Waiting to start…").wait_for()
    check("export-waiting")
    tasks.build_export.apply(args=[Export.objects.get(owner=records).pk])
    page.get_by_role("link", name="Download my data").wait_for()
    check("export-ready")
    page.goto("/privacy/")
    check("index")
    page.goto("/privacy/erase/")
    page.get_by_role("heading", name="What others keep").wait_for()
    check("erase")
    page.get_by_role("button", name="Erase my account in 7 days").click()
    page.get_by_text(UNTICKED).wait_for()
    check("erase-unticked")
    confirm_erasure(page)
    check("erase-requested")
    context.close()
    assert report == [], "\n".join(report)
