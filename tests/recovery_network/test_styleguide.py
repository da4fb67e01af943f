"""The style guide (/styleguide/) shows every component of app.css and every icon, and only in development."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from recovery_network.templatetags.icons import sprite_names

pytestmark = pytest.mark.django_db

APP_CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "app.css"
COMPONENTS = [
    "button",
    "button--primary",
    "button--danger",
    "button--sm",
    "button--lg",
    "button--block",
    "link-button",
    "pill",
    "pill--success",
    "pill--warn",
    "pill--danger",
    "tag",
    "badge",
    "card",
    "card-grid",
    "callout",
    "list",
    "list__body",
    "list__meta",
    "list__action",
    "stat-grid",
    "stat",
    "stat__value",
    "stat__label",
    "table--stack",
    "form",
    "form-errors",
    "errorlist",
    "message",
    "message--success",
    "message--warning",
    "message--error",
    "icon",
    "lead",
]


def classes_in(body):
    return {name for attribute in re.findall(r'class="([^"]*)"', body) for name in attribute.split()}


@pytest.mark.parametrize("client_name", ["anon_client", "owner_client"])
def test_the_style_guide_is_a_404_unless_debug(request, client_name, settings):
    settings.DEBUG = False
    assert request.getfixturevalue(client_name).get(reverse("styleguide")).status_code == 404


def test_the_style_guide_shows_every_component_every_icon_and_every_colour(anon_client, settings):
    settings.DEBUG = True
    response = anon_client.get("/styleguide/")
    assert response.status_code == 200
    body = response.content.decode()

    assert set(COMPONENTS) - classes_in(body) == set()
    for component in COMPONENTS:
        assert re.search(rf"\.{re.escape(component)}\b", APP_CSS.read_text()), f"{component} is not in app.css"
    icons = sprite_names()
    assert len(icons) > 10
    for name in icons:
        assert f'#{name}"></use></svg><code>{name}</code>' in body, name
    light_scheme = APP_CSS.read_text().split("@media", 1)[0]
    colours = re.findall(r"(--[a-z-]+): #", light_scheme)
    assert "--accent" in colours
    for token in colours:
        assert f"<code>{token}</code>" in body and f"swatch{token}" in body, token


def test_the_style_guide_shows_a_form_field_with_its_error(anon_client, settings):
    settings.DEBUG = True
    body = anon_client.get("/styleguide/").content.decode()
    assert 'aria-invalid="true"' in body
    assert "Enter a valid email address." in body
