"""Pages of the progress area. Every page is the signed-in person's own; another
person's journey, goal or day is a 404 through `get_for_owner_or_404`."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateformat import format as format_date
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html_join
from django.utils.text import get_text_list
from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from recovery_network import params
from supports.models import Contact

from . import celebration, ics, network_effects, services, streak_calendar, trends, wins
from .forms import (
    CHOOSABLE,
    CheckInForm,
    ChoiceSearchForm,
    EncouragementForm,
    JourneyWithCostForm,
    PersonalGoalForm,
    SentFromDeviceForm,
    SetbackForm,
)
from .models import (
    FILL_IN_DAYS,
    TRIGGER_LABELS,
    CalendarFeed,
    CheckIn,
    Encouragement,
    Journey,
    PersonalGoal,
    days_to_fill_in,
    fill_in_window,
)

OWN_TRIGGER_DAYS = 180


def _posted(request):
    """The submitted data, or None for a GET: an empty submit is still a submit and gets its errors."""
    return request.POST if request.method == "POST" else None


@login_required
def overview(request):
    """The page's body is a {% cache %} fragment under the person's data version, local date and zone;
    what it shows is worked out only when the cache doesn't have it."""
    user = request.user
    today = user.local_today()
    return render(
        request,
        "milestones/overview.html",
        {"today": today, "progress": SimpleLazyObject(lambda: _overview_context(user, today))},
    )


def _overview_context(user, today):
    journeys = list(Journey.objects.for_owner(user).with_history())
    goals = list(PersonalGoal.objects.for_owner(user).select_related("journey"))
    recent = list(CheckIn.objects.for_owner(user).between(today - dt.timedelta(days=6), today))
    today_checkin = next((c for c in recent if c.local_date == today), None)
    support_day = today_checkin is not None and today_checkin.needs_support
    return {
        "journeys": [_journey_summary(journey, today, support_day) for journey in journeys],
        "goals_upcoming": [{"goal": g, "days_to_go": g.days_to_go(today)} for g in goals if not g.is_reached(today)],
        "goals_reached": [g for g in goals if g.is_reached(today)],
        "today_checkin": today_checkin,
        # A use recorded or a high craving today: the page offers the person's people, not a celebration.
        "support_day": support_day,
        "recent_checkins": recent,
        "wins": wins.small_wins(user, today),
    }


def _journey_summary(journey, today, support_day=False):
    streaks = journey.streaks(today)
    return {
        "journey": journey,
        "support_day": support_day,
        "clean_time": journey.clean_time(today),
        "today_key": f"day{journey.clean_days(today)}",
        "weeks": journey.clean_days(today) // 7,
        "upcoming": journey.upcoming_milestones(today, 3),
        "past": journey.past_milestones(today),
        "milestone_today": journey.milestone_today(today),
        "streaks": streaks,
        "total_sober_days": sum(s.days for s in streaks),
        "longest_streak": max(streaks, key=lambda s: s.days),
        "setbacks": list(journey.setbacks.all()),
    }


def _form(request, make_form):
    """The page's form: on a GET a lazy one, built only when the template's {% cache %} of its unbound
    rendering (`keep`) misses; on a POST the bound form, rendered each time with its errors."""
    if request.method == "POST":
        return make_form(request.POST), False
    return SimpleLazyObject(lambda: make_form(None)), True


@login_required
def journey_create(request):
    user = request.user
    today = user.local_today()
    form, keep = _form(request, lambda data: JourneyWithCostForm(data, today=today, initial={"started_on": today}))
    if not keep and form.is_valid():
        journey = services.start_journey(
            user,
            kind=form.cleaned_data["kind"],
            own_words=form.cleaned_data["own_words"],
            started_on=form.cleaned_data["started_on"],
            **form.costs(),
        )
        messages.success(
            request, gettext("Your journey “%(name)s” is saved. Every day counts.") % {"name": journey.name}
        )
        return redirect("milestones:journey", pk=journey.pk)
    return render(request, "milestones/journey_form.html", {"form": form, "keep": keep, "today": today})


HISTORY_PER_PAGE = 10


