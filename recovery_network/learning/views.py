"""The family course: the list of lessons and one lesson with its note. Anyone signed in may take it: the pages hold
no one else's data but the lessons suggested to the reader, and each reader reads and writes only their own
progress (`for_owner`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from recovery_network.models import User

from . import content
from .forms import LessonNoteForm, ShareNoteForm
from .models import LessonProgress, LessonSuggestion

SUGGESTIONS_SHOWN = 20


def sharing_with(user):
    """The people who share with this reader (their active grants): those who may be shown a note. One query."""
    return list(
        User.objects.filter(grants_given__viewer=user, grants_given__revoked_at__isnull=True, is_active=True)
        .distinct()
        .order_by("display_name", "pk")
    )


def _with_lessons(suggestions):
    """(suggestion, lesson) for each suggestion whose lesson file is still there (one removed since drops out)."""
    for suggestion in suggestions[:SUGGESTIONS_SHOWN]:
        item = content.lesson(suggestion.lesson)
        if item is not None:
            yield suggestion, item


def suggestions_for(user, progress):
    """[{"suggestion", "lesson", "done"}] of what people in this reader's circle suggested, newest first. One
    query."""
    rows = []
    for suggestion, item in _with_lessons(LessonSuggestion.objects.to_viewer(user)):
        done = progress.get(item.slug)
        rows.append({"suggestion": suggestion, "lesson": item, "done": bool(done and done.done_at)})
    return rows


def set_aside_by(user):
    """[{"suggestion", "lesson"}] this reader set aside, latest first, while the sender still shares with them: the
    course page offers to bring each back. One query."""
    set_aside = LessonSuggestion.objects.in_circle_of(user).filter(dismissed_at__isnull=False)
    return [
        {"suggestion": suggestion, "lesson": item}
        for suggestion, item in _with_lessons(set_aside.order_by("-dismissed_at", "-pk"))
    ]


@login_required
def index(request):
    course = content.lessons()
    progress = LessonProgress.objects.for_owner(request.user).by_lesson()
    rows = [{"lesson": item, "progress": progress.get(item.slug)} for item in course]
    suggested = next((row["lesson"] for row in rows if not (row["progress"] and row["progress"].done_at)), None)
    context = {
        "rows": rows,
        "suggested": suggested,
        "suggestions": suggestions_for(request.user, progress) if request.user.views_someone else [],
        "set_aside": set_aside_by(request.user) if request.user.views_someone else [],
        "done_count": sum(1 for row in rows if row["progress"] and row["progress"].done_at),
        "total_minutes": sum(item.minutes for item in course),
    }
    return render(request, "learning/index.html", context)


@login_required
def lesson(request, slug):
    item = content.lesson(slug)
    if item is None:
        raise Http404("No lesson here.")
    user = request.user
    progress = LessonProgress.objects.for_owner(user).filter(lesson=item.slug).first()
    people = sharing_with(user) if user.views_someone else []

    def note_form(data=None, initial=None):
        return ShareNoteForm(data, initial=initial, people=people) if people else LessonNoteForm(data, initial=initial)

    if request.method == "POST":
        form = note_form(request.POST)
        if form.is_valid():
            done, shared_with = form.cleaned_data["done"], form.cleaned_data.get("share_with")
            LessonProgress.record(user, item, form.cleaned_data["note"], done, shared_with=shared_with)
            said = gettext("Saved. Well done for finishing this lesson.") if done else gettext("Your note is saved.")
            if shared_with is not None:
                said += " " + gettext("%(name)s can read it.") % {"name": shared_with.name}
            messages.success(request, said)
            return redirect("learning:lesson", slug=item.slug)
    else:
        initial = {}
        if progress:
            initial = {"note": progress.note, "done": bool(progress.done_at), "share_with": progress.shared_with_id}
        form = note_form(initial=initial)
    suggested_by = list(LessonSuggestion.objects.to_viewer(user).filter(lesson=item.slug)) if user.views_someone else []
    context = {
        "lesson": item,
        "progress": progress,
        "form": form,
        "suggested_by": suggested_by,
        "previous": content.previous_before(item.slug),
        "next": content.next_after(item.slug),
        "position": content.lessons().index(item) + 1,
        "count": len(content.lessons()),
    }
    return render(request, "learning/lesson.html", context, status=400 if form.errors else 200)
