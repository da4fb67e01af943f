"""Every signed-in page of every role, in Chromium at phone and desktop width (and on a phone in the dark scheme):
nothing is wider than the screen, even with 120-character unbroken names in the data, and axe-core finds no
serious or critical violation (colour contrast included, in both schemes).

The pages are bench/common.py's SIGNED_IN_PAGES (the list the query and load benches use), opened by the person
each is for, in a world with a few of everything (bench/common.py's build_world). axe-core is the npm package,
vendored in tests/e2e/vendor/ (package.json's `npm run vendor` refreshes it).
"""

from pathlib import Path

import pytest
from django.conf import settings

from bench.common import SIGNED_IN_PAGES, build_world, signed_in_client
from milestones.models import Journey
from recovery_network.models import User
from recovery_network.reach import links
from recovery_network.reach.models import Alert, AlertContact
from supports.models import PeerGroup, Supporter

pytestmark = pytest.mark.django_db(transaction=True)

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
# The longest names the forms allow, without a space to break at: what a paste or a long word does.
LONG_NAME = "Bartholomew" * 10 + "Alexandrina"[:10]
VIEWPORTS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    # At night, with the system's dark scheme: axe checks the dark palette's contrast too.
    "phone, dark": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "color_scheme": "dark"},
}
SERIOUS = {"serious", "critical"}


@pytest.fixture
def world():
    world = build_world(2, tag="every-page")
    for model, pk, field in (
        (Supporter, world.supporter_id, "name"),
        (PeerGroup, world.group_id, "name"),
        (Journey, world.journey_id, "own_words"),
        (User, world.owner.pk, "display_name"),
    ):
        model.objects.filter(pk=pk).update(**{field: LONG_NAME[: model._meta.get_field(field).max_length]})
    world.owner.refresh_from_db()
    return world


def _signed_in(browser, live_server, user, device):
    """A browser context whose session is the one a sign-in (with the second factor, where the account has one)
    gives; CSP is bypassed only so the test can add axe's script."""
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, **VIEWPORTS[device])
    context.set_default_timeout(15_000)
    cookie = signed_in_client(user).cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    return context


def _problems(page):
    """What is wrong with the open page: a horizontal scroll, and axe-core's serious and critical violations."""
    problems = []
    # Against the screen, not window.innerWidth: a phone browser widens its layout to fit what overflows.
    wide, screen = page.evaluate("document.documentElement.scrollWidth"), page.viewport_size["width"]
    if wide > screen:
        problems.append(f"{wide} px wide on a {screen} px screen")
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(content=AXE)
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    for violation in found:
        if violation["impact"] in SERIOUS:
            targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
            problems.append(f"axe {violation['impact']} {violation['id']}: {violation['help']} ({targets})")
    return problems


@pytest.mark.parametrize("device", VIEWPORTS)
@pytest.mark.parametrize("role", ["owner", "family", "counselor"])
def test_every_page_fits_the_screen_and_passes_axe(browser, live_server, world, role, device):
    user = getattr(world, role)
    context = _signed_in(browser, live_server, user, device)
    page = context.new_page()
    pages = [signed_in for signed_in in SIGNED_IN_PAGES if signed_in.role == role]
    assert pages
    scheme = VIEWPORTS[device].get("color_scheme", "light")
    page.goto("/help/")
    assert page.evaluate(f"matchMedia('(prefers-color-scheme: {scheme})').matches")
    report = []
    for signed_in in pages:
        url = signed_in.url(world)
        response = page.goto(url)
        if response.status != 200:
            report.append(f"{signed_in.label} ({url}): answered {response.status}")
            continue
        report += [f"{signed_in.label} ({url}): {problem}" for problem in _problems(page)]
    context.close()
    assert report == [], "\n".join(report)


@pytest.mark.parametrize("device", VIEWPORTS)
def test_a_supporters_pages_from_links_fit_the_screen_and_pass_axe(browser, live_server, world, device):
    """The pages someone with no account opens from a link in an email or a text: a request to be there (and the
    same link once answered), an alert before and after "I'm reaching out now", stopping alerts, and a link
    that no longer works. The person's and the supporter's names are the long ones, and so is an address."""
    owner = world.owner
    answered = AlertContact.objects.get(supporter_id=world.supporter_id)  # who answered the world's newest call
    told = AlertContact.objects.for_owner(owner).accepted().exclude(pk=answered.pk).in_order().first()
    answered.email = f"{LONG_NAME.lower()}@example.net"
    answered.phone = "+1 555 010 0199"
    answered.save()
    newcomer = Supporter.objects.create(owner=owner, name=LONG_NAME, email="newcomer@example.net")
    asked = AlertContact.objects.create(owner=owner, supporter=newcomer, status="asked", email=newcomer.email)
    alert = Alert.objects.get(pk=world.alert_id)
    pages = [
        ("a request to be there", links.request_path(asked), 200),
        ("a request answered", links.request_path(answered), 200),
        ("an alert", links.answer_path(alert, told), 200),
        ("an alert answered", links.answer_path(alert, answered), 200),
        ("stop alerts", links.stop_path(answered), 200),
        ("a link replaced by a newer one", links.request_path(AlertContact(pk=asked.pk, nonce="old")), 404),
    ]
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, **VIEWPORTS[device])
    context.set_default_timeout(15_000)
    page = context.new_page()
    report = []
    for label, url, status in pages:
        response = page.goto(url)
        if response.status != status:
            report.append(f"{label} ({url}): answered {response.status}")
            continue
        report += [f"{label}: {problem}" for problem in _problems(page)]
    context.close()
    assert report == [], "\n".join(report)