@login_required
def journey_detail(request, pk):
    """The journey's clean time, milestones, the last twelve weeks of check-ins (one query) and its history.
    Setbacks and streaks are shown ten at a time, newest first, with a link to older ones (?page=): every one
    stays reachable, none crowds the page. The body is a {% cache %} fragment under the person's data version,
    local date, zone and page."""
    user = request.user
    journey = Journey.objects.get_for_owner_or_404(user, pk=pk)
    today = user.local_today()
    page_number = params.integer(request.GET.get("page"), 1, 10**6) or 1

    def details():
        calendar = streak_calendar.for_journey(user, journey, today)
        summary = _journey_summary(journey.load_history(), today, calendar.support_today)
        first = (page_number - 1) * HISTORY_PER_PAGE
        streaks, setbacks = summary["streaks"][::-1], summary["setbacks"][::-1]
        return {
            "summary": summary,
            "upcoming": journey.upcoming_milestones(today, 6),
            "calendar": calendar,
            "streaks": streaks[first : first + HISTORY_PER_PAGE],
            "setbacks": setbacks[first : first + HISTORY_PER_PAGE],
            "older": max(len(streaks), len(setbacks)) > first + HISTORY_PER_PAGE,
        }

    context = {"today": today, "journey": journey, "page_number": page_number, "details": SimpleLazyObject(details)}
    return render(request, "milestones/journey_detail.html", context)


@login_required
def journey_edit(request, pk):
    user = request.user
    journey = Journey.objects.get_for_owner_or_404(user, pk=pk)
    today = user.local_today()
    form, keep = _form(request, lambda data: JourneyWithCostForm(data, instance=journey.load_history(), today=today))
    if not keep and form.is_valid():
        form.save()
        messages.success(request, gettext("Your journey is updated."))
        return redirect("milestones:journey", pk=journey.pk)
    return render(
        request, "milestones/journey_form.html", {"form": form, "keep": keep, "today": today, "journey": journey}
    )


@login_required
def setback_create(request, pk):
    user = request.user
    journey = Journey.objects.get_for_owner_or_404(user, pk=pk)
    today = user.local_today()
    form, keep = _form(
        request,
        lambda data: SetbackForm(data, owner=user, journey=journey, today=today, initial={"happened_on": today}),
    )
    if not keep and form.is_valid():
        data = form.cleaned_data
        setback = services.record_setback(
            journey,
            happened_on=data["happened_on"],
            restart_on=data["restart_on"],
            what_happened=data["what_happened"],
            what_learned=data["what_learned"],
            reach_out_to=data["reach_out_to"],
            reach_out_supporter=data["reach_out_supporter"],
        )
        if setback.restarted:
            messages.success(
                request,
                gettext(
                    "Thank you for being honest with yourself. Your new count begins on "
                    "%(day)s, and every earlier day is still yours."
                )
                % {"day": format_date(setback.restart_on, gettext("j F Y"))},
            )
        else:
            messages.success(
                request, gettext("Thank you for being honest with yourself. It's recorded; your count goes on.")
            )
        return redirect("milestones:journey", pk=journey.pk)
    context = {"form": form, "keep": keep, "today": today, "journey": journey}
    return render(request, "milestones/setback_form.html", context)


def _own_triggers(user, today):
    """The person's own words for triggers in recent check-ins, offered again as choices.

    One query, on the (owner, local_date) index of `one_checkin_per_local_day`.
    """
    seen = []
    rows = CheckIn.objects.for_owner(user).filter(local_date__gte=today - dt.timedelta(days=OWN_TRIGGER_DAYS))
    for triggers in rows.values_list("triggers", flat=True):
        for trigger in triggers:
            if trigger not in TRIGGER_LABELS and trigger not in seen:
                seen.append(trigger)
    return sorted(seen, key=str.lower)


@login_required
def checkin(request):
    """Today's check-in: one per local day, created or edited on that day."""
    today = request.user.local_today()
    return _checkin_page(request, today, today)


