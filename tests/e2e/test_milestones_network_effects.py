"""Days with each person and group, on the trends page in Chromium: on a phone (390 px) and a desktop (1280 px) the
section shows, nothing is wider than the screen, and axe-core finds nothing serious."""

import datetime as dt
from pathlib import Path

import pytest

from milestones.models import CheckIn
from supports.models import Attendance, Contact, PeerGroup, Supporter
from tests.e2e.helpers import login

pytestmark = pytest.mark.django_db(transaction=True)

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
DEVICES = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
    "desktop": {"viewport": {"width": 1280, "height": 900}},
}
# The longest name the form allows, without a space to break at.
LONG_NAME = ("Bartholomew" * 11)[:120]


def seed(owner):
    """Ten check-in days in the owner's last fortnight: five with Jo, a long-named friend and the group each."""
    today = owner.local_today()
    days = [today - dt.timedelta(days=ago) for ago in range(10)]
    jo = Supporter.objects.create(owner=owner, name="Jo")
    long_named = Supporter.objects.create(owner=owner, name=LONG_NAME)
    Supporter.objects.create(owner=owner, name="Sam")  # no days yet: waits
    group = PeerGroup.objects.create(owner=owner, name="Tuesday Step Group", fellowship="aa")
    CheckIn.objects.bulk_create(
        CheckIn(owner=owner, local_date=local_day, sober="yes", craving=2 if n < 5 else 6, mood=4 if n < 5 else 2)
        for n, local_day in enumerate(days)
    )
    for supporter in (jo, long_named):
        for local_day in days[:5]:
            happened_at = dt.datetime.combine(local_day, dt.time(12, 0), tzinfo=owner.zone)
            Contact.objects.create(owner=owner, supporter=supporter, happened_at=happened_at)
    Attendance.objects.bulk_create(
        Attendance(owner=owner, group=group, attended_on=local_day) for local_day in days[5:]
    )


@pytest.mark.parametrize("device", DEVICES)
def test_owner_sees_days_with_each_person_and_group_on_any_screen(browser, live_server, owner, device):
    seed(owner)
    # CSP is bypassed only so the test can add axe's script.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, **DEVICES[device])
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        login(page, live_server, owner)
        page.goto("/progress/trends/")
        section = page.get_by_role("region", name="Days with each person and group")
        section.scroll_into_view_if_needed()
        assert section.get_by_text("These show what went together, not what caused what.").is_visible()
        people = page.get_by_role("table", name="People: average craving (0 to 10) and mood (1 to 5)")
        assert people.get_by_role("rowheader").all_text_contents() == [LONG_NAME, "Jo"]  # the same difference: by name
        assert people.get_by_role("row", name="Jo").get_by_role("cell").all_text_contents()[:2] == ["5", "5"]
        groups = page.get_by_role("table", name="Groups: average craving (0 to 10) and mood (1 to 5)")
        # Craving was higher on the group's days: shown all the same, as what went together.
        assert groups.get_by_role("rowheader").all_text_contents() == ["Tuesday Step Group"]
        assert section.get_by_text("1 more person will appear once there are at least 5 check-in days").is_visible()

        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"], f"{width} px wide on a {page.viewport_size['width']} px screen"
        page.add_script_tag(content=AXE)
        found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
        serious = [f"{v['id']}: {v['help']}" for v in found if v["impact"] in ("serious", "critical")]
        assert serious == []
    finally:
        context.close()
