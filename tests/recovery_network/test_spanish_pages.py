"""Every signed-in page of every role (bench/common.py's list, the one the axe and query tests walk) rendered in
Spanish holds no English left untranslated: no text a person reads — text, aria-label, placeholder, title, alt —
is one of the catalogue's English sentences, and none reads the same as in the English rendering while being
English words (people's names, numbers, data the people wrote are the same in both, and are no fault)."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

from bench.common import SIGNED_IN_PAGES, build_world, clients_for
from recovery_network import catalogues
from recovery_network.models import User

pytestmark = pytest.mark.django_db

PO = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"
SHOWN_ATTRIBUTES = ("aria-label", "placeholder", "title", "alt")
# Words that mark a text as English prose (a name, a number or a date has none of them).
ENGLISH = re.compile(
    r"\b(the|you|your|and|to|of|is|are|for|with|this|what|how|not|yet|who|when|here|has|have|was|were|will|"
    r"can|from|about|any|all|more|less|today|days?|people|group|meetings?|check-in|sign|share|shared)\b",
    re.IGNORECASE,
)
# What the bench world's people wrote or are called (bench/common.py: "Owner", "Family", "Counselor", "Group 1"),
# proper names (time zones, fellowships) and the cited research, all the same in any language.
WRITTEN_BY_PEOPLE = re.compile(
    r"bench|Serenity|Library|Food bank|walk|SMART|Try |Reconnect|Proud of you|^(Owner|Family|Counselor)$|Group \d|"
    r"^(America|Europe|Africa|Asia|Pacific|Atlantic|Australia|Indian)/|Women for Sobriety|\(\d{4}\)\.",
    re.IGNORECASE,
)


class _Texts(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "svg", "template"):
            self._skip += 1
        for name, value in attrs:
            if name in SHOWN_ATTRIBUTES and value:
                self.texts.append(value.strip())

    def handle_endtag(self, tag):
        if tag in ("script", "style", "svg", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


def texts(html):
    parser = _Texts()
    parser.feed(html)
    return parser.texts


def _main(html):
    return html[html.find("<body") :]


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from django.db import transaction

        catalogues.compile_all()
        with transaction.atomic():
            world = build_world(1)
            clients = clients_for(world)
            people = [world.owner.pk, world.family.pk, world.counselor.pk]
            pages = {}
            for language in ("en", "es"):
                User.objects.filter(pk__in=people).update(language=language)
                for page in SIGNED_IN_PAGES:
                    response = clients[page.role].get(page.url(world))
                    assert response.status_code == 200, (page.label, language, response.status_code)
                    pages[(page.label, language)] = response.content.decode()
            transaction.set_rollback(True)
    return pages


@pytest.fixture(scope="module")
def english_sentences():
    """The catalogue's English sentences without placeholders whose Spanish differs."""
    found = set()
    for message in read_po(PO.open("rb"), locale="es"):
        # Without a context: "English" the meeting type is "Inglés", "English" the language stays its own name.
        plain = isinstance(message.id, str) and not message.context and "%(" not in message.id and "<" not in message.id
        if plain and len(message.id) > 3 and message.string and message.string != message.id:
            found.add(" ".join(message.id.split()))
    return found


@pytest.mark.parametrize("page", SIGNED_IN_PAGES, ids=[page.label for page in SIGNED_IN_PAGES])
def test_a_page_in_spanish_has_no_english_left(rendered, english_sentences, page):
    spanish_html = rendered[(page.label, "es")]
    assert re.search(r'<html lang="es"', spanish_html)
    spanish = texts(_main(spanish_html))
    english = set(texts(_main(rendered[(page.label, "en")])))
    from_catalogue = sorted(
        {text for text in spanish if text in english_sentences and not WRITTEN_BY_PEOPLE.search(text)}
    )
    assert from_catalogue == [], f"{page.label}: shown in English though the catalogue translates it"
    same = sorted(
        {text for text in spanish if text in english and ENGLISH.search(text) and not WRITTEN_BY_PEOPLE.search(text)}
    )
    assert same == [], f"{page.label}: the same English in both renderings"


# Attributes a browser reads as numbers (coordinates, sizes, a bar's width): never written with a decimal comma.
NUMERIC_ATTRIBUTE = re.compile(
    r'\s(x|y|x1|x2|y1|y2|cx|cy|r|rx|ry|points|d|viewBox|width|height|transform|min|max|step|value|offset)="([^"]*)"'
)
STYLE_NUMBER = re.compile(r'style="[^"]*\d,\d[^"]*"')


def _decimal_comma(name, value):
    """Whether an attribute holds a number written with a comma (a list of coordinates may separate x and y with
    one, "4.5,2": there a decimal comma shows as a third number, "4,5,2")."""
    return bool(re.search(r"\d,\d+,\d" if name in ("points", "d", "transform") else r"\d,\d", value))


@pytest.mark.parametrize("page", SIGNED_IN_PAGES, ids=[page.label for page in SIGNED_IN_PAGES])
def test_a_page_in_spanish_draws_with_machine_numbers(rendered, page):
    """Spanish writes 4,2 where English writes 4.2: that is for people to read. An SVG's coordinates, a bar's width
    and a number field's value are for the browser, which reads only 4.2 (a chart drawn with commas collapses)."""
    html = rendered[(page.label, "es")]
    numeric = [match.group(0).strip() for match in NUMERIC_ATTRIBUTE.finditer(html) if _decimal_comma(*match.groups())]
    assert numeric == [] and STYLE_NUMBER.findall(html) == [], page.label
