"""Installable and usable offline: a check-in made without a connection is kept on the phone and saved exactly
once when the connection returns; with no connection a page shows the crisis lines and the person's own crisis
supporters, which signing out forgets."""

import time

import pytest

from milestones.models import CheckIn, CheckInReceipt
from tests.e2e.helpers import login
from tests.factories import UserFactory
from tests.supports.factories import SupporterFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
# Listed by the cache as well as matched: a match can find a copy whose writing has not finished, which the
# service worker, reading a moment later on its own, does not see yet.
OWN_OFFLINE_PAGE_KEPT = """async () => {
  const cache = await caches.open("rn-private");
  const listed = (await cache.keys()).some((request) => new URL(request.url).pathname === "/offline/");
  const kept = await cache.match("/offline/", { ignoreVary: true });
  return listed && Boolean(kept) && (await kept.text()).includes("Your people for a bad night");
}"""


@pytest.fixture
def person():
    person = UserFactory(email="olive@example.org", display_name="Olive", time_zone="America/Chicago")
    SupporterFactory(owner=person, name="Maya", phone="555 0101", gives_crisis=True)
    return person


def _worker_in_control(page):
    """Wait until the service worker controls the page (it claims open pages when it activates)."""
    page.evaluate("() => navigator.serviceWorker.ready")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=30_000)


def test_a_check_in_made_offline_is_saved_once_when_the_connection_returns(new_page, live_server, person):
    page = login(new_page(**PHONE), live_server, person)
    page.goto("/progress/checkin/")
    _worker_in_control(page)

    page.context.set_offline(True)
    page.get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Save check-in").first.click()
    page.get_by_text("your check-in is kept on this phone").wait_for()
    assert not CheckIn.objects.exists()

    page.context.set_offline(False)
    page.get_by_text("Your check-in kept on this phone has been sent.").wait_for()
    assert CheckIn.objects.filter(owner=person, sober="yes").count() == 1
    # Back on line, nothing is waiting and nothing is sent again.
    page.reload()
    page.get_by_role("heading", name="Check in for").wait_for()
    assert page.evaluate("() => localStorage.getItem('rn-checkins-waiting')") is None
    assert CheckIn.objects.count() == 1 and CheckInReceipt.objects.count() == 1


def test_when_the_answer_is_lost_on_the_way_back_the_resend_saves_nothing_twice(new_page, live_server, person):
    page = login(new_page(**PHONE), live_server, person)
    page.goto("/progress/checkin/")
    lost = []

    def lose_the_first_answer(route):
        if route.request.method == "POST" and not lost:
            lost.append(route.fetch().status)  # the server saves it…
            route.abort()  # …and the phone never hears back
        else:
            route.continue_()

    page.route("**/progress/checkin/", lose_the_first_answer)
    page.get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Save check-in").first.click()
    page.get_by_text("your check-in is kept on this phone").wait_for()
    assert lost == [204] and CheckIn.objects.count() == 1

    page.reload()  # back on a page with a connection, the phone sends what it kept
    page.get_by_text("Your check-in kept on this phone has been sent.").wait_for()
    assert CheckIn.objects.count() == 1 and CheckInReceipt.objects.count() == 1
    assert page.evaluate("() => localStorage.getItem('rn-checkins-waiting')") is None


def test_a_check_in_made_online_goes_on_to_progress_with_the_usual_thanks(new_page, live_server, person):
    page = login(new_page(**PHONE), live_server, person)
    page.goto("/progress/checkin/")
    page.get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Save check-in").first.click()
    page.wait_for_url(f"{live_server.url}/progress/")
    assert page.get_by_text("Checked in for today. Well done for showing up.").is_visible()
    assert CheckIn.objects.count() == 1


def _kept_where_the_worker_reads(page):
    """Wait until the service worker itself finds the person's own offline page: the page's view of the cache
    can be ahead of the worker's for a moment after the copy is written."""
    page.wait_for_function(OWN_OFFLINE_PAGE_KEPT, timeout=30_000)
    worker = page.context.service_workers[0]
    deadline = time.monotonic() + 30
    while not worker.evaluate(OWN_OFFLINE_PAGE_KEPT):
        assert time.monotonic() < deadline, "the service worker never saw the person's own offline page"
        time.sleep(0.2)


def test_offline_a_page_shows_the_crisis_lines_and_my_people_and_takes_a_check_in(new_page, live_server, person):
    page = login(new_page(**PHONE), live_server, person)
    _worker_in_control(page)
    _kept_where_the_worker_reads(page)

    page.context.set_offline(True)
    page.goto("/progress/")
    page.get_by_role("heading", name="You're offline").wait_for()
    assert page.get_by_role("link", name="Call Maya").get_attribute("href") == "tel:5550101"
    assert page.get_by_role("link", name="Call 988").is_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390

    page.get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Save my check-in").click()
    page.get_by_text("1 check-in is kept on this phone").wait_for()
    page.context.set_offline(False)
    page.get_by_text("Your check-in kept on this phone has been sent.").wait_for()
    assert CheckIn.objects.filter(owner=person).count() == 1


def test_signing_out_forgets_my_people_and_anything_waiting(new_page, live_server, person):
    page = login(new_page(**PHONE), live_server, person)
    _worker_in_control(page)
    _kept_where_the_worker_reads(page)
    page.evaluate("() => localStorage.setItem('rn-checkins-waiting', '[{\"person\": \"x\"}]')")

    page.get_by_role("button", name="Menu").tap()
    page.get_by_role("button", name="Sign out").tap()
    page.get_by_role("link", name="Sign in").first.wait_for()
    page.wait_for_function(f"async () => !(await ({OWN_OFFLINE_PAGE_KEPT})())")
    assert page.evaluate("() => localStorage.getItem('rn-checkins-waiting')") is None

    page.context.set_offline(True)
    page.goto("/progress/")
    page.get_by_role("heading", name="You're offline").wait_for()
    assert page.get_by_role("link", name="Call 988").is_visible()
    assert "Maya" not in page.content()
    assert not page.get_by_role("button", name="Save my check-in").count()
