"""A lesson passed on, in real Chromium: the person in recovery suggests "After a setback" to the friend who
shares in their circle, with a few words; the friend finds it on their home page, reads it, writes a note,
shares it back and marks the lesson done; the person reads that note. Nothing wider than the screen and no
serious axe-core finding on any page of the way, on a phone and a desktop."""

import pytest

from recovery_network.learning import content
from recovery_network.learning.models import LessonProgress, LessonSuggestion
from tests.e2e.helpers import login
from tests.e2e.test_every_page import VIEWPORTS, _problems

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = "This one says what I find hard to say."
NOTE = "I didn't lecture. I asked what would help, and we called the counselor together."


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_a_lesson_suggested_read_and_answered(new_page, live_server, owner, family, device):
    lesson = content.lesson("after-a-setback")
    olive = new_page(bypass_csp=True, **VIEWPORTS[device])  # CSP is bypassed only so the test can add axe's script
    login(olive, live_server, owner)
    olive.goto("/care/")
    olive.get_by_role("link", name="Suggest them a lesson of the family course").click()
    olive.get_by_role("heading", name="Suggest a lesson", level=1).wait_for()
    assert _problems(olive) == []
    olive.get_by_label(family.name).check()
    olive.get_by_label("Which lesson?").select_option(lesson.slug)
    olive.get_by_label("A few words from you (optional)").fill(WORDS)
    olive.get_by_role("button", name="Suggest it").click()
    olive.get_by_text(f"{family.name} will find “{lesson.title}” on their home page.").wait_for()
    assert _problems(olive) == []
    assert LessonSuggestion.objects.filter(owner=owner, viewer=family, lesson=lesson.slug).exists()

    fran = new_page(bypass_csp=True, **VIEWPORTS[device])
    login(fran, live_server, family)
    card = fran.locator(".home-learning")
    assert card.get_by_text(WORDS).is_visible()
    assert _problems(fran) == []
    card.get_by_role("link", name=lesson.title, exact=True).click()
    fran.get_by_role("heading", name=lesson.title, level=1).wait_for()
    assert fran.get_by_text(f"{owner.name} suggested this lesson for you").is_visible()
    fran.get_by_label("How did it go?").fill(NOTE)
    fran.get_by_label("Mark this lesson as done").check()
    fran.get_by_label("Share this note with").select_option(label=owner.name)
    fran.get_by_role("button", name="Save").click()
    fran.get_by_text(f"{owner.name} can read it.").wait_for()
    assert _problems(fran) == []
    progress = LessonProgress.objects.get(owner=family, lesson=lesson.slug)
    assert progress.done_at and progress.shared_with_id == owner.pk

    olive.reload()
    notes = olive.locator("#notes")
    assert notes.get_by_text(NOTE).is_visible() and notes.get_by_text("Done", exact=True).is_visible()
    assert _problems(olive) == []
