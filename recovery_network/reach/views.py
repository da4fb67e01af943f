"""Reach out now's pages: the person's (sign-in required, their own rows only, someone else's id a 404) and
the supporter's, opened by a link that is a key (no account needed; GET only shows, a POST acts, so a mail
scanner following links changes nothing)."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from recovery_network import params
from supports.models import Influence, Supporter

from . import links, services
from .forms import AcceptForm, AlertForm
from .models import Alert, AlertAnswer, AlertContact, AlertSend

# The person's side


@login_required
def now(request):
    """ "I need support now": send at once, or with a few words. A POST from any page's button lands here."""
    user = request.user
    form = AlertForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            alert, created = services.raise_alert(user, form.cleaned_data["words"])
        except services.ReachProblem as problem:
            return _now_page(request, form, problem=str(problem), status=429 if _over_limit(user) else 200)
        if not created:
            messages.info(request, gettext("Your call for support is already out; here is who has answered."))
        return redirect("reach:alert", pk=alert.pk)
    return _now_page(request, form, status=400 if form.errors else 200)


def _over_limit(user):
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    return Alert.objects.for_owner(user).since(an_hour_ago).count() >= settings.ALERT_MAX_PER_HOUR


def _now_page(request, form, problem="", status=200):
    contacts = list(AlertContact.objects.for_owner(request.user).accepted().select_related("supporter").in_order())
    context = {
        "form": form,
        "problem": problem,
        "first_wave": contacts[: settings.ALERT_WAVE_SIZE],
        "later": contacts[settings.ALERT_WAVE_SIZE :],
        "minutes": settings.ALERT_ANSWER_MINUTES,
        "live": Alert.objects.for_owner(request.user).live(timezone.now(), services.live_for()).first(),
    }
    return render(request, "reach/now.html", context, status=status)


def _alert_context(request, pk):
    alert = Alert.objects.get_for_owner_or_404(request.user, pk=pk)
    answers = list(alert.answers.select_related("contact__supporter"))
    sends = list(alert.sends.select_related("contact__supporter").order_by("wave", "contact__position", "id"))
    people = {}
    for row in sends:
        person = people.setdefault(row.contact_id, {"contact": row.contact, "wave": row.wave, "sends": []})
        person["sends"].append(row)
    waves = list(alert.waves.all())
    return {
        "alert": alert,
        "answers": answers,
        "people": list(people.values()),
        "waves": waves,
        "waiting_past_deadline": alert.is_open and len(waves) > 1,
        "no_one_left": alert.status == Alert.Status.UNANSWERED,
        "no_one_now": bool(waves) and waves[0].size == 0,
        "minutes": settings.ALERT_ANSWER_MINUTES,
        "poll_seconds": 5,
    }


@login_required
def alert(request, pk):
    return render(request, "reach/alert.html", _alert_context(request, pk))


@login_required
def alert_live(request, pk):
    """The live part of an alert's page, fetched every few seconds by static/js/reach.js."""
    return render(request, "reach/includes/alert_live.html", _alert_context(request, pk))


@login_required
@require_POST
def close(request, pk):
    alert = Alert.objects.get_for_owner_or_404(request.user, pk=pk)
    services.close(alert)
    messages.success(request, gettext("Closed. No one more will be alerted. We're glad you reached out."))
    return redirect("reach:alert", pk=alert.pk)


@login_required
def history(request):
    alerts = (
        Alert.objects.for_owner(request.user)
        .prefetch_related(
            Prefetch("answers", queryset=AlertAnswer.objects.select_related("contact__supporter")),
            Prefetch("sends", queryset=AlertSend.objects.select_related("contact__supporter")),
            "waves",
        )
        .order_by("-created_at", "-id")
    )
    page = Paginator(alerts, 20).get_page(params.integer(request.GET.get("page"), 1, 10_000))
    return render(request, "reach/history.html", {"page": page})


# The people offered to ask, closest first: two or three from the inner circle is what the list is for.
ASKABLE_SHOWN = 30


@login_required
def people(request):
    user = request.user
    contacts = list(AlertContact.objects.for_owner(user).select_related("supporter").in_order())
    listed = [contact.supporter_id for contact in contacts if contact.status != AlertContact.Status.WITHDRAWN]
    # Someone marked as a risk to the person's recovery is not who a hard moment should reach: not offered.
    supporters = (
        Supporter.objects.for_owner(user)
        .active()
        .exclude(pk__in=listed)
        .exclude(influence=Influence.RISK)
        .order_by("closeness", "name", "pk")
    )
    with_address = Q(email__gt="") | Q(phone__gt="") | Q(linked_user__isnull=False)
    context = {
        "listed": [c for c in contacts if c.status != AlertContact.Status.WITHDRAWN],
        "askable": list(supporters.filter(with_address).only("name", "closeness")[: ASKABLE_SHOWN + 1]),
        "askable_shown": ASKABLE_SHOWN,
        "no_address": list(supporters.exclude(with_address).only("name", "closeness")[:6]),
        "wave_size": settings.ALERT_WAVE_SIZE,
        "minutes": settings.ALERT_ANSWER_MINUTES,
    }
    return render(request, "reach/people.html", context)


