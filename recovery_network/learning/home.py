"""The course's card on the home page of someone others share with: lessons the people they support suggested to
them, and the next lesson of the course. Two queries, whatever the number of people or lessons."""

from . import content
from .models import LessonProgress
from .views import suggestions_for

SUGGESTIONS_ON_HOME = 3


def section(user):
    if not user.views_someone:
        return None
    progress = LessonProgress.objects.for_owner(user).by_lesson()
    course = content.lessons()
    done = sum(1 for item in course if progress.get(item.slug) and progress[item.slug].done_at)
    suggestions = [row for row in suggestions_for(user, progress) if not row["done"]]
    suggested = {row["lesson"].slug for row in suggestions[:SUGGESTIONS_ON_HOME]}
    return {
        "template": "learning/home_section.html",
        "suggestions": suggestions[:SUGGESTIONS_ON_HOME],
        "more_suggestions": len(suggestions) > SUGGESTIONS_ON_HOME,
        # The first lesson not done, unless it is suggested just above.
        "next": next((item for item in course if not (progress.get(item.slug) and progress[item.slug].done_at)), None),
        "suggested": suggested,
        "started": bool(progress),
        "done": done,
        "count": len(course),
    }