@login_required
def checkin_day(request, day):
    """A missed day filled in later (`day` is a local date up to FILL_IN_DAYS back), or such a day's check-in
    changed while the window is open. A day checked in on the day itself stays as it was lived."""
    user = request.user
    today = user.local_today()
    if day == today:
        return redirect("milestones:checkin")
    oldest = fill_in_window(today)[0]
    checked_in_on_the_day = False
    if day > today:
        closed = gettext("%(day)s hasn't come yet. You can check in for it on the day.") % {
            "day": format_date(day, gettext("l j F"))
        }
    elif day < oldest:
        closed = ngettext(
            "Missed days can be filled in up to %(count)s day back, and %(day)s is further back "
            "than that. The days you did check in are all still counted.",
            "Missed days can be filled in up to %(count)s days back, and %(day)s is further back "
            "than that. The days you did check in are all still counted.",
            FILL_IN_DAYS,
        ) % {"count": FILL_IN_DAYS, "day": format_date(day, gettext("l j F Y"))}
    elif CheckIn.objects.for_owner(user).filter(local_date=day, entered_late=False).exists():
        checked_in_on_the_day = True
        closed = gettext("You checked in on %(day)s itself, so that check-in stays as you lived the day.") % {
            "day": format_date(day, gettext("l j F"))
        }
    else:
        return _checkin_page(request, day, today)
    # A 400 tells the phone's script that a check-in it kept can't be saved, so it stops sending it.
    status = 400 if request.method == "POST" else 200
    context = {"day": day, "closed": closed, "checked_in_on_the_day": checked_in_on_the_day}
    return render(request, "milestones/checkin_closed.html", context, status=status)


def _checkin_page(request, day, today):
    """The check-in form for `day`: today's, or a missed day's (filled in later, and marked so)."""
    user = request.user
    late = day != today
    page = {"today": today, "day": day, "late": late}
    if request.method != "POST":
        # The form's inside is a {% cache %} fragment under the person's data version (any change to what it
        # shows bumps it) and the day; what it shows is read only when the cache doesn't have it.
        answers = SimpleLazyObject(lambda: _checkin_context(user, day, today))
        return render(request, "milestones/checkin_form.html", {**page, "keep": True, "answers": answers})
    if any(f"find-{name}" in request.POST for name in CHOOSABLE):
        # A search's button, pressed without JavaScript: the form comes back with the results and with
        # everything answered and chosen so far, neither judged nor saved.
        sent = CheckInForm(request.POST, owner=user).answers()
        form = CheckInForm(owner=user, own_triggers=_own_triggers(user, today), initial=sent, late=late)
        context = {**page, **_checkin_context(user, day, today, form, request.POST)}
        return render(request, "milestones/checkin_form.html", context)
    # The person's own trigger words are valid choices; they are read only when the submit names a
    # trigger outside the common list (a submit without one is checked against the common list alone).
    names_own = any(trigger not in TRIGGER_LABELS for trigger in request.POST.getlist("triggers"))
    own_triggers = _own_triggers(user, today) if names_own else ()
    form = CheckInForm(request.POST, owner=user, own_triggers=own_triggers, late=late)
    device = SentFromDeviceForm(request.POST, today=today)
    if not (form.is_valid() and device.is_valid()):
        if not names_own:  # shown again, the form offers their own words as it did
            form = CheckInForm(request.POST, owner=user, own_triggers=_own_triggers(user, today), late=late)
            form.is_valid()
        for problems in device.errors.values():
            for problem in problems:
                form.add_error(None, problem)
        # A 400 tells the phone's script that sent a check-in kept offline not to send it again.
        status = 400 if request.POST.get("device_key") else 200
        context = {**page, **_checkin_context(user, day, today, form, request.POST)}
        return render(request, "milestones/checkin_form.html", context, status=status)
    # Today's page saves for the day the phone says it was filled in (offline since yesterday: yesterday's);
    # a missed day's page saves for its own day, whenever it was sent.
    _save_checkin(request, form, device.cleaned_data, day if late else device.cleaned_data["filled_on"], late)
    if device.cleaned_data["device_key"]:  # sent by the page's script, which goes on to the overview itself
        return HttpResponse(status=204)
    return redirect("milestones:overview")


