"""Every word a template shows is marked for translation: outside {% translate %} and {% blocktranslate %}, a
template's text (and the aria-label, title, alt and placeholder a screen reader or a pointer shows) holds no
words. The Spanish pages test reads the pages a world of data renders; this reads every template, the ones only a
rare moment shows (a link gone stale, an alert's answer, an email) included."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# The style guide is for developers, in development only (DEBUG), and in English.
NOT_SHOWN_TO_PEOPLE = {"recovery_network/styleguide.html"}
HOLE = "\x00"
# Blocks whose text is translated (or never shown): depth in, depth out.
BLOCKS = {
    "blocktranslate": 1,
    "endblocktranslate": -1,
    "blocktrans": 1,
    "endblocktrans": -1,
    "comment": 1,
    "endcomment": -1,
}  # where a variable or a tag was: text either side of it is not one sentence


class _ShownText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "svg"):
            self._skip += 1
        self.texts += [
            value for name, value in attrs if name in ("aria-label", "title", "alt", "placeholder") and value
        ]

    def handle_endtag(self, tag):
        if tag in ("script", "style", "svg") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.texts.append(data)


def _outside_translation(source):
    """The template's text with what is translated, variables, tags and comments taken out."""
    depth, kept = 0, []
    for token in Lexer(source).tokenize():
        words = token.contents.split()
        if token.token_type == TokenType.BLOCK and words:
            depth += BLOCKS.get(words[0], 0)
        kept.append(token.contents if token.token_type == TokenType.TEXT and depth == 0 else f" {HOLE} ")
    return "".join(kept)


def _is_class_names(text):
    """'page page--narrow' (a block that fills a class attribute) is not something a person reads."""
    tokens = text.split()
    return all(re.fullmatch(r"[a-z0-9_-]+", token) for token in tokens) and (
        len(tokens) == 1 or any("-" in token for token in tokens)
    )


def unmarked(path):
    text = _outside_translation(path.read_text())
    if path.suffix == ".txt":
        shown = [text]
    else:
        parser = _ShownText()
        parser.feed(text)
        shown = parser.texts
    pieces = (piece.strip() for part in shown for piece in part.split(HOLE))
    return [
        piece
        for piece in pieces
        if re.search(r"[A-Za-z]{3,}", piece)
        and not _is_class_names(piece)
        and '="' not in piece  # an attribute built from tags: markup, not words
        and not piece.startswith("/")  # a path
    ]


PATHS = sorted(
    path
    for path in TEMPLATES.rglob("*")
    if path.suffix in (".html", ".txt") and path.relative_to(TEMPLATES).as_posix() not in NOT_SHOWN_TO_PEOPLE
)


def test_every_template_is_read():
    assert len(PATHS) > 200


@pytest.mark.parametrize("path", PATHS, ids=[path.relative_to(TEMPLATES).as_posix() for path in PATHS])
def test_a_template_shows_no_word_left_unmarked(path):
    assert unmarked(path) == []


def test_the_check_finds_words_left_unmarked(tmp_path):
    template = tmp_path / "page.html"
    template.write_text(
        "{% block main_class %}page page--narrow{% endblock %}<p>Hello there</p>{% translate 'Kept' %}"
        '<button aria-label="Close it">{% blocktranslate %}Marked {{ name }}{% endblocktranslate %}</button>'
        "<script>const quiet = 'not shown';</script>{# a comment #}"
    )
    assert unmarked(template) == ["Hello there", "Close it"]
    (tmp_path / "email.txt").write_text("{% load i18n %}Hello {{ name }},\n{% translate 'Marked' %}")
    assert unmarked(tmp_path / "email.txt") == ["Hello"]
