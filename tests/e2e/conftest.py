"""Browser journeys: Playwright for Python driving Debian's Chromium.

Never `playwright install`: we launch the system browser at CHROMIUM_PATH.
Each test gets a fresh browser context (cookies, storage) on a live server.
"""

import os

import pytest

from tests.conftest import CHROMIUM

# Playwright's sync API runs an event loop in this thread; Django's ORM calls
# made by the test body (fixtures, assertions) are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.parent.name == "e2e":
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


def _page(browser, **context_options):
    context = browser.new_context(**context_options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    return context, page


@pytest.fixture
def page(browser, live_server):
    context, page = _page(browser, viewport={"width": 1280, "height": 800}, base_url=live_server.url)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A phone-sized viewport with touch, for mobile-first journeys."""
    context, page = _page(
        browser,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        base_url=live_server.url,
    )
    yield page
    context.close()


@pytest.fixture
def new_page(browser, live_server):
    """Factory for extra independent browsers (a second person in the same test)."""
    contexts = []

    def make(**options):
        options.setdefault("viewport", {"width": 1280, "height": 800})
        context, page = _page(browser, base_url=live_server.url, **options)
        contexts.append(context)
        return page

    yield make
    for context in contexts:
        context.close()
