"""The first run's pages, under /welcome/: an overview, then one short step per screen.

Every step page posts to itself with `action`: "save" (the default), "skip" or "later" (save what was typed,
if anything, and go home). Each answer is saved at once, under a lock on the person's first run, so a double
submit waits for the first and finds its work done. Anyone signed in has a first run of their own.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from milestones.models import Journey
from recovery_network import params
from recovery_network.care.models import SCOPES
from supports import services as network
from supports.models import Meeting, PeerGroup, Supporter

from . import services
from .forms import CheckInTimeForm, CrisisPeopleFormSet, JourneyStepForm, NothingToAskForm, OwnGroupForm
from .models import STEPS, Outcome, Step

MEETINGS_SHOWN = 8


@login_required
def start(request):
    first_run = services.first_run_of(request.user)
    context = {
        "first_run": first_run,
        "rows": [(step, first_run.outcome(step)) for step in STEPS],
        "next_step": first_run.next_step(),
    }
    return render(request, "welcome/start.html", context)


@login_required
@require_POST
def later(request):
    with transaction.atomic():
        services.locked_first_run(request.user).set_aside()
    messages.info(request, _("Setting up can wait. Pick it up from your home page whenever you like."))
    return redirect("home")


@login_required
@require_POST
def dismiss(request):
    with transaction.atomic():
        services.locked_first_run(request.user).dismiss()
    messages.info(request, _("Setup is hidden from your home page. Everything you added stays in your network."))
    return redirect("home")


# The steps


@login_required
def journey(request):
    user = request.user
    today = user.local_today()

    def make_form(first_run, data):
        return JourneyStepForm(data, today=today, instance=first_run.journey or Journey(owner=user))

    def save(form, first_run):
        journey = services.start_or_update_journey(form, first_run)
        return _("Your count for %(journey)s starts on %(day)s.") % {
            "journey": journey.name,
            "day": date_format(journey.started_on, gettext("j F Y")),
        }

    return _step(
        request,
        Step.JOURNEY,
        make_form,
        save,
        nothing_needed=lambda: Journey.objects.for_owner(user).exists(),
        extra=lambda first_run: {
            "other_journeys": [j for j in Journey.objects.for_owner(user) if j.pk != first_run.journey_id]
        },
    )


@login_required
def people(request):
    user = request.user
    crisis_people = Supporter.objects.for_owner(user).to_call_in_crisis()

    def save(formset, first_run):
        added, kept = services.add_crisis_people(user, formset.people())
        names = ", ".join(person.name for person in [*added, *kept])
        return ngettext(
            "%(names)s is in your network for a bad night.",
            "%(names)s are in your network for a bad night.",
            len(added) + len(kept),
        ) % {"names": names}

    return _step(
        request,
        Step.PEOPLE,
        lambda first_run, data: CrisisPeopleFormSet(data, prefix="people"),
        save,
        nothing_needed=crisis_people.exists,
        extra=lambda first_run: {"crisis_people": list(crisis_people[:10])},
    )


@login_required
def group(request):
    user = request.user
    if request.method == "POST" and request.POST.get("action") == "join":
        return _join(request, user)
    groups = PeerGroup.objects.for_owner(user).active().order_by("name", "id")

    def save(form, first_run):
        found, created = services.add_own_group(user, form.cleaned_data["name"], form.cleaned_data["fellowship"])
        if created:
            return _(
                "%(group)s is one of your groups. Add its meeting times on the group's page when you're ready."
            ) % {"group": found.name}
        return _("%(group)s was already one of your groups.") % {"group": found.name}

    return _step(
        request,
        Step.GROUP,
        lambda first_run, data: OwnGroupForm(data),
        save,
        nothing_needed=groups.exists,
        extra=lambda first_run: {"groups": list(groups[:10]), **_search(request, user)},
    )


def _search(request, user):
    query = params.search_text(request.GET.get("q"))
    if not query:
        return {"query": ""}
    meetings = Meeting.objects.visible_to(user).filter(
        Q(name__icontains=query)
        | Q(location__icontains=query)
        | Q(address__icontains=query)
        | Q(region__icontains=query)
        | Q(group_name__icontains=query)
    )
    found = list(meetings.order_by("name", "id")[: MEETINGS_SHOWN + 1])
    return {"query": query, "meetings": found[:MEETINGS_SHOWN], "more_meetings": len(found) > MEETINGS_SHOWN}


def _join(request, user):
    meeting_id = params.object_id(request.POST.get("meeting"))
    meeting = Meeting.objects.visible_to(user).filter(pk=meeting_id).first() if meeting_id else None
    if meeting is None:
        messages.error(request, _("That meeting isn't in the directory any more. Search again, or add your group."))
        return redirect("welcome:group")
    with transaction.atomic():
        first_run = services.locked_first_run(user)
        joined, created = network.join_meeting(user, meeting)
        first_run.record(Step.GROUP, Outcome.DONE)
    said = _("You joined %(group)s.") if created else _("%(group)s is already yours.")
    messages.success(request, said % {"group": joined.name})
    return _onwards(request, first_run, Step.GROUP)


@login_required
def checkin(request):
    user = request.user

    def save(form, first_run):
        form.save()
        return _("We'll remind you to check in at %(time)s your time (%(zone)s).") % {
            "time": time_format(user.checkin_time, "g:i A"),
            "zone": user.time_zone,
        }

    return _step(
        request,
        Step.CHECKIN,
        lambda first_run, data: CheckInTimeForm(data, instance=user),
        save,
        nothing_needed=lambda: True,  # the defaults (8 p.m. in the zone from sign-up) are a fine answer
    )


@login_required
def sharing(request):
    return _step(
        request,
        Step.SHARING,
        lambda first_run, data: NothingToAskForm(data),
        lambda form, first_run: None,
        nothing_needed=lambda: True,
        extra=lambda first_run: {"scopes": SCOPES},
    )


def _step(request, step, make_form, save, nothing_needed, extra=None):
    """Show a step, or take its answer. `save(form, first_run)` writes a valid answer and returns what to tell the
    person; `nothing_needed()` says whether leaving the step empty is an answer (the person already has one)."""
    user = request.user
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "save")
        with transaction.atomic():
            first_run = services.locked_first_run(user)
            if action == "skip":
                first_run.record(step, Outcome.SKIPPED)
                return _onwards(request, first_run, step)
            form = make_form(first_run, request.POST)
            typed = form.has_changed()
            if action == "later" and not typed:
                first_run.set_aside()
                return _later(request)
            if not typed and nothing_needed():
                first_run.record(step, Outcome.DONE)
                return _onwards(request, first_run, step)
            if form.is_valid():
                said = save(form, first_run)
                first_run.record(step, Outcome.DONE)
                if said:
                    messages.success(request, said)
                if action == "later":
                    first_run.set_aside()
                    return _later(request)
                return _onwards(request, first_run, step)
            # A refused answer leaves nothing behind: not even the first run made above to hold the lock, which
            # would send someone the admin or the demo made to the first run after their next sign-in.
            transaction.set_rollback(True)
        status = 400
    else:
        first_run = services.first_run_of(user)
        form = make_form(first_run, None)
    number = STEPS.index(step) + 1
    context = {
        "first_run": first_run,
        "step": step,
        "number": number,
        "total": len(STEPS),
        "previous": STEPS[number - 2] if number > 1 else None,
        "form": form,
        **(extra(first_run) if extra else {}),
    }
    return render(request, f"welcome/{step}.html", context, status=status)


def _onwards(request, first_run, after):
    step = first_run.next_step(after)
    if step is None:
        messages.success(request, _("You're set up. Everything you added is below and in your network."))
        return redirect("home")
    return redirect(f"welcome:{step}")


def _later(request):
    messages.info(request, _("Saved. Setting up can wait: pick it up from your home page whenever you like."))
    return redirect("home")
