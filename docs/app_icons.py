"""The installed app's PNG icons (the web manifest's and the home screen's), drawn from static/img/icon.svg.

    .venv/bin/python docs/app_icons.py    # writes static/img/icon-192.png, icon-512.png, icon-maskable-512.png

Phones want PNGs for the home screen; the SVG stays the source. The maskable icon fills its square with the
icon's blue and keeps the drawing inside the middle 80 %, the safe zone a phone's mask never cuts. Drives
Debian's Chromium (/usr/bin/chromium, or CHROMIUM_PATH) through Playwright; no image library needed.
"""

import base64
import os
from pathlib import Path

from playwright.sync_api import sync_playwright

IMG = Path(__file__).resolve().parents[1] / "static" / "img"
BLUE = "#1d5fa8"


def page_for(svg, size, maskable):
    source = "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
    inner = int(size * 0.8) if maskable else size
    background = BLUE if maskable else "transparent"
    return (
        f"<html><body style='margin:0;width:{size}px;height:{size}px;background:{background};"
        f"display:flex;align-items:center;justify-content:center'>"
        f"<img src='{source}' width='{inner}' height='{inner}'></body></html>"
    )


def main():
    svg = (IMG / "icon.svg").read_bytes()
    wanted = [("icon-192.png", 192, False), ("icon-512.png", 512, False), ("icon-maskable-512.png", 512, True)]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
        for name, size, maskable in wanted:
            page = browser.new_page(viewport={"width": size, "height": size})
            page.set_content(page_for(svg, size, maskable))
            page.screenshot(path=IMG / name, omit_background=not maskable)
            page.close()
            print(IMG / name)
        browser.close()


if __name__ == "__main__":
    main()
