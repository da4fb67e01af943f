"""Forms render through Django's Jinja2 form templates (settings.FORM_RENDERER) for speed: the markup must be
what Django's own template renderer gives, on every signed-in page, unbound and after a failed submit."""

import re

import pytest
from django.db import transaction
from django.forms import renderers
from django.test import Client
from django.test.utils import override_settings

from bench.common import SIGNED_IN_PAGES, build_world, clients_for

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
SPACE = re.compile(r">\s+<|\s+")


def rendered(client, url, renderer, method="get"):
    renderers.get_default_renderer.cache_clear()
    with override_settings(FORM_RENDERER=renderer, PAGE_CACHE=False):
        response = getattr(client, method)(url, {} if method == "post" else None)
    renderers.get_default_renderer.cache_clear()
    # Django's templates escape an apostrophe as &#x27;, Jinja2's as &#39;: the same character.
    body = TOKEN.sub("", response.content.decode()).replace("&#x27;", "&#39;")
    return response.status_code, SPACE.sub(lambda match: "><" if match.group().startswith(">") else " ", body)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world(1, tag="renderer")
        yield world, clients_for(world)
        transaction.set_rollback(True)  # nothing of this world outlives the module


@pytest.mark.parametrize("page", SIGNED_IN_PAGES, ids=lambda page: page.label)
def test_jinja2_form_templates_give_djangos_markup(world, page):
    world, clients = world
    url = page.url(world)
    django_page = rendered(clients[page.role], url, "django.forms.renderers.DjangoTemplates")
    assert rendered(clients[page.role], url, "recovery_network.forms.FormRenderer") == django_page


@pytest.mark.parametrize(
    "label", ["new supporter", "log a contact", "new group", "setback form", "invite", "profile", "new goal"]
)
def test_a_failed_submit_shows_the_same_errors_either_way(world, label):
    world, clients = world
    page = next(page for page in SIGNED_IN_PAGES if page.label == label)
    url = page.url(world)
    django_page = rendered(clients[page.role], url, "django.forms.renderers.DjangoTemplates", "post")
    assert django_page[0] in (200, 400)
    assert rendered(clients[page.role], url, "recovery_network.forms.FormRenderer", "post") == django_page


def test_the_admins_forms_are_the_same_either_way(world, django_user_model):
    from tests.factories import UserFactory, sign_in

    world, _ = world
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = sign_in(Client(), staff, two_factor=True)
    for url in (f"/admin/recovery_network/user/{world.owner.pk}/change/", "/admin/recovery_network/user/add/"):
        django_page = rendered(client, url, "django.forms.renderers.DjangoTemplates")
        assert django_page[0] == 200
        assert rendered(client, url, "recovery_network.forms.FormRenderer") == django_page