def _save_checkin(request, form, sent, day, late):
    user = request.user
    answers = form.core_answers() if sent["answers"] == "core" else form.checkin_fields()
    if sent["device_key"] is None:
        saved, created = services.save_checkin(user, day, entered_late=late, **answers)
    else:
        saved, created = services.save_checkin_from_device(user, sent["device_key"], day, entered_late=late, **answers)
        if saved is None:
            messages.info(request, gettext("That check-in was already saved."))
            return
    if saved.sober == CheckIn.Sober.NO:
        messages.info(
            request,
            gettext(
                "Thank you for checking in honestly. A hard day is part of many recoveries. "
                "If you'd like, you can record it as a setback from your journey page."
            ),
        )
    elif late:
        messages.success(
            request,
            gettext("Your check-in for %(day)s is saved (filled in later). Every day counts.")
            % {"day": format_date(day, gettext("l j F"))},
        )
    elif day != user.local_today():
        messages.success(
            request,
            gettext("Your check-in for %(day)s is saved. Well done for showing up.")
            % {"day": format_date(day, gettext("l j F"))},
        )
    elif created:
        messages.success(request, gettext("Checked in for today. Well done for showing up."))
    else:
        messages.success(request, gettext("Updated."))


def _checkin_context(user, day, today, form=None, posted=None):
    """The form for `day`, with a bounded few of the person's supporters and groups drawn as checkboxes and,
    for a network larger than that, a search (its results when `posted` asked for them)."""
    existing = (
        CheckIn.objects.for_owner(user)
        .filter(local_date=day)
        .prefetch_related("helped_supporters", "helped_groups")
        .first()
    )
    if form is None:
        form = CheckInForm(
            None,
            owner=user,
            own_triggers=_own_triggers(user, today),
            initial=CheckInForm.initial_for(existing),
            late=day != today,
        )
    searches = {}
    for name in CHOOSABLE:
        if form.offer(name):
            shown = [pk for pk, _ in form.fields[name].choices]
            page_number = posted.get(f"find-{name}") if posted else None
            searches[name] = _search(user, name, ChoiceSearchForm(posted, prefix=name), page_number, shown)
    journeys = list(Journey.objects.for_owner(user))
    return {
        "form": form,
        "existing": existing,
        "journeys": journeys,
        "setback_links": _setback_links(journeys),
        "searches": searches,
        "searched": any(search["q"] for search in searches.values()),
    }


def _setback_links(journeys):
    """Each journey's "record a setback" link, for one sentence of the check-in: "… from <a>Alcohol</a> or
    <a>Gambling</a>."."""
    # Translators: between the names of two journeys, as in "from Alcohol or Gambling".
    separator = " " + pgettext("between journeys", "or") + " "
    links = ((reverse("milestones:setback_create", args=[journey.pk]), journey.name) for journey in journeys)
    return format_html_join(separator, '<a href="{}">{}</a>', links)  # the separator and names escaped


FOUND_PER_PAGE = 10
# The search's words; its results' sentences are in milestones/includes/checkin_found.html, one set per name.
SEARCH_WORDS = {
    "supporters": {"label": gettext_lazy("Find someone else in your network")},
    "groups": {"label": gettext_lazy("Find another of your groups")},
}


def _search(user, name, asked, page_number, shown):
    """A page of the owner's own active supporters (or groups) whose name holds what was `asked`, leaving out
    those the form already shows (ids); no page before anything is typed."""
    q = asked.cleaned_data["q"] if asked.is_valid() else ""
    page = None
    if q:
        found = CheckInForm.choosable(user, name).filter(name__icontains=q).exclude(pk__in=shown)
        page = Paginator(found.order_by("name", "pk"), FOUND_PER_PAGE).get_page(page_number)
    url = reverse(f"milestones:checkin_{name}")
    return {"name": name, "form": asked, "q": q, "page": page, "url": url, **SEARCH_WORDS[name]}


@login_required
@require_safe
def checkin_find(request, name):
    """The check-in's search as an HTML fragment, which its script asks for as the person types:
    ?q= a name, ?page=, and ?shown= for each id the form already draws as a checkbox."""
    shown = {params.object_id(value) for value in request.GET.getlist("shown")} - {None}
    search = _search(request.user, name, ChoiceSearchForm(request.GET), request.GET.get("page"), shown)
    return render(request, "milestones/includes/checkin_found.html", {"search": search})


CHECKINS_PER_PAGE = 30


