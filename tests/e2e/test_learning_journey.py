"""The family course in real Chromium: a family member finds it on their home page, reads a lesson on a phone,
opens an example to sort with the keyboard, writes a private note, marks the lesson done and sees it done in
the course; nothing wider than the screen and no serious axe-core finding, on a phone and a desktop."""

import pytest

from recovery_network.learning import content
from recovery_network.learning.models import LessonProgress
from tests.e2e.helpers import login
from tests.e2e.test_every_page import VIEWPORTS, _problems

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_a_family_member_takes_a_lesson_and_sees_it_done(new_page, live_server, family, device):
    page = new_page(bypass_csp=True, **VIEWPORTS[device])  # CSP is bypassed only so the test can add axe's script
    login(page, live_server, family)
    with_examples = next((item for item in content.lessons() if 'class="sort-example"' in item.html), None)
    first = content.lessons()[0]

    page.goto("/")
    page.get_by_role("link", name="The whole course").click()
    page.get_by_role("heading", name="Learning to help", level=1).wait_for()
    assert _problems(page) == []
    page.get_by_role("link", name="How to help: the short version").click()
    page.get_by_role("link", name="Learning to help: a short course").click()  # and back again from how to help
    assert page.get_by_text(f"Next: {first.title}").is_visible()

    lesson = with_examples or first
    page.get_by_role("link", name=lesson.title, exact=True).first.click()
    page.get_by_role("heading", name=lesson.title, level=1).wait_for()
    assert _problems(page) == []
    if with_examples:
        example = page.locator("details.sort-example").first
        answer = example.locator("p").first
        assert not answer.is_visible()
        example.locator("summary").focus()
        page.keyboard.press("Enter")
        answer.wait_for(state="visible")
        assert example.get_attribute("open") is not None
        assert _problems(page) == []

    page.get_by_label("How did it go?").fill("I said thank you for the walk. It went well.")
    page.get_by_label("Mark this lesson as done").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Well done for finishing this lesson").wait_for()
    assert page.get_by_label("How did it go?").input_value() == "I said thank you for the walk. It went well."
    progress = LessonProgress.objects.get(owner=family, lesson=lesson.slug)
    assert progress.done_at and progress.note.startswith("I said thank you")

    page.get_by_role("link", name="Learning to help", exact=True).click()
    item = page.locator(".learning-lessons__item").filter(has=page.get_by_role("link", name=lesson.title, exact=True))
    assert item.get_by_text("Done", exact=True).is_visible()
    assert _problems(page) == []
