"""Our icons: lucide's, installed from npm (package.json) and vendored as one sprite by `python3 dev.py sprite`, drawn
by {% icon "name" %}. The sprite holds exactly the icons dev.py lists, and every name a template uses is in it."""

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.templatetags.static import static

import dev

ROOT = Path(__file__).resolve().parents[2]
SPRITE = ROOT / "static" / "icons" / "sprite.svg"
SVG = "{http://www.w3.org/2000/svg}"
# {% icon "name" %} with the name written out; a name held in a variable is the style guide's loop over the sprite.
ICON_TAG = re.compile(r"""{%\s*icon\s+["']([^"']+)["']\s*%}""")


def symbols(path=SPRITE):
    return ET.parse(path).getroot().findall(f"{SVG}symbol")


def render(source):
    return Template("{% load icons %}" + source).render(Context())


def test_the_sprite_holds_exactly_the_icons_dev_py_lists_each_with_lucides_view_box_and_strokes():
    found = symbols()
    assert [symbol.get("id") for symbol in found] == dev.ICONS
    for symbol in found:
        assert symbol.get("viewBox") == "0 0 24 24", symbol.get("id")
        assert (symbol.get("fill"), symbol.get("stroke"), symbol.get("stroke-width")) == ("none", "currentColor", "2")
        assert len(symbol), f"{symbol.get('id')} draws nothing"


def test_the_sprite_names_the_pinned_lucide_release_and_its_license_is_beside_it():
    package = json.loads((ROOT / "package.json").read_text())
    version = package["devDependencies"]["lucide-static"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), "pin an exact version"
    assert f"lucide-static {version}," in SPRITE.read_text()
    assert "ISC License" in (SPRITE.parent / "LICENSE").read_text()
    vendor = package["scripts"]["vendor"]
    assert "node_modules/axe-core/axe.min.js" in vendor and "python3 dev.py sprite" in vendor


def test_the_sprite_build_keeps_each_icons_shapes_and_strokes(tmp_path, monkeypatch):
    lucide = tmp_path / "lucide-static"
    (lucide / "icons").mkdir(parents=True)
    (lucide / "package.json").write_text('{"version": "9.9.9"}')
    (lucide / "LICENSE").write_text("ISC License\n")
    (lucide / "icons" / "dot.svg").write_text(
        '<!-- @license -->\n<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24"\n'
        '  fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">\n'
        '  <circle cx="12" cy="12" r="1" />\n  <path d="M3 3h18" />\n</svg>\n'
    )
    monkeypatch.setattr(dev, "LUCIDE", lucide)
    monkeypatch.setattr(dev, "SPRITE_DIR", tmp_path / "icons")
    monkeypatch.setattr(dev, "ICONS", ["dot"])

    assert dev.sprite() == 0

    sprite = (tmp_path / "icons" / "sprite.svg").read_text()
    assert "lucide-static 9.9.9" in sprite
    assert (
        '<symbol id="dot" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" '
        'stroke-linecap="round" stroke-linejoin="round"><circle cx="12" cy="12" r="1" /><path d="M3 3h18" /></symbol>'
    ) in sprite
    assert (tmp_path / "icons" / "LICENSE").read_text() == "ISC License\n"


@pytest.mark.skipif(not dev.LUCIDE.is_dir(), reason="node_modules/lucide-static is not installed (npm install)")
def test_the_committed_sprite_is_what_the_installed_package_makes(tmp_path, monkeypatch):
    monkeypatch.setattr(dev, "SPRITE_DIR", tmp_path)
    assert dev.sprite() == 0
    assert (tmp_path / "sprite.svg").read_text() == SPRITE.read_text()


def test_every_icon_the_templates_use_is_in_the_sprite():
    in_sprite = {symbol.get("id") for symbol in symbols()}
    used = {
        (path.relative_to(ROOT).as_posix(), name)
        for path in (ROOT / "templates").rglob("*.html")
        for name in ICON_TAG.findall(path.read_text())
    }
    assert ("templates/includes/nav.html", "house") in used  # the reader finds the tags it checks
    assert sorted(f"{path}: {name}" for path, name in used if name not in in_sprite) == []


def test_the_icon_tag_draws_the_sprites_symbol_hidden_from_screen_readers():
    sprite = static("icons/sprite.svg")  # what {% static %} gives, worked out once per process by the tag
    assert render('{% icon "bell" %}') == (
        f'<svg class="icon" aria-hidden="true" focusable="false"><use href="{sprite}#bell"></use></svg>'
    )


def test_an_icon_the_sprite_lacks_raises_while_debug_is_on(settings):
    settings.DEBUG = True
    with pytest.raises(TemplateSyntaxError, match='No icon "bel" in icons/sprite.svg'):
        render('{% icon "bel" %}')


def test_an_icon_the_sprite_lacks_draws_nothing_in_production(settings):
    settings.DEBUG = False
    assert render('Before{% icon "bel" %}after') == "Beforeafter"


@pytest.mark.django_db
def test_the_nav_and_the_crisis_button_carry_their_icons_beside_their_words(owner_client):
    body = owner_client.get("/").content.decode()
    svg = '<svg class="icon" aria-hidden="true" focusable="false"><use href="{}#{}"></use></svg>'.format
    sprite = static("icons/sprite.svg")
    assert f'<a class="help-now" href="/help/">{svg(sprite, "life-buoy")}Get help now</a>' in body
    # In the nav each icon follows its words (app.css draws it first).
    for name, words in [
        ("house", "Home"),
        ("users", "Network"),
        ("calendar-check", "Check in"),
        ("trending-up", "Progress"),
        ("heart-handshake", "Circle"),
        ("bell", "Notifications"),
        ("settings", "Settings"),
        ("log-out", "Sign out"),
    ]:
        assert words + svg(sprite, name) in body, name