@login_required
def checkin_history(request):
    """Thirty check-ins a page, newest first. The table is a {% cache %} fragment under the person's data
    version and the page number; the page's rows are read only when the cache doesn't have it."""
    user = request.user
    today = user.local_today()
    page_number = params.integer(request.GET.get("page"), 1, 10**6) or 1
    page = SimpleLazyObject(lambda: Paginator(CheckIn.objects.for_owner(user), CHECKINS_PER_PAGE).get_page(page_number))

    def missed():
        # The first page holds the newest thirty, so every check-in of the fill-in window is on it.
        if page_number != 1 or not page.object_list:
            return []
        return days_to_fill_in({checkin.local_date for checkin in page.object_list}, today)

    context = {"page": page, "page_number": page_number, "today": today, "missed": SimpleLazyObject(missed)}
    return render(request, "milestones/checkin_history.html", context)


@login_required
def checkin_detail(request, day):
    """`day` is a local date (the path's <date:…>: anything but a real YYYY-MM-DD is a 404 before this).
    The summary is a {% cache %} fragment under the person's data version; the supporters and groups
    that helped are read only when the cache doesn't have it."""
    user = request.user
    checkin = CheckIn.objects.get_for_owner_or_404(user, local_date=day)
    today = user.local_today()
    context = {"checkin": checkin, "is_today": day == today, "can_change": checkin.can_change(today)}
    return render(request, "milestones/checkin_detail.html", context)


def _celebration(
    request,
    *,
    milestone_title,
    due_on,
    short,
    encouragements,
    back_url,
    journey=None,
    goal=None,
    milestone=None,
    key="",
):
    """A milestone's or a goal's page: its chip, the kind words kept for it, and a form to keep one more.

    A journey's `milestone` can also be told to the owner's circle (the people they share clean time with
    see journeys, not goals): the page says who could hear of it, and its "Tell my circle" posts here."""
    user = request.user
    today = user.local_today()
    if milestone is not None and request.method == "POST" and "tell_circle" in request.POST:
        return _tell_circle(request, milestone, today)
    form = EncouragementForm(_posted(request), owner=user, today=today)
    if request.method == "POST" and form.is_valid():
        encouragement = form.save(commit=False)
        encouragement.owner, encouragement.journey, encouragement.goal = user, journey, goal
        encouragement.milestone_key = key
        encouragement.save()
        messages.success(request, gettext("Saved. It will be here whenever you come back to this day."))
        return redirect(request.path)
    zone = user.zone
    day_start = dt.datetime.combine(due_on, dt.time.min, tzinfo=zone)
    contacts = (
        Contact.objects.for_owner(user)
        .filter(happened_at__gte=day_start, happened_at__lt=day_start + dt.timedelta(days=1))
        .select_related("supporter")
    )
    return render(
        request,
        "milestones/celebrate.html",
        {
            "title": milestone_title,
            "short": short,
            "due_on": due_on,
            "today": today,
            "is_reached": due_on <= today,
            "is_today": due_on == today,
            "days_to_go": (due_on - today).days,
            "encouragements": list(encouragements),
            "contacts": list(contacts),
            # Said in one sentence on the page ("On this day you were in touch with …").
            "contact_names": ", ".join(contact.supporter.name for contact in contacts),
            "form": form,
            "back_url": back_url,
            "journey": journey,
            "circle": celebration.ask(milestone, user) if milestone is not None else None,
        },
    )


def _tell_circle(request, milestone, today):
    if not milestone.is_reached(today):
        messages.info(request, gettext("You can tell your circle once the day comes."))
    elif told := celebration.tell(milestone, request.user):
        messages.success(
            request,
            ngettext(
                "Told %(names)s. A note from you is waiting for them.",
                "Told %(names)s. A note from you is waiting for them.",
                len(told),
            )
            % {"names": get_text_list(told, gettext("and"))},
        )
    else:
        messages.info(request, gettext("There was no one new to tell: everyone who hears of your milestones knows."))
    return redirect(f"{request.path}#circle")


