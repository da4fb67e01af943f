"""The family course's pages: who may take it, the lesson flow, and notes that stay the reader's own."""

import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from recovery_network.learning import content
from recovery_network.learning.models import NOTE_MAX_LENGTH, LessonProgress, LessonSuggestion
from tests.learning.test_content import GOOD, write

pytestmark = pytest.mark.django_db

INDEX = reverse("learning:index")
NOTE = "We went for a walk and I said thank you. It felt awkward, then good."


def url(lesson):
    return reverse("learning:lesson", args=[lesson.slug])


@pytest.fixture
def first():
    return content.lessons()[0]


def test_every_lesson_is_listed_in_order_and_opens_for_a_family_viewer(family_client):
    response = family_client.get(INDEX)
    assert response.status_code == 200
    page = response.content.decode()
    positions = [page.index(f'href="{url(lesson)}"') for lesson in content.lessons()]
    assert positions == sorted(positions) and len(positions) == len(content.lessons())
    assert "CRAFT" in page and "Community Reinforcement and Family Training" in page
    for lesson in content.lessons():
        response = family_client.get(url(lesson))
        assert response.status_code == 200, lesson.file_name
        page = response.content.decode()
        assert lesson.html in page  # marked safe: our own files, rendered as HTML
        assert html.escape(lesson.try_this) in page
        for source in lesson.sources:
            assert html.escape(source) in page


@pytest.mark.parametrize("client_name", ["owner_client", "counselor_client", "stranger_client", "family_client"])
def test_anyone_signed_in_may_take_the_course(request, client_name, first):
    client = request.getfixturevalue(client_name)
    assert client.get(INDEX).status_code == 200
    assert client.get(url(first)).status_code == 200


def test_anonymous_is_sent_to_sign_in(anon_client, first):
    for path in (INDEX, url(first)):
        response = anon_client.get(path)
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    response = anon_client.post(url(first), {"note": NOTE, "done": "on"})
    assert response.status_code == 302 and LessonProgress.objects.count() == 0


@pytest.mark.parametrize("slug", ["no-such-lesson", "01-what-addiction-is", "x" * 200])
def test_an_unknown_lesson_is_404(family_client, slug):
    assert family_client.get(reverse("learning:lesson", args=[slug])).status_code == 404
    assert family_client.post(reverse("learning:lesson", args=[slug]), {"note": NOTE}).status_code == 404


def test_the_lesson_flow_saves_the_note_marks_done_and_suggests_the_next(family, family_client, first):
    course = content.lessons()
    assert f'Next: <a href="{url(first)}">' in family_client.get(INDEX).content.decode()

    response = family_client.post(url(first), {"note": NOTE, "done": "on"})
    assert response.status_code == 302 and response.url == url(first)
    progress = LessonProgress.objects.get(owner=family, lesson=first.slug)
    assert progress.note == NOTE and progress.done_at and progress.note_updated_at
    assert progress.version == first.version

    response = family_client.get(url(first))
    page = response.content.decode()
    assert "Well done for finishing this lesson" in page
    assert html.escape(NOTE) in page and 'name="done" id="id_done" checked' in page

    index = family_client.get(INDEX).content.decode()
    if len(course) > 1:
        assert f'Next: <a href="{url(course[1])}">' in index
    assert "1 of" in index and "Done" in index


def test_saving_again_keeps_one_row_and_unticking_clears_done(family, family_client, first):
    family_client.post(url(first), {"note": NOTE, "done": "on"})
    done_at = LessonProgress.objects.get().done_at
    family_client.post(url(first), {"note": NOTE, "done": "on"})
    assert LessonProgress.objects.get().done_at == done_at  # finishing again keeps the first time
    family_client.post(url(first), {"note": "Changed my mind."})
    progress = LessonProgress.objects.get()
    assert progress.done_at is None and progress.note == "Changed my mind."


def test_a_note_too_long_is_refused_plainly_and_kept(family_client, first):
    long_note = "I tried it. " * 200
    assert len(long_note) > NOTE_MAX_LENGTH
    response = family_client.post(url(first), {"note": long_note, "done": "on"})
    assert response.status_code == 400
    page = response.content.decode()
    assert f"longer than {NOTE_MAX_LENGTH:,} characters" in page
    assert long_note.strip() in page  # nothing lost
    assert LessonProgress.objects.count() == 0


@pytest.mark.parametrize("other_name", ["owner", "counselor", "stranger"])
def test_no_one_else_sees_or_changes_a_family_members_note(request, family, family_client, other_name, first):
    family_client.post(url(first), {"note": NOTE, "done": "on"})
    other = request.getfixturevalue(other_name)
    client = request.getfixturevalue(f"{other_name}_client")
    for path in [INDEX] + [url(lesson) for lesson in content.lessons()]:
        page = client.get(path).content.decode()
        assert "We went for a walk" not in page
        assert 'id="id_done" checked' not in page
    assert "Done</span>" not in client.get(INDEX).content.decode()

    client.post(url(first), {"note": "Mine, not theirs.", "done": ""})
    mine = LessonProgress.objects.get(owner=family)
    assert mine.note == NOTE and mine.done_at  # untouched
    assert LessonProgress.objects.get(owner=other).note == "Mine, not theirs."


def test_the_index_runs_a_fixed_number_of_queries(settings, tmp_path, owner, family, family_client):
    counts = []
    for size in (2, 8):
        directory = tmp_path / str(size)
        directory.mkdir()
        for order in range(1, size + 1):
            write(directory, f"{order:02d}-lesson-{order}.md", GOOD.format(slug=f"lesson-{order}", order=order))
        settings.LESSONS_DIR = directory
        LessonProgress.objects.all().delete()
        LessonSuggestion.objects.all().delete()
        for lesson in content.lessons():
            LessonProgress.record(family, lesson, NOTE, done=lesson.order % 2 == 0)
            # Olive suggested every lesson; Fran set every third aside.
            suggestion, _ = LessonSuggestion.suggest(owner, family, lesson)
            if lesson.order % 3 == 0:
                LessonSuggestion.objects.filter(pk=suggestion.pk).update(dismissed_at=timezone.now())
        family_client.get(INDEX)  # the first request of a session reads more (the session's own bookkeeping)
        with CaptureQueriesContext(connection) as queries:
            response = family_client.get(INDEX)
        page = response.content.decode()
        assert response.status_code == 200 and page.count("learning-lessons__item") == size
        assert page.count("Bring back<span") == size // 3
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 5, counts  # session, user, progress, suggestions, those set aside
