"""The person's own BARC-10 check-ups: the overview with its trend, and the ten statements. Both pages are the
signed-in person's own; no one else's check-ups are ever read here (a counselor or family member sees them only
through care.sharing)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext

from . import schedule
from .forms import CapitalCheckForm
from .models import CITATION, SUSTAINED_REMISSION_TOTAL, CapitalCheck
from .trends import capital_trend


@login_required
def overview(request):
    user = request.user
    today = user.local_today()
    checks = list(CapitalCheck.objects.for_owner(user).oldest_first())
    latest = checks[-1] if checks else None
    due_on = schedule.first_due_on(latest.taken_on if latest else None, schedule.joined_on(user))
    context = {
        "trend": capital_trend(checks),
        "today": today,
        "answered_today": latest is not None and latest.taken_on == today,
        "due_on": due_on,
        "due_now": due_on <= today,
        "line": SUSTAINED_REMISSION_TOTAL,
        "citation": CITATION,
    }
    return render(request, "capital/overview.html", context)


@login_required
def new(request):
    """One check-up per local day: answering again the same day changes that day's answers."""
    user = request.user
    today = user.local_today()
    todays = CapitalCheck.objects.for_owner(user).filter(taken_on=today).first()
    posted = request.POST if request.method == "POST" else None  # an empty submit still gets its errors
    form = CapitalCheckForm(posted, instance=todays)
    if request.method == "POST" and form.is_valid():
        check = _save(form, user, today)
        if todays:
            said = gettext("Your check-up is updated. Today's total: %(total)s of 60. Thank you.")
        else:
            said = gettext("Your check-up is saved. Today's total: %(total)s of 60. Thank you.")
        messages.success(request, said % {"total": check.total})
        return redirect("capital:overview")
    return render(request, "capital/form.html", {"form": form, "today": today, "todays": todays})


def _save(form, user, today):
    check = form.save(commit=False)
    check.owner, check.taken_on, check.taken_at = user, today, timezone.now()
    try:
        with transaction.atomic():
            check.save()
    except IntegrityError:
        # The same day's answers sent twice at once (a double tap): the second updates the first.
        check.pk = CapitalCheck.objects.for_owner(user).get(taken_on=today).pk
        check.save(force_update=True)
    return check
