"""The course's lessons: Markdown files with YAML front matter in `settings.LESSONS_DIR`, one per lesson, named
`NN-<slug>.md` (NN is the lesson's order). They are our own words, versioned with the code, so they can be
revised and translated like the rest of the interface.

A file that breaks the format raises `LessonError` naming the file, the first time the lessons are read (the
tests read every real file, so a broken lesson fails CI, not a reader's page).

Translations live beside them in a folder per language (`LESSONS_DIR/es/NN-<slug>.md`), with the same slugs and
orders, so a reader's progress is the same whatever language they read in; a language without the folder reads
the English files.

The lessons are parsed once per process and kept (`_load` is cached per directory: process-local state, so here
is the measured reason). Reading, parsing and rendering the eight lessons takes about 14 ms (20 ms the first time;
YAML and Markdown's conversion, measured on the development machine in December 2026), while a whole lesson page
otherwise renders in about 5 ms; kept, a lookup costs about a microsecond. The files change only with a release,
which starts new processes. `test_kept_lessons_equal_a_fresh_parse` holds the kept lessons equal to a fresh parse.
"""

import datetime
import functools
import re
from dataclasses import dataclass
from pathlib import Path

import frontmatter
import markdown
from django.conf import settings
from django.utils import translation

REQUIRED = ("slug", "title", "order", "minutes", "version", "summary", "try_this", "sources")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
FILE_NAME = re.compile(r"(?P<order>\d\d)-(?P<slug>.+)\.md")
# The site's Content-Security-Policy forbids inline scripts and styles; the format allows no images or headings
# above ## (the page gives the h1).
FORBIDDEN = re.compile(r"<script|<style|\sstyle=|<img|<iframe|\son[a-z]+=|^# ", re.IGNORECASE | re.MULTILINE)
# "toc" gives each heading an id, so a page can link to a part of a lesson ("…#celebrating-without-alcohol"); a part
# other pages link to names its id outright ("## Celebrar sin alcohol {#celebrating-without-alcohol}", "attr_list"),
# so the link holds in every language.
EXTENSIONS = ["sane_lists", "toc", "attr_list"]


class LessonError(ValueError):
    """A lesson file that breaks the format; the message starts with the file's name."""


@dataclass(frozen=True)
class Lesson:
    slug: str
    title: str
    order: int
    minutes: int
    version: int
    summary: str
    try_this: str
    sources: tuple
    html: str
    file_name: str


def _positive_int(path, meta, key):
    value = meta[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise LessonError(f"{path.name}: “{key}” must be a whole number of 1 or more, not {value!r}.")
    return value


def _text(path, meta, key):
    value = meta[key]
    if isinstance(value, datetime.date) or not str(value).strip():
        raise LessonError(f"{path.name}: “{key}” must be some text.")
    return str(value).strip()


def parse(path):
    """One lesson file, checked and rendered."""
    path = Path(path)
    try:
        post = frontmatter.loads(path.read_text(encoding="utf-8"))
    except Exception as exc:  # YAML's and the decoder's errors have many types; all mean the same here
        raise LessonError(f"{path.name}: the file could not be read ({exc}).") from exc
    meta = post.metadata
    missing = [key for key in REQUIRED if key not in meta]
    if missing:
        raise LessonError(f"{path.name}: the front matter is missing {', '.join(missing)}.")
    slug = str(meta["slug"])
    name = FILE_NAME.fullmatch(path.name)
    if not SLUG.fullmatch(slug):
        raise LessonError(f"{path.name}: the slug {slug!r} may hold only a-z, 0-9 and single hyphens.")
    if not name or name["slug"] != slug:
        raise LessonError(f"{path.name}: the file must be named NN-{slug}.md (its order, then its slug).")
    order = _positive_int(path, meta, "order")
    if int(name["order"]) != order:
        raise LessonError(f"{path.name}: the file name starts {name['order']} but its order is {order}.")
    sources = meta["sources"]
    if not isinstance(sources, list) or not sources or not all(isinstance(s, str) and s.strip() for s in sources):
        raise LessonError(f"{path.name}: “sources” must list at least one citation.")
    if FORBIDDEN.search(post.content):
        raise LessonError(f"{path.name}: the body holds a script, a style, an image or a # heading.")
    return Lesson(
        slug=slug,
        title=_text(path, meta, "title"),
        order=order,
        minutes=_positive_int(path, meta, "minutes"),
        version=_positive_int(path, meta, "version"),
        summary=_text(path, meta, "summary"),
        try_this=_text(path, meta, "try_this"),
        sources=tuple(s.strip() for s in sources),
        html=markdown.markdown(post.content, extensions=EXTENSIONS, output_format="html"),
        file_name=path.name,
    )


def parse_directory(directory):
    """Every lesson in a directory, in order; a repeated order or slug names both files."""
    found = sorted((parse(path) for path in Path(directory).glob("*.md")), key=lambda lesson: lesson.order)
    seen = {}
    for item in found:
        for key in (("order", item.order), ("slug", item.slug)):
            if key in seen:
                raise LessonError(f"{item.file_name}: its {key[0]} {key[1]!r} is also {seen[key]}'s.")
            seen[key] = item.file_name
    return tuple(found)


@functools.cache
def _load(directory):
    return parse_directory(directory)


def folder(language=None):
    """The lesson files for this language (the active one by default): its folder if there is one, else English."""
    code = (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    translated = Path(settings.LESSONS_DIR) / code
    return translated if code != "en" and translated.is_dir() else Path(settings.LESSONS_DIR)


def lessons(language=None):
    """The course, in order, in the reader's language (parsed once per process: see the module's docstring)."""
    return _load(str(folder(language)))


def lesson(slug):
    return next((item for item in lessons() if item.slug == slug), None)


def next_after(slug):
    """The lesson after this one, or None after the last."""
    course = lessons()
    for index, item in enumerate(course):
        if item.slug == slug:
            return course[index + 1] if index + 1 < len(course) else None
    return None


def previous_before(slug):
    course = lessons()
    for index, item in enumerate(course):
        if item.slug == slug:
            return course[index - 1] if index else None
    return None