@login_required
@require_POST
def ask(request, supporter_pk):
    supporter = Supporter.objects.get_for_owner_or_404(request.user, pk=supporter_pk)
    try:
        contact = services.ask(request.user, supporter)
    except services.ReachProblem as problem:
        messages.error(request, str(problem))
    else:
        where = services.request_channel(contact)
        messages.success(
            request,
            gettext("%(name)s has been asked %(where)s. Nothing reaches them unless they agree.")
            % {"name": supporter.name, "where": where},
        )
    return redirect("reach:people")


@login_required
@require_POST
def withdraw(request, pk):
    contact = AlertContact.objects.get_for_owner_or_404(request.user, pk=pk)
    services.withdraw(contact)
    messages.success(
        request, gettext("%(name)s is off your list; no alert will reach them.") % {"name": contact.supporter.name}
    )
    return redirect("reach:people")


@login_required
@require_POST
def move(request, pk):
    contact = AlertContact.objects.get_for_owner_or_404(request.user, pk=pk)
    services.move(contact, up=request.POST.get("direction") != "down")
    return redirect("reach:people")


# The supporter's side: links that are keys


def _link_problem(request, message, status):
    return render(request, "reach/link_problem.html", {"message": message}, status=status)


def _expired(request, message):
    return _link_problem(request, message, 410)


def _unknown(request):
    return _link_problem(request, gettext("This link isn't valid, or a newer one has replaced it."), 404)


def request_page(request, token):
    """A supporter's answer to "would you be there?": accept (with night alerts and a number), or decline."""
    try:
        contact = links.contact_from_request(token)
    except links.Expired:
        return _expired(request, gettext("This request link has expired."))
    if contact is None:
        return _unknown(request)
    if contact.status not in (AlertContact.Status.ASKED, AlertContact.Status.DECLINED):
        return render(request, "reach/request_done.html", {"contact": contact, "token": token})
    initial = {"phone": contact.supporter.phone, "time_zone": contact.time_zone}
    form = AcceptForm(request.POST or None, initial=initial, needs_phone=not (contact.email or contact.user_id))
    if request.method == "POST":
        try:
            if request.POST.get("answer") == "decline":
                services.decline(contact)
            elif form.is_valid():
                services.accept(contact, **form.cleaned_data)
            else:
                return _request_form(request, contact, form, token, status=400)
        except services.ReachProblem as problem:
            return _link_problem(request, str(problem), 410)
        return render(request, "reach/request_done.html", {"contact": contact, "token": token})
    return _request_form(request, contact, form, token)


def _request_form(request, contact, form, token, status=200):
    context = {
        "contact": contact,
        "form": form,
        "token": token,
        "max_per_hour": settings.ALERT_MAX_PER_HOUR,
        "stop_url": links.stop_path(contact),
    }
    return render(request, "reach/request.html", context, status=status)


def answer_page(request, token):
    """An alert, as its supporter opens it: the person's words, and one tap to say they are reaching out."""
    try:
        found = links.alert_from_answer(token)
    except links.Expired:
        return _expired(request, gettext("This alert link has expired."))
    if found is None:
        return _unknown(request)
    alert, contact = found
    if contact.status != AlertContact.Status.ACCEPTED:
        return _link_problem(request, gettext("You have stopped these alerts, so this one is closed to you."), 410)
    answered = alert.answers.filter(contact=contact).first()
    problem = ""
    if request.method == "POST":
        try:
            answered, _ = services.answer(alert, contact)
        except services.ReachProblem as exc:
            problem = str(exc)
    else:
        services.log_opened(alert, contact, request.path)
    context = {"alert": alert, "contact": contact, "answered": answered, "problem": problem}
    context["stop_url"] = links.stop_path(contact)
    return render(request, "reach/answer.html", context, status=410 if problem else 200)


@csrf_exempt  # mail providers POST here for one-click unsubscribe (RFC 8058); the signed token is the key
def stop_page(request, token):
    """Stop alerts: GET asks (link scanners must not stop anyone), POST stops — one click, RFC 8058 too."""
    contact = links.contact_from_stop(token)
    if contact is None:
        return _unknown(request)
    done = False
    if request.method == "POST":
        services.stop(contact)
        done = True
    return render(request, "reach/stop.html", {"contact": contact, "done": done, "token": token})