@login_required
def celebrate(request, pk, key):
    """A celebration page for any milestone of a journey's count: scheduled ("m12") or any day ("day45")."""
    user = request.user
    journey = Journey.objects.get_for_owner_or_404(user, pk=pk)
    milestone = journey.milestone_named(key)
    if milestone is None:
        raise Http404("No such milestone.")
    encouragements = Encouragement.objects.for_owner(user).filter(
        Q(journey=journey, milestone_key=milestone.key) | Q(received_on=milestone.due_on, milestone_key="")
    )
    return _celebration(
        request,
        milestone_title=f"{milestone.label} — {journey.name}",
        due_on=milestone.due_on,
        short=milestone.short,
        encouragements=encouragements.select_related("supporter"),
        back_url=reverse("milestones:journey", args=[journey.pk]),
        journey=journey,
        milestone=milestone,
        key=milestone.key,
    )


@login_required
def goal_create(request):
    user = request.user
    journey_id = params.object_id(request.GET.get("journey"))  # the journey a day count counts from, if given
    form, keep = _form(request, lambda data: PersonalGoalForm(data, owner=user, initial={"journey": journey_id}))
    if not keep and form.is_valid():
        goal = form.save(commit=False)
        goal.owner = user
        goal.save()
        messages.success(request, gettext("Your goal “%(title)s” is saved.") % {"title": goal.title})
        return redirect("milestones:overview")
    return render(request, "milestones/goal_form.html", {"form": form, "keep": keep, "journey_id": journey_id})


@login_required
@require_POST
def goal_delete(request, pk):
    goal = PersonalGoal.objects.get_for_owner_or_404(request.user, pk=pk)
    goal.delete()
    messages.success(request, gettext("The goal is removed."))
    return redirect("milestones:overview")


@login_required
def goal_celebrate(request, pk):
    user = request.user
    goal = PersonalGoal.objects.select_related("journey").get_for_owner_or_404(user, pk=pk)
    return _celebration(
        request,
        milestone_title=goal.title,
        due_on=goal.due_on,
        short=goal.short,
        encouragements=Encouragement.objects.for_owner(user).filter(goal=goal).select_related("supporter"),
        back_url=reverse("milestones:overview"),
        goal=goal,
        key=f"goal{goal.pk}",
    )


@login_required
def trends_page(request):
    """The charts are a {% cache %} fragment under the person's data version, local date, zone and the
    period; the period's check-ins are read only when the cache doesn't have it. Days with each supporter and
    group (always the last 90 days) are in the same fragment, read as lazily: only the owner sees them."""
    user = request.user
    period = params.integer(request.GET.get("days"), 1, max(trends.PERIODS))
    period = period if period in trends.PERIODS else trends.DEFAULT_PERIOD
    today = user.local_today()
    context = {
        "today": today,
        "period_days": period,
        "periods": trends.PERIODS,
        "trend": SimpleLazyObject(lambda: trends.trends_for(user, period, today)),
        "network": SimpleLazyObject(lambda: network_effects.network_effects(user, today)),
    }
    return render(request, "milestones/trends.html", context)


@login_required
def calendar_settings(request):
    user = request.user
    feed = CalendarFeed.objects.filter(owner=user).first()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create" and feed is None:
            CalendarFeed.objects.create(owner=user)
            messages.success(request, gettext("Your private calendar address is ready."))
        elif action == "regenerate" and feed is not None:
            feed.regenerate()
            messages.success(request, gettext("You have a new address. The old one no longer works."))
        elif action == "delete" and feed is not None:
            feed.delete()
            messages.success(request, gettext("Your calendar feed is turned off. The old address no longer works."))
        return redirect("milestones:calendar")
    feed_url = (
        request.build_absolute_uri(reverse("milestones:calendar_feed", args=[feed.token])) if feed is not None else ""
    )
    return render(request, "milestones/calendar.html", {"feed": feed, "feed_url": feed_url})


@never_cache
@require_safe
def calendar_feed(request, token):
    """The feed itself: no sign-in (calendar apps can't), the unguessable token is the key."""
    feed = CalendarFeed.objects.select_related("owner").filter(token=token).first()
    if feed is None or not feed.owner.is_active:
        raise Http404("No such calendar.")
    with translation.override(feed.owner.language):  # a calendar app sends no language: the feed is its owner's
        calendar = ics.build_calendar(feed.owner, timezone.now())
    response = HttpResponse(calendar, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="recovery-calendar.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response
