"""The lesson files: every real one parses and follows the format, a broken one is named, and the lessons kept
in the process are the same as a fresh parse of the files."""

import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from recovery_network.learning import content

FIXTURES = settings.BASE_DIR / "tests" / "learning" / "lessons"

GOOD = """---
slug: {slug}
title: A title
order: {order}
minutes: 4
version: 1
summary: A summary.
try_this: Something small.
sources:
  - "Someone, A. (2020). A study. A Journal, 1, 1–2."
---
## A heading

Some words.
"""


def write(directory, name, text):
    (directory / name).write_text(text, encoding="utf-8")
    return directory / name


def test_every_real_lesson_parses_and_follows_the_format():
    course = content.parse_directory(settings.LESSONS_DIR)
    assert course, "the lessons directory is empty"
    assert [lesson.order for lesson in course] == list(range(1, len(course) + 1))
    for lesson in course:
        assert lesson.file_name == f"{lesson.order:02d}-{lesson.slug}.md"
        assert lesson.sources and lesson.try_this and lesson.summary and lesson.minutes >= 1
        assert "<h1" not in lesson.html and "<script" not in lesson.html and "style=" not in lesson.html


def test_kept_lessons_equal_a_fresh_parse():
    assert content.lessons() == content.parse_directory(settings.LESSONS_DIR)
    assert content.lessons() is content.lessons()  # parsed once


def test_markdown_and_sort_examples_render(tmp_path):
    body = GOOD.format(slug="one", order=1) + (
        "\n- a **bold** point\n\n"
        '<details class="sort-example"><summary>Paying a phone bill</summary>\n'
        "<p><strong>Often enabling.</strong> Because.</p>\n</details>\n"
    )
    lesson = content.parse(write(tmp_path, "01-one.md", body))
    assert '<h2 id="a-heading">A heading</h2>' in lesson.html  # an id to link to a part of a lesson
    assert "<li>a <strong>bold</strong> point</li>" in lesson.html
    assert '<details class="sort-example"><summary>Paying a phone bill</summary>' in lesson.html
    assert lesson.sources == ("Someone, A. (2020). A study. A Journal, 1, 1–2.",)


def test_lookups_follow_the_order(settings, tmp_path):
    for order, slug in ((2, "two"), (1, "one"), (3, "three")):
        write(tmp_path, f"0{order}-{slug}.md", GOOD.format(slug=slug, order=order))
    settings.LESSONS_DIR = tmp_path
    assert [lesson.slug for lesson in content.lessons()] == ["one", "two", "three"]
    assert content.lesson("two").order == 2
    assert content.lesson("four") is None
    assert content.next_after("one").slug == "two"
    assert content.next_after("three") is None
    assert content.previous_before("one") is None
    assert content.previous_before("three").slug == "two"


@pytest.mark.parametrize(
    ("fixture", "says"),
    [
        ("missing-key/01-missing-key.md", "01-missing-key.md: the front matter is missing try_this"),
        ("bad-slug/01-Bad_Slug.md", "01-Bad_Slug.md: the slug 'Bad_Slug' may hold only"),
        ("wrong-name/01-other-name.md", "01-other-name.md: the file must be named NN-wrong-name.md"),
        ("no-sources/01-no-sources.md", "01-no-sources.md: “sources” must list at least one citation"),
        ("script/01-script.md", "01-script.md: the body holds a script"),
    ],
)
def test_a_broken_lesson_file_is_named(fixture, says):
    with pytest.raises(content.LessonError, match=f"^{says}"):
        content.parse_directory((FIXTURES / fixture).parent)


def test_a_repeated_order_names_the_file(tmp_path):
    write(tmp_path, "01-one.md", GOOD.format(slug="one", order=1))
    write(tmp_path, "01-also-one.md", GOOD.format(slug="also-one", order=1))
    with pytest.raises(content.LessonError, match=r"^01-one\.md: its order 1 is also 01-also-one\.md's"):
        content.parse_directory(tmp_path)


def test_an_order_that_disagrees_with_the_file_name_is_named(tmp_path):
    write(tmp_path, "02-one.md", GOOD.format(slug="one", order=1))
    with pytest.raises(content.LessonError, match=r"^02-one\.md: the file name starts 02 but its order is 1"):
        content.parse_directory(tmp_path)


@pytest.mark.parametrize("value", ["four", 0, -1, "true"])
def test_minutes_must_be_a_whole_number(tmp_path, value):
    write(tmp_path, "01-one.md", GOOD.format(slug="one", order=1).replace("minutes: 4", f"minutes: {value}"))
    with pytest.raises(content.LessonError, match=r"^01-one\.md: “minutes” must be a whole number"):
        content.parse_directory(tmp_path)


def test_broken_yaml_is_named(tmp_path):
    write(tmp_path, "01-one.md", GOOD.format(slug="one", order=1).replace("title: A title", "title: [unclosed"))
    with pytest.raises(content.LessonError, match=r"^01-one\.md: the file could not be read"):
        content.parse_directory(tmp_path)


def test_the_real_files_copied_elsewhere_parse_the_same(tmp_path):
    for path in settings.LESSONS_DIR.glob("*.md"):
        shutil.copy(path, tmp_path)
    assert [(lesson.slug, lesson.html) for lesson in content.parse_directory(tmp_path)] == [
        (lesson.slug, lesson.html) for lesson in content.lessons()
    ]


def test_every_translation_has_every_lesson_with_the_same_slug_order_version_and_sources():
    """A reader's progress is kept by slug and version: a translation holds the same lessons, revised together."""
    english = content.lessons("en")
    for folder in sorted(path for path in Path(settings.LESSONS_DIR).iterdir() if path.is_dir()):
        translated = content.parse_directory(folder)
        assert [(item.slug, item.order, item.version, item.minutes, item.sources) for item in translated] == [
            (item.slug, item.order, item.version, item.minutes, item.sources) for item in english
        ], folder.name
        # The parts other pages link to keep their ids in every language.
        by_slug = {item.slug: item for item in translated}
        assert 'id="celebrating-without-alcohol"' in by_slug["rewarding-sober-time"].html
        assert 'id="phrases-to-try"' in by_slug["listening-and-talking"].html


def test_a_reader_gets_the_lessons_in_their_language():
    with translation.override("es"):
        assert content.lesson("after-a-setback").title != content.lessons("en")[5].title
        assert content.folder().name == "es"
    assert content.folder("en") == Path(settings.LESSONS_DIR)
    assert content.folder("fr") == Path(settings.LESSONS_DIR)  # a language without its folder reads English
