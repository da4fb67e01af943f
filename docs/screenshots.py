"""The README's screenshots, made from the demo data at phone width.

    python3 dev.py run                      # in one terminal: the app with its demo data
    .venv/bin/python docs/screenshots.py    # in another: writes docs/screenshots/*.png

Drives Debian's Chromium (/usr/bin/chromium, or CHROMIUM_PATH) through Playwright, signed in as the demo
people (README, "Demo accounts"), at 390 × 844: the home, the check-in, the support map, a journey (its milestone
chips), the offline page and a family member's view of the person they support.
"""

import argparse
import os
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent / "screenshots"
PASSWORD = "recovery-demo-2026"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def sign_in(browser, base, email):
    context = browser.new_context(base_url=base, **PHONE)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    return page


def shoot(page, path, name):
    page.goto(path)
    page.screenshot(path=OUT / f"{name}.png")
    print(f"{OUT / name}.png  ({page.url})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
        page = sign_in(browser, args.base_url, "alex@example.com")
        shoot(page, "/", "home")
        shoot(page, "/progress/checkin/", "check-in")
        shoot(page, "/network/map/", "support-map")
        page.goto("/progress/")
        journey = page.locator("a[href^='/progress/journeys/']").first.get_attribute("href")
        shoot(page, journey, "journey")
        shoot(page, "/offline/", "offline")
        family = sign_in(browser, args.base_url, "sam@example.com")
        family.goto("/care/")
        person = family.locator("a[href^='/care/people/']").first.get_attribute("href")
        shoot(family, person, "family-view")
        browser.close()


if __name__ == "__main__":
    main()
