"""Pages of the circle of care.

The owner's own pages fetch through get_for_owner_or_404 like every other page.
Pages that show an owner's data to someone else go through
sharing.open_shared_or_404, which checks the grant or consent on every request
and writes the access log entry.
"""

import datetime as dt
import functools

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.core.paginator import Paginator
from django.db.models import Count, Max
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from milestones import trends
from milestones.models import Encouragement, Journey, Setback
from recovery_network import params, two_factor
from recovery_network.capital.models import CapitalCheck
from recovery_network.capital.trends import capital_trend
from supports.models import Attendance
from supports.network import find_gaps, network_summary
from supports.support_map import build_support_map

from . import caseload as caseload_module
from . import consent_requests, log_lines, renewals, sharing, warning_signs
from .access_log import entries as log_entries
from .forms import (
    AcceptForm,
    ConsentForm,
    EncouragementForm,
    InvitationForm,
    RecommendationForm,
    RenewalForm,
    ScopesForm,
)
from .models import AccessEvent, Consent, ConsentRequest, Grant, Invitation, Recommendation

ATTENDANCE_DAYS = 30
# Lists on shared pages that grow with the owner's history go a page at a time.
SETBACKS_PER_PAGE = 20
CAPITAL_CHECKS_SHOWN = 24  # two years of monthly check-ups
RECOMMENDATIONS_PER_PAGE = 10


def _page_number(request, name):
    return params.integer(request.GET.get(name, ""), 1, 10**6) or 1


