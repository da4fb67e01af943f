"""The family course: the list of lessons and one lesson with its private note. Anyone signed in may take it: the
pages hold no one else's data, and each reader reads and writes only their own progress (`for_owner`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from . import content
from .forms import LessonNoteForm
from .models import LessonProgress


@login_required
def index(request):
    course = content.lessons()
    progress = LessonProgress.objects.for_owner(request.user).by_lesson()
    rows = [{"lesson": item, "progress": progress.get(item.slug)} for item in course]
    suggested = next((row["lesson"] for row in rows if not (row["progress"] and row["progress"].done_at)), None)
    context = {
        "rows": rows,
        "suggested": suggested,
        "done_count": sum(1 for row in rows if row["progress"] and row["progress"].done_at),
        "total_minutes": sum(item.minutes for item in course),
    }
    return render(request, "learning/index.html", context)


@login_required
def lesson(request, slug):
    item = content.lesson(slug)
    if item is None:
        raise Http404("No lesson here.")
    progress = LessonProgress.objects.for_owner(request.user).filter(lesson=item.slug).first()
    if request.method == "POST":
        form = LessonNoteForm(request.POST)
        if form.is_valid():
            done = form.cleaned_data["done"]
            LessonProgress.record(request.user, item, form.cleaned_data["note"], done)
            messages.success(request, "Saved. Well done for finishing this lesson." if done else "Your note is saved.")
            return redirect("learning:lesson", slug=item.slug)
    else:
        initial = {"note": progress.note, "done": bool(progress.done_at)} if progress else {}
        form = LessonNoteForm(initial=initial)
    context = {
        "lesson": item,
        "progress": progress,
        "form": form,
        "previous": content.previous_before(item.slug),
        "next": content.next_after(item.slug),
        "position": content.lessons().index(item) + 1,
        "count": len(content.lessons()),
    }
    return render(request, "learning/lesson.html", context, status=400 if form.errors else 200)
