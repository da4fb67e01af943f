"""The guided network review, under /network/review/: a start page, then five steps (people, groups, community,
gaps, finish), each a page of its own that saves as it goes, so the person can stop and come back.

People and groups are asked about one at a time (`?person=` / `?group=` names the row; without it, the first not
yet answered). On a phone one card fills the screen: what the review saw beside the three questions, one tap to
the next. Each answer is saved and applied when given, so nothing is lost to a call, a closed tab or an expired
session, which a single form of 30 people (150 inputs) would risk, and an error in one answer holds up no other.

Every page opens the review through `_review_or_404` (the owner's, or a 404); a finished review's steps are
closed and send the person to its "what changed" page.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from recovery_network import params
from supports.network import find_gaps

from . import services
from .forms import CommunityNoteForm, GapsNoteForm, GroupAnswerForm, SupporterAnswerForm
from .models import LOOK_BACK_DAYS, REVIEW_EVERY_DAYS, NetworkReview

STEPS = [
    ("people", gettext_lazy("People")),
    ("groups", gettext_lazy("Groups")),
    ("community", gettext_lazy("Community")),
    ("gaps", gettext_lazy("Gaps")),
    ("finish", gettext_lazy("Finish")),
]
PAST_REVIEWS_SHOWN = 12


def _review_or_404(request, pk):
    return NetworkReview.objects.get_for_owner_or_404(request.user, pk=pk)


def _closed(request, review):
    day = dateformat.format(review.finished_on, gettext("j F Y"))
    messages.info(request, gettext("Your review of %(day)s is finished. Here is what changed.") % {"day": day})
    return redirect("review:changes", pk=review.pk)


def _step_url(name, review, **query):
    url = reverse(f"review:{name}", args=[review.pk])
    return url + "".join(f"?{key}={value}" for key, value in query.items())


def _step_context(name, review, **extra):
    number = next(number for number, (key, _) in enumerate(STEPS, start=1) if key == name)
    return {"review": review, "number": number, "total": len(STEPS), "step_label": STEPS[number - 1][1], **extra}


@login_required
def start(request):
    reviews = list(NetworkReview.objects.for_owner(request.user)[: PAST_REVIEWS_SHOWN + 1])
    in_progress = next((review for review in reviews if not review.is_finished), None)
    finished = sorted((review for review in reviews if review.is_finished), key=lambda r: r.finished_at, reverse=True)
    last = finished[0] if finished else None
    return render(
        request,
        "review/start.html",
        {
            "in_progress": in_progress,
            "last": last,
            "finished": finished[:PAST_REVIEWS_SHOWN],
            "next_due_on": last.finished_on + dt.timedelta(days=REVIEW_EVERY_DAYS) if last else None,
            "look_back_days": LOOK_BACK_DAYS,
        },
    )


@login_required
@require_POST
def begin(request):
    review, begun = services.begin_review(request.user)
    if not begun:
        messages.info(request, gettext("Welcome back: your review is where you left it."))
    return redirect("review:people", pk=review.pk)


def _one_at_a_time(request, review, name, rows, param, make_form, answer, next_url, previous_url, describe, empty):
    """A step that asks about its rows (a queryset) one at a time. `answer(row, cleaned_data)` saves one;
    `describe(row)` adds what the page says of it; `empty()` is the page when there are none. Only the row asked
    about is loaded whole, the rest as ids in order: a network of 500 loaded whole was 10 ms of a 14 ms page
    (bench/page_cpu.py)."""
    order = list(rows.values_list("pk", "answered_at"))
    if not order:
        return empty()
    asked = params.object_id(request.GET.get(param))
    index = next((i for i, (pk, _) in enumerate(order) if pk == asked), None)
    if index is None:
        index = next((i for i, (_, answered_at) in enumerate(order) if not answered_at), 0)
    row = rows.get(pk=order[index][0])
    form = make_form(request.POST if request.method == "POST" else None, row)
    if request.method == "POST" and form.is_valid():
        answer(row, form.cleaned_data)
        following = order[index + 1][0] if index + 1 < len(order) else None
        return redirect(_step_url(name, review, **{param: following}) if following else next_url)
    back = _step_url(name, review, **{param: order[index - 1][0]}) if index else previous_url
    context = _step_context(
        name,
        review,
        row=row,
        form=form,
        position=index + 1,
        count=len(order),
        action=_step_url(name, review, **{param: row.pk}),
        back=back,
        look_back_days=LOOK_BACK_DAYS,
        **(describe(row) if describe else {}),
    )
    return render(request, f"review/{name}.html", context, status=400 if form.errors else 200)


@login_required
def people(request, pk):
    review = _review_or_404(request, pk)
    if review.is_finished:
        return _closed(request, review)
    rows = review.supporter_reviews.select_related("supporter")
    groups_url = _step_url("groups", review)
    return _one_at_a_time(
        request,
        review,
        "people",
        rows,
        "person",
        lambda data, row: SupporterAnswerForm(data, row=row, supporter=row.supporter),
        services.answer_supporter,
        groups_url,
        reverse("review:start"),
        describe=lambda row: {"seen": services.what_the_review_saw(row)},
        empty=lambda: render(request, "review/people.html", _step_context("people", review, next_url=groups_url)),
    )


@login_required
def groups(request, pk):
    review = _review_or_404(request, pk)
    if review.is_finished:
        return _closed(request, review)
    rows = review.group_reviews.all()
    community_url = _step_url("community", review)
    people_url = _step_url("people", review)
    return _one_at_a_time(
        request,
        review,
        "groups",
        rows,
        "group",
        lambda data, row: GroupAnswerForm(data, row=row),
        services.answer_group,
        community_url,
        people_url,
        describe=None,
        empty=lambda: render(
            request, "review/groups.html", _step_context("groups", review, next_url=community_url, back=people_url)
        ),
    )


def _note_step(request, pk, name, form_class, field, next_name, previous_name, extra):
    review = _review_or_404(request, pk)
    if review.is_finished:
        return _closed(request, review)
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            services.save_notes(review, **{field: form.cleaned_data[field]})
            return redirect(_step_url(next_name, review))
    else:
        form = form_class(initial={field: getattr(review, field)})
    context = _step_context(name, review, form=form, back=_step_url(previous_name, review), **extra(request.user))
    return render(request, f"review/{name}.html", context, status=400 if form.errors else 200)


@login_required
def community(request, pk):
    def extra(user):
        return {"activities": services.recent_community(user, timezone.now()), "look_back_days": LOOK_BACK_DAYS}

    return _note_step(request, pk, "community", CommunityNoteForm, "community_note", "gaps", "groups", extra)


@login_required
def gaps(request, pk):
    return _note_step(
        request, pk, "gaps", GapsNoteForm, "gaps_note", "finish", "community", lambda user: {"gaps": find_gaps(user)}
    )


@login_required
def finish(request, pk):
    review = _review_or_404(request, pk)
    if review.is_finished:
        return _closed(request, review)
    if request.method == "POST":
        review = services.finish_review(review)
        messages.success(request, gettext("Your review is done, and today's snapshot of your network is saved."))
        return redirect("review:changes", pk=review.pk)
    context = _step_context("finish", review, summary=services.summary_of(review), back=_step_url("gaps", review))
    return render(request, "review/finish.html", context)