def two_factor_gate(view):
    """Counselors open client data only from a session that passed two-factor authentication; otherwise
    a page says how: set up an authenticator app, or confirm this session with a code from it."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except sharing.TwoFactorRequired:
            context = {"has_totp": two_factor.account_has_totp(request.user), "next": request.get_full_path()}
            return render(request, "care/two_factor_required.html", context, status=403)

    return wrapper


# The owner's side


@login_required
def circle(request):
    """Who sees what, kept rendered (circle.html) under the owner's data_version: grants, consents,
    invitations and recommendations are the owner's records. Those who share with this person are
    other people's records: accepting or ending a grant or consent bumps this person too (sharing.py),
    and the quarter hour covers a consent lapsing. The buttons submit one form outside the kept part,
    which carries the CSRF token."""
    user = request.user
    number = _page_number(request, "recommendations")
    return render(
        request,
        "care/circle.html",
        {
            "local_today": user.local_today(),  # a consent lapses at the end of its last day
            "recommendation_page": number,
            "circle": SimpleLazyObject(lambda: _circle_context(user, number)),
        },
    )


def _circle_context(user, recommendation_page):
    now = timezone.now()
    consents = list(Consent.objects.for_owner(user).select_related("counselor", "owner"))
    for consent in consents:
        consent.status = consent.status_label(now)
        consent.renewable = renewals.is_renewable(consent)
    held_grants, held_consents = sharing.shared_with(user, now)
    return {
        "grants": list(Grant.objects.for_owner(user).active().select_related("viewer")),
        "consents": consents,
        "invitations": list(Invitation.objects.for_owner(user).pending(now).select_related("supporter")),
        "recommendations": Paginator(Recommendation.objects.for_owner(user), RECOMMENDATIONS_PER_PAGE).get_page(
            recommendation_page
        ),
        "held_grants": held_grants,
        "held_consents": held_consents,
    }


@login_required
def invite(request):
    user = request.user
    form = InvitationForm(request.POST or None, owner=user, initial={"supporter": request.GET.get("supporter")})
    if request.method == "POST" and form.is_valid():
        invitation = sharing.invite(
            user,
            form.cleaned_data["email"],
            scopes=form.cleaned_data["scopes"],
            supporter=form.cleaned_data["supporter"],
        )
        messages.success(
            request,
            ngettext(
                "Invitation sent to %(email)s. The link works for %(days)s day.",
                "Invitation sent to %(email)s. The link works for %(days)s days.",
                sharing.INVITATION_DAYS,
            )
            % {"email": invitation.email, "days": sharing.INVITATION_DAYS},
        )
        return redirect("care:circle")
    status = 400 if request.method == "POST" else 200
    return render(request, "care/invite.html", {"form": form}, status=status)


@login_required
@require_POST
def invitation_withdraw(request, pk):
    invitation = Invitation.objects.select_related("owner").get_for_owner_or_404(request.user, pk=pk)
    if sharing.withdraw_invitation(invitation):
        messages.success(
            request,
            _("The invitation to %(email)s is withdrawn; its link no longer works.") % {"email": invitation.email},
        )
    else:
        messages.info(request, _("That invitation was already answered or withdrawn."))
    return redirect("care:circle")


@login_required
def grant_edit(request, pk):
    grant = Grant.objects.active().select_related("viewer", "owner").get_for_owner_or_404(request.user, pk=pk)
    form = ScopesForm(request.POST or None, initial={"scopes": sorted(grant.scopes)})
    if request.method == "POST" and form.is_valid():
        sharing.change_scopes(grant, set(form.cleaned_data["scopes"]))
        messages.success(request, _("Saved what %(name)s can see.") % {"name": grant.viewer.name})
        return redirect("care:circle")
    status = 400 if request.method == "POST" else 200
    return render(request, "care/grant_form.html", {"form": form, "grant": grant}, status=status)


@login_required
@require_POST
def grant_revoke(request, pk):
    grant = Grant.objects.active().select_related("viewer", "owner").get_for_owner_or_404(request.user, pk=pk)
    sharing.revoke_grant(grant)
    messages.success(request, _("%(name)s no longer sees anything of yours.") % {"name": grant.viewer.name})
    return redirect("care:circle")


@login_required
@reauthentication_required
def consent_create(request):
    user = request.user
    local_today = user.local_today()
    form = ConsentForm(request.POST or None, owner=user, today=local_today)
    if request.method == "POST" and form.is_valid():
        consent = sharing.sign_consent(user, email=form.cleaned_data["email"], **form.signed_elements())
        messages.success(
            request, _("Consent signed. We sent %(name)s a link to accept it.") % {"name": consent.recipient_name}
        )
        return redirect("care:consent_detail", consent.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "care/consent_form.html", {"form": form, "local_today": local_today}, status=status)


@login_required
@two_factor_gate
def consent_detail(request, pk):
    """The signed consent, printable, for the client and the counselor alike (the counselor's copy names the
    client and why they are in care: client data, behind this session's second factor like the rest)."""
    consent = sharing.consent_for_party_or_404(request.user, pk)
    if request.user.pk != consent.owner_id:
        if not two_factor.verified(request):
            raise sharing.TwoFactorRequired()
        if consent.owner_id is not None:  # else the client erased their account: the record is the counselor's
            sharing.log(consent.owner, request.user, AccessEvent.Action.VIEWED, log_lines.SIGNED_CONSENT, request.path)
    context = {"consent": consent, "status": consent.status_label(), "is_owner": request.user.pk == consent.owner_id}
    return render(request, "care/consent_detail.html", {**context, **_renewal_context(request.user, consent)})


def _renewal_context(user, consent):
    """When the consent ends and how to renew it, for either side: the client's "Renew" opens the consent form;
    the counselor's asks the client, or says that they were asked."""
    if not renewals.is_renewable(consent):
        return {"renewable": False}
    client_today = consent.owner.local_today()
    context = {"renewable": True, "days_left": (consent.expires_on - client_today).days}
    if user.pk == consent.counselor_id:
        context["renewal_expires_on"] = renewals.renewal_expires_on(consent, client_today)
        context["renewal_request"] = ConsentRequest.objects.for_owner(user).pending().filter(renews=consent).first()
    return context


@login_required
def consent_renew(request, pk):
    """The client renews their consent: the consent form, started from it as it stands. Whose it is, and whether
    it can still be renewed, are settled before the password is asked for again."""
    consent = Consent.objects.select_related("owner", "counselor").get_for_owner_or_404(request.user, pk=pk)
    try:
        renewals.renewable_or_raise(consent)
    except renewals.NotRenewable as problem:
        messages.info(request, str(problem))
        return redirect("care:consent_detail", consent.pk)
    return _renew(request, consent)


@reauthentication_required
def _renew(request, consent):
    user = request.user
    local_today = user.local_today()
    form = RenewalForm(request.POST or None, consent=consent, owner=user, today=local_today)
    if request.method == "POST" and form.is_valid():
        try:
            renewal = renewals.renew_consent(
                consent,
                user,
                **form.signed_elements(),
            )
        except renewals.NotRenewable as problem:
            messages.info(request, str(problem))
            return redirect("care:consent_detail", consent.pk)
        messages.success(
            request,
            _(
                "Consent renewed. %(name)s keeps seeing what you chose, now until %(day)s; the consent it renews "
                "has ended."
            )
            % {"name": renewal.recipient_name, "day": format_date(renewal.expires_on, gettext("j F Y"))},
        )
        return redirect("care:consent_detail", renewal.pk)
    context = {"form": form, "local_today": local_today, "renewing": consent}
    return render(request, "care/consent_form.html", context, status=400 if form.is_bound else 200)


@login_required
@two_factor_gate
@require_POST
def consent_ask_renewal(request, pk):
    """The counselor's one click on the consent's page (which the reminder opens): the client is asked, by the
    consent-request email, to renew it. A second click finds the request waiting and sends nothing."""
    consent = sharing.consent_for_party_or_404(request.user, pk)
    if request.user.pk != consent.counselor_id:
        raise Http404("No consent here.")
    if not two_factor.verified(request):
        raise sharing.TwoFactorRequired()
    back = redirect(reverse("care:consent_detail", args=[consent.pk]) + "#renew")
    try:
        consent_request, made = consent_requests.ask_to_renew(consent, request.user)
    except renewals.NotRenewable as problem:
        messages.info(request, str(problem))
        return back
    if made:
        messages.success(
            request,
            _(
                "We asked %(name)s to renew this consent. They review it, may change any part, and sign; the "
                "renewal takes over the moment they do."
            )
            % {"name": consent.owner.name},
        )
    else:
        asked_on = timezone.localtime(consent_request.created_at)
        messages.info(
            request,
            _("You already asked %(name)s on %(day)s: nothing more was sent.")
            % {"name": consent.owner.name, "day": format_date(asked_on, gettext("j F"))},
        )
    return back


@login_required
@require_POST
def consent_revoke(request, pk):
    consent = Consent.objects.select_related("owner").get_for_owner_or_404(request.user, pk=pk)
    sharing.revoke_consent(consent)
    messages.success(
        request,
        _("Consent for %(name)s is revoked. They can no longer see your data.") % {"name": consent.recipient_name},
    )
    return redirect("care:circle")


@login_required
def access_log(request):
    before = request.GET.get("before")
    lines, older = sharing.access_log(request.user, before)
    # The log only grows and its lines never change: the lines a page shows name its kept rendering.
    shown = ",".join(line.cursor for line in lines)
    # A viewer's consecutive looks show as one entry ("Viewed 13 times"); every line stays in the log.
    context = {"entries": log_entries(lines), "older": older, "is_first": not before, "shown": shown}
    return render(request, "care/access_log.html", context)


@login_required
@require_POST
def recommendation_done(request, pk):
    recommendation = Recommendation.objects.get_for_owner_or_404(request.user, pk=pk)
    recommendation.mark_done()
    messages.success(request, _("Marked as done. Well done."))
    return redirect("care:circle")


# The invitee's side


def invitation(request, token):
    """Answer an invitation. Every way a link can fail gets a page that says what happened."""
    found = sharing.invitation_from_token(token)
    if found is None:
        return _invitation_problem(
            request, "unknown", _("This invitation link isn't valid. Check that it was copied whole."), 404
        )
    if not request.user.is_authenticated:
        return render(request, "care/invitation_sign_in.html", {"invitation": found, "next": request.path})
    try:
        sharing.check_invitation(found, request.user)
    except sharing.InvitationProblem as problem:
        return _invitation_problem(
            request, problem.code, str(problem), 403 if problem.code in ("wrong_account", "own") else 410
        )
    form = AcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("answer") == "decline":
                sharing.decline_invitation(found, request.user)
                messages.info(
                    request,
                    _("You declined %(name)s's invitation. Nothing is shared with you.") % {"name": found.owner.name},
                )
                return redirect("home")
            sharing.accept_invitation(found, request.user, link_supporter=form.cleaned_data["link_supporter"])
        except sharing.InvitationProblem as problem:
            return _invitation_problem(request, problem.code, str(problem), 410)
        messages.success(request, _("You're now in %(name)s's circle of care.") % {"name": found.owner.name})
        if found.is_counselor:
            return redirect("care:caseload")
        return redirect("care:person", found.owner_id)
    return render(request, "care/invitation.html", {"invitation": found, "form": form})


def _invitation_problem(request, code, message, status):
    return render(request, "care/invitation_problem.html", {"code": code, "message": message}, status=status)


# Family and friends


def _shared_context(access, now, setback_page=1):
    """What the page shows of the owner, section by section, only for the scopes the access allows (a section
    not allowed is None). Setbacks come a page at a time, newest first."""
    owner = access.owner
    today = owner.local_today(now)
    context = {"access": access, "owner": owner, "today": today, "scopes": access.scopes}
    context.update(dict.fromkeys(("journeys", "trend", "capital", "map", "map_key", "attendance", "setbacks")))
    if access.allows("clean_time"):
        journeys = []
        for journey in Journey.objects.for_owner(owner):
            upcoming = journey.upcoming_milestones(today, 1)
            journeys.append(
                {
                    "journey": journey,
                    "clean_time": journey.clean_time(today),
                    "next": upcoming[0] if upcoming else None,
                    "days_to_next": upcoming[0].days_to_go(today) if upcoming else None,
                }
            )
        context["journeys"] = journeys
    if access.allows("checkins"):
        # The trend only: averages and the two charts. Notes, gratitude and triggers stay private.
        full = trends.trends_for(owner, 30, today)
        context["trend"] = {
            name: full[name]
            for name in (
                "checkin_count",
                "mood_average",
                "craving_average",
                "mood_chart",
                "craving_chart",
                "mood_description",
                "craving_description",
                "first_day",
                "last_day",
            )
        }
    if access.allows("recovery_capital"):
        newest_first = CapitalCheck.objects.for_owner(owner).on_or_before(today)[:CAPITAL_CHECKS_SHOWN]
        context["capital"] = capital_trend(list(newest_first)[::-1])
    if access.allows("support_map"):
        # Viewers get no links; the map's group titles say when the owner last went: attendance is its own scope.
        support_map = build_support_map(owner, now, links=False, group_dates=access.allows("attendance"))
        context["map"] = support_map
        context["map_key"] = support_map.key(owner.name, None)
    if access.allows("attendance"):
        since = today - dt.timedelta(days=ATTENDANCE_DAYS - 1)
        context["attendance"] = {
            "since": since,
            "recent": list(Attendance.objects.for_owner(owner).filter(attended_on__gte=since).select_related("group")),
            "last": Attendance.objects.for_owner(owner).aggregate(last=Max("attended_on"))["last"],
        }
    if access.allows("setbacks"):
        setbacks = Setback.objects.for_owner(owner).select_related("journey").order_by("-happened_on", "-id")
        context["setbacks"] = Paginator(setbacks, SETBACKS_PER_PAGE).get_page(setback_page)
    return context


@login_required
def person(request, owner_id):
    now = timezone.now()
    access = sharing.open_shared_or_404(request, owner_id, role=sharing.FAMILY, now=now)
    return render(request, "care/person.html", _person_context(request, access, now))


@login_required
@require_POST
def person_encourage(request, owner_id):
    access = sharing.find_access(request.user, owner_id, role=sharing.FAMILY)
    if access is None or access.role != sharing.FAMILY:
        raise Http404("Nothing shared with you here.")
    form = EncouragementForm(request.POST)
    if not form.is_valid():
        now = timezone.now()
        access = sharing.open_shared_or_404(request, owner_id, role=sharing.FAMILY, now=now)
        return render(request, "care/person.html", _person_context(request, access, now, form), status=400)
    sharing.send_encouragement(access, message=form.cleaned_data["message"], phrase=form.cleaned_data["phrase"])
    messages.success(request, _("Sent. %(name)s will see it on their home page.") % {"name": access.owner.name})
    return redirect("care:person", access.owner.pk)


def _person_context(request, access, now, form=None):
    """The family page. What is shared, and what this viewer sent lately, are read only when their cached
    renderings (person.html, keyed on what they show) are missing: the template asks for them."""
    owner, viewer = access.owner, request.user
    return {
        "access": access,
        "owner": owner,
        "scopes": access.scopes,
        "warning_signs": warning_signs.shown_to(owner, viewer, access.scopes, now),
        "scope_key": ",".join(sorted(access.scopes)),
        "owner_today": owner.local_today(now),
        "setback_page": (setback_page := _page_number(request, "setbacks")),
        "shared": SimpleLazyObject(lambda: _shared_context(access, now, setback_page)),
        # An encouragement is the owner's record: sending one changes the owner's data_version.
        "sent": SimpleLazyObject(
            lambda: list(Encouragement.objects.for_owner(owner).filter(sender=viewer).order_by("-created_at")[:5])
        ),
        "form": form or EncouragementForm(),
    }


def how_to_help(request):
    return render(request, "care/how_to_help.html")


# Counselors


CONSENT_RECORDS_PAGE = 50


@login_required
@two_factor_gate
def consent_records(request):
    """A counselor's records of consents that ended (revoked, lapsed, renewed, or the client erased their
    account): who signed, when, what it allowed and when it ended — the record they keep, never client data.
    Each listed client who still has an account gets a line in their access log, as any look does."""
    if not two_factor.verified(request):
        raise sharing.TwoFactorRequired()
    now = timezone.now()
    ended = [
        consent
        for consent in Consent.objects.for_counselor(request.user).select_related("owner").order_by("-signed_at", "-id")
        if not consent.is_valid(now)
    ]
    page = Paginator(ended, CONSENT_RECORDS_PAGE).get_page(request.GET.get("page"))
    sharing.log_each(
        [consent.owner_id for consent in page if consent.owner_id],
        request.user,
        AccessEvent.Action.VIEWED,
        log_lines.ENDED_CONSENT_RECORD,
        request.path,
    )
    return render(request, "care/consent_records.html", {"page": page, "now": now})


@login_required
@two_factor_gate
def caseload(request):
    counselor, now = request.user, timezone.now()
    # The account's authenticator and this session's code: nothing is shown or logged without both.
    if not two_factor.verified(request):
        raise sharing.TwoFactorRequired()
    sort = request.GET.get("sort", "attention")
    if sort not in caseload_module.SORTS:
        sort = "attention"
    consents = caseload_module.client_consents(counselor, now)
    caseload_module.log_view(counselor, consents, request.path, now)
    number = params.integer(request.GET.get("page", ""), 1, 10**6) or 1
    # The table is rendered once for what it shows and kept, with the cache API rather than {% cache %}:
    # its rows are worked out before the page renders (the same work called from inside the template
    # cost twice the CPU, 75 against 35 ms for 200 clients).
    key = caseload_module.table_key(counselor, consents, sort, number, now)
    kept = caches["default" if settings.PAGE_CACHE else "off"]
    table = kept.get(key)
    if table is None:
        rows = caseload_module.client_rows(consents, sort, now, counselor)
        page = Paginator(rows, caseload_module.CLIENTS_PER_PAGE).get_page(number)
        context = {"rows": page.object_list, "page": page, "sort": sort, "sort_label": caseload_module.SORTS[sort]}
        table = render_to_string("care/includes/caseload_body.html", context, request)
        kept.set(key, table, caseload_module.TABLE_SECONDS)
    return render(request, "care/caseload.html", {"sort": sort, "sorts": caseload_module.SORTS, "table": table})


@login_required
@two_factor_gate
def client(request, owner_id):
    now = timezone.now()
    access = sharing.open_shared_or_404(request, owner_id, role=sharing.COUNSELOR, now=now)
    return render(request, "care/client.html", _client_page(request, access, now, RecommendationForm()))


def _client_page(request, access, now, form=None):
    """A client's page for their counselor. What is shared, and this counselor's recommendations (a page at
    a time), are read only when their cached renderings (keyed on what they show, in client.html and
    report.html) are missing; the form stays outside them."""
    owner, counselor = access.owner, access.viewer
    setback_page, recommendation_page = _page_number(request, "setbacks"), _page_number(request, "recommendations")
    recommendations = Recommendation.objects.for_owner(owner).filter(counselor=counselor)
    return {
        "access": access,
        "owner": owner,
        "scopes": access.scopes,
        "scope_key": ",".join(sorted(access.scopes)),
        "owner_today": owner.local_today(now),
        "warning_signs": warning_signs.shown_to(owner, counselor, access.scopes, now),
        "setback_page": setback_page,
        "client": SimpleLazyObject(lambda: _client_context(access, now, setback_page)),
        "recommendation_page": recommendation_page,
        # A recommendation is the owner's record: adding or finishing one changes the owner's data_version.
        "recommendations": SimpleLazyObject(
            lambda: Paginator(recommendations, RECOMMENDATIONS_PER_PAGE).get_page(recommendation_page)
        ),
        "form": form,
    }


def _client_context(access, now, setback_page=1):
    context = _shared_context(access, now, setback_page)
    context.update(dict.fromkeys(("summary", "gaps", "group_counts")))
    owner = access.owner
    if access.allows("support_map"):
        context["summary"] = network_summary(owner, now)
        context["gaps"] = find_gaps(owner, context["summary"], now)
        # The map's description reads the summary too: the cached rendering's key must name it.
        context["map_key"] = context["map"].key(owner.name, context["summary"])
    if access.allows("attendance"):
        context["group_counts"] = list(
            Attendance.objects.for_owner(owner)
            .filter(attended_on__gte=context["attendance"]["since"])
            .values("group__name")
            .annotate(count=Count("id"))
            .order_by("-count", "group__name")
        )
    return context


@login_required
@two_factor_gate
@require_POST
def client_recommend(request, owner_id):
    now = timezone.now()
    access = sharing.find_access(request.user, owner_id, now, sharing.COUNSELOR)
    if access is None or access.role != sharing.COUNSELOR:
        raise Http404("Nothing shared with you here.")
    if not two_factor.verified(request):
        raise sharing.TwoFactorRequired()
    form = RecommendationForm(request.POST)
    if not form.is_valid():
        access = sharing.open_shared_or_404(request, owner_id, role=sharing.COUNSELOR, now=now)
        return render(request, "care/client.html", _client_page(request, access, now, form), status=400)
    sharing.recommend(access, form.cleaned_data["text"])
    messages.success(request, _("%(name)s will see your recommendation.") % {"name": access.owner.name})
    return redirect(reverse("care:client", args=[access.owner.pk]) + "#recommendations")


@login_required
@two_factor_gate
def client_report(request, owner_id):
    """A printable support-map report for a session."""
    now = timezone.now()
    access = sharing.open_shared_or_404(request, owner_id, role=sharing.COUNSELOR, scope="support_map", now=now)
    return render(request, "care/report.html", {**_client_page(request, access, now), "printed_at": now})
