"""Our own 404 page on a phone: the site's layout, the crisis link in reach, nothing wider than the screen, and
axe-core finding nothing serious."""

import pytest

from tests.e2e.test_every_page import _problems

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "bypass_csp": True}


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_a_missing_page_on_a_phone_offers_help_fits_and_passes_axe(new_page, color_scheme):
    page = new_page(color_scheme=color_scheme, **PHONE)  # CSP bypassed only so the test can add axe's script
    response = page.goto("/no-such-page/")
    assert response.status == 404
    page.get_by_role("heading", name="We can't find that page").wait_for()
    main = page.get_by_role("main")
    help_now = main.get_by_role("link", name="Get help now")
    assert help_now.get_attribute("href") == "/help/" and help_now.is_visible()
    assert page.get_by_role("banner").get_by_role("link", name="Get help now").is_visible()
    assert _problems(page) == []
    help_now.click()
    page.get_by_role("heading", name="Get help now").wait_for()
