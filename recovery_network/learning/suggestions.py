"""Lessons passed on: the person in recovery suggests a lesson to people who share in their circle (and reads the
notes they chose to share back); a reader sets a suggestion aside; a counselor suggests a lesson for a client's
family and friends through the client, who alone chooses whom to pass it to."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from recovery_network import params, two_factor
from recovery_network.care import sharing
from recovery_network.care.models import Grant, Recommendation
from recovery_network.care.views import two_factor_gate
from recovery_network.models import User

from . import content
from .forms import CourseForClientForm, SuggestForm
from .models import LessonProgress, LessonSuggestion
from .notification_kinds import lesson_suggested

SENT_PER_PAGE = 20
NOTES_SHOWN = 20


def readers_of(owner):
    """The people who may see what the owner shares (their active grants): those a lesson can go to."""
    return User.objects.filter(grants_held__owner=owner, grants_held__revoked_at__isnull=True, is_active=True).order_by(
        "display_name", "pk"
    )


def counselor_suggestion(user, value):
    """The open recommendation of a lesson by this person's counselor named in the query or the form, or None."""
    pk = params.object_id(value or "")
    if pk is None:
        return None
    return Recommendation.objects.for_owner(user).open().exclude(lesson="").filter(pk=pk).first()


@login_required
def suggest(request):
    user = request.user
    readers = readers_of(user)
    recommendation = counselor_suggestion(user, request.POST.get("recommendation") or request.GET.get("recommendation"))
    if request.method == "POST":
        form = SuggestForm(request.POST, readers=readers)
        if form.is_valid():
            return _suggested(request, form, recommendation)
    else:
        chosen = request.GET.get("lesson") or (recommendation.lesson if recommendation else "")
        form = SuggestForm(readers=readers, initial={"lesson": chosen if content.lesson(chosen) else None})
    still_shares = Grant.objects.active().filter(owner=user, viewer=OuterRef("owner"))
    sent = Paginator(LessonSuggestion.objects.for_owner(user).select_related("viewer"), SENT_PER_PAGE).get_page(
        params.integer(request.GET.get("page", ""), 1, 10**6) or 1
    )
    notes = list(
        LessonProgress.objects.filter(shared_with=user, owner__is_active=True)
        .filter(Exists(still_shares))
        .select_related("owner")
        .order_by("-shared_at", "-pk")[:NOTES_SHOWN]
    )
    for row in [*sent, *notes]:
        row.item = content.lesson(row.lesson)  # None for a lesson file since removed
    context = {
        "form": form,
        "has_readers": form.fields["readers"].queryset.exists(),
        "recommendation": recommendation,
        "sent": sent,
        "notes": notes,
    }
    return render(request, "learning/suggest.html", context, status=400 if form.errors else 200)


def _suggested(request, form, recommendation):
    lesson, now = form.cleaned_data["lesson"], timezone.now()
    readers = list(form.cleaned_data["readers"])
    for reader in readers:
        suggestion, worth_telling = LessonSuggestion.suggest(
            request.user, reader, lesson, form.cleaned_data["message"], now=now
        )
        if worth_telling:
            lesson_suggested(suggestion, now)
    if recommendation is not None and recommendation.lesson == lesson.slug:
        recommendation.mark_done(now)
    names = ", ".join(reader.name for reader in readers)
    said = gettext("%(names)s will find “%(title)s” on their home page.") % {"names": names, "title": lesson.title}
    messages.success(request, said)
    return redirect("learning:suggest")


@login_required
@require_POST
def withdraw(request, pk):
    suggestion = LessonSuggestion.objects.get_for_owner_or_404(request.user, pk=pk)
    suggestion.delete()
    messages.success(request, gettext("Withdrawn: %(name)s no longer sees it.") % {"name": suggestion.viewer.name})
    return redirect("learning:suggest")


@login_required
@require_POST
def set_aside(request, pk):
    """The reader sets a suggestion aside: it leaves their home and the course page (the sender is not told)."""
    suggestion = LessonSuggestion.objects.filter(viewer=request.user, pk=pk).first()
    if suggestion is None:
        raise Http404("No suggestion here.")
    if suggestion.dismissed_at is None:
        suggestion.dismissed_at = timezone.now()
        suggestion.save(update_fields=["dismissed_at"])
    messages.success(
        request,
        gettext(
            "Set aside. You can bring it back from “Set aside” on this page; "
            "the lesson is in the course whenever you want it."
        ),
    )
    return redirect("learning:index")


@login_required
@require_POST
def bring_back(request, pk):
    """The reader takes back setting a suggestion aside, while its sender still shares with them (the sender is not
    told, as they were not told it was set aside)."""
    suggestion = LessonSuggestion.objects.in_circle_of(request.user).filter(pk=pk).first()
    if suggestion is None:
        raise Http404("No suggestion here.")
    if suggestion.dismissed_at is not None:
        suggestion.dismissed_at = None
        suggestion.save(update_fields=["dismissed_at"])
    messages.success(request, gettext("Brought back: it is with what was suggested to you again."))
    return redirect(reverse("learning:index") + "#suggested")


@login_required
@two_factor_gate
@require_POST
def for_client(request, owner_id):
    """A counselor suggests a lesson for the client's family and friends, as a recommendation to the client (a line
    in the client's access log, as any recommendation)."""
    now = timezone.now()
    access = sharing.find_access(request.user, owner_id, now, sharing.COUNSELOR)
    if access is None or access.role != sharing.COUNSELOR:
        raise Http404("Nothing shared with you here.")
    if not two_factor.verified(request):
        raise sharing.TwoFactorRequired()
    back = reverse("care:client", args=[access.owner.pk]) + "#course"
    form = CourseForClientForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose one of the lessons in the list; nothing was sent."))
        return redirect(back)
    lesson = form.cleaned_data["lesson"]
    # Stored in the recommendation's row and shown to the client as written: kept in English, not translated here.
    text = f"Pass on a lesson of the family course to your family or friends: “{lesson.title}”."
    sharing.recommend(access, text, now=now, lesson=lesson.slug)
    said = gettext("%(name)s will see your suggestion and choose whom to pass it to.") % {"name": access.owner.name}
    messages.success(request, said)
    return redirect(back)
