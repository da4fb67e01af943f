"""Pages of the support network. Every object is fetched through its
QuerySet's get_for_owner_or_404, so another person's id is always a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from . import services
from .feeds import FeedError, import_feed
from .forms import (
    AttendanceForm,
    CommunityActivityForm,
    ContactForm,
    FeedUploadForm,
    MeetingSearchForm,
    MeetingTimeFormSet,
    MemberSearchForm,
    PeerGroupForm,
    SnapshotForm,
    SupporterForm,
)
from .models import CommunityActivity, Contact, Meeting, NetworkSnapshot, PeerGroup, Supporter
from .network import changes_since, find_gaps, network_summary
from .support_map import build_support_map

PAGE_SIZE = 25
ARCHIVED_GROUPS_SHOWN = 10


OVERDUE_SHOWN = 10
PEOPLE_PER_PAGE = 24


@login_required
def index(request):
    """The network: who is overdue (the longest overdue first, a few), the thinnest gaps, and the people a
    page at a time, closest first, or those whose name holds what was searched for.

    All of it is a {% cache %} fragment (index.html) under the person's data version, local date, the
    quarter hour and the query (search and page): what it shows is worked out only when that is missing."""
    user, now = request.user, timezone.now()
    return render(
        request,
        "supports/index.html",
        {
            "local_today": user.local_today(now),
            "query_string": _query_without_page(request),
            "page_asked": request.GET.get("page", ""),
            "network": SimpleLazyObject(lambda: _network(user, now, request.GET)),
        },
    )


def _network(user, now, query):
    """What the network page shows, for index(): the search box is drawn unbound, showing what was asked."""
    active = Supporter.objects.for_owner(user).active()
    overdue = list(active.overdue(now).order_by("contact_due_at", "id")[: OVERDUE_SHOWN + 1])
    people, asked = MemberSearchForm(query).filter(active)
    summary = network_summary(user, now)
    gaps = find_gaps(user, summary, now)
    return {
        "page": Paginator(people, PEOPLE_PER_PAGE).get_page(query.get("page")),
        "search": MemberSearchForm(initial={name: query.get(name, "") for name in ("q", "circle", "kind")}),
        "asked": asked,
        "overdue": overdue[:OVERDUE_SHOWN],
        "more_overdue": len(overdue) > OVERDUE_SHOWN,
        "gaps": gaps[:3],
        "gap_count": len(gaps),
        "has_people": bool(summary.supporters),
    }


def _query_without_page(request):
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# Supporters


@login_required
def supporter_create(request):
    if request.method != "POST":
        return _supporter_form_page(request)
    form = SupporterForm(request.POST)
    if form.is_valid():
        form.instance.owner = request.user
        supporter = form.save()
        messages.success(request, gettext("%(name)s is in your network.") % {"name": supporter.name})
        return redirect("supports:supporter_detail", supporter.pk)
    return render(request, "supports/supporter_form.html", {"form": form}, status=400)


def _supporter_form_page(request, supporter=None):
    """The form on a GET: its fields are a {% cache %} fragment (supporter_form.html) under the person's data
    version and the supporter edited, so the form is built only when that is missing."""
    form = SimpleLazyObject(lambda: SupporterForm(instance=supporter))
    return render(request, "supports/supporter_form.html", {"keep": True, "form": form, "supporter": supporter})


@login_required
def supporter_detail(request, pk):
    supporter = Supporter.objects.get_for_owner_or_404(request.user, pk=pk)
    return _supporter_page(request, supporter)


def _supporter_page(request, supporter, form=None, status=200):
    """A supporter's page. What they are to the person and their contact log are {% cache %} fragments
    (supporter_detail.html) under the person's data version, local date, zone and the quarter hour (the log
    also the page asked for); the log is read only when its fragment is missing. An unbound contact form
    (`form` None) is built only when its fragment, under the minute it starts at, is missing."""
    user, now = request.user, timezone.now()
    page_asked = request.GET.get("page", "")
    if form is None:
        form = SimpleLazyObject(lambda: ContactForm(owner=user, supporter=supporter, now=now))
        contact_at = ContactForm.starts_at(now)
    else:
        contact_at = None if form.is_bound else form.initial["happened_at"]
    return render(
        request,
        "supports/supporter_detail.html",
        {
            "supporter": supporter,
            "local_today": user.local_today(now),
            "page_asked": page_asked,
            "contacts": SimpleLazyObject(
                lambda: Paginator(supporter.contacts.all(), PAGE_SIZE).get_page(page_asked or None)
            ),
            "form": form,
            "contact_at": contact_at,
        },
        status=status,
    )


@login_required
def supporter_edit(request, pk):
    supporter = Supporter.objects.get_for_owner_or_404(request.user, pk=pk)
    if request.method != "POST":
        return _supporter_form_page(request, supporter)
    form = SupporterForm(request.POST, instance=supporter)
    if form.is_valid():
        form.save()
        messages.success(request, gettext("Saved %(name)s.") % {"name": supporter.name})
        return redirect("supports:supporter_detail", supporter.pk)
    return render(request, "supports/supporter_form.html", {"form": form, "supporter": supporter}, status=400)


@login_required
@require_POST
def supporter_archive(request, pk):
    supporter = Supporter.objects.get_for_owner_or_404(request.user, pk=pk)
    supporter.archive()
    # One click archives, so the page it lands on offers the undo: the supporter's own, with "Restore".
    messages.success(
        request,
        gettext("%(name)s is archived. Their history is kept. Changed your mind? “Restore to my network” undoes it.")
        % {"name": supporter.name},
    )
    return redirect("supports:supporter_detail", supporter.pk)


@login_required
@require_POST
def supporter_restore(request, pk):
    supporter = Supporter.objects.get_for_owner_or_404(request.user, pk=pk)
    supporter.restore()
    messages.success(request, gettext("%(name)s is back in your network.") % {"name": supporter.name})
    return redirect("supports:supporter_detail", supporter.pk)


@login_required
def supporter_archived(request):
    """The list is a {% cache %} fragment (supporter_archived.html) under the person's data version and the
    page asked for: read only when that is missing."""
    user = request.user
    page_asked = request.GET.get("page", "")
    supporters = Supporter.objects.for_owner(user).archived().order_by("name", "id")
    page = SimpleLazyObject(lambda: Paginator(supporters, PAGE_SIZE).get_page(page_asked or None))
    return render(request, "supports/supporter_archived.html", {"page": page, "page_asked": page_asked})


# Contacts


@login_required
def contact_create(request, pk=None):
    """Log a contact; from a supporter's page (pk) or the quick "who did you talk to?" form. On a GET of the
    quick form its fields are kept (contact_fields.html): the form is built only when they are missing."""
    user = request.user
    supporter = Supporter.objects.get_for_owner_or_404(user, pk=pk) if pk else None
    if request.method != "POST" and supporter is None:
        now = timezone.now()
        context = {
            "form": SimpleLazyObject(lambda: ContactForm(owner=user, now=now)),
            "contact_at": ContactForm.starts_at(now),
            "anyone": Supporter.objects.for_owner(user).active().exists(),
        }
        return render(request, "supports/contact_form.html", context)
    form = ContactForm(request.POST or None, owner=user, supporter=supporter)
    if request.method == "POST" and form.is_valid():
        who = supporter or form.cleaned_data["supporter"]
        services.log_contact(
            who,
            happened_at=form.cleaned_data["happened_at"],
            channel=form.cleaned_data["channel"],
            helpfulness=form.cleaned_data["helpfulness"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, gettext("Logged your contact with %(name)s.") % {"name": who.name})
        return redirect("supports:supporter_detail", who.pk)
    status = 400 if request.method == "POST" else 200
    if supporter:
        return _supporter_page(request, supporter, form, status)
    anyone = form.fields["supporter"].queryset.exists()
    return render(request, "supports/contact_form.html", {"form": form, "anyone": anyone}, status=status)


@login_required
def contact_delete(request, pk):
    contact = Contact.objects.select_related("supporter").get_for_owner_or_404(request.user, pk=pk)
    if request.method == "POST":
        services.delete_contact(contact)
        messages.success(request, gettext("That contact is removed from your log."))
        return redirect("supports:supporter_detail", contact.supporter_id)
    return render(request, "supports/contact_confirm_delete.html", {"contact": contact})


# Peer groups


@login_required
def group_list(request):
    """The counts, the groups a page at a time and the archived few are a {% cache %} fragment (group_list.html)
    under the person's data version, local date and the page asked for: read only when that is missing."""
    user = request.user
    local_today = user.local_today()
    page_asked = request.GET.get("page", "")
    return render(
        request,
        "supports/group_list.html",
        {
            "local_today": local_today,
            "page_asked": page_asked,
            "groups": SimpleLazyObject(lambda: _groups(user, local_today, page_asked)),
        },
    )


def _groups(user, local_today, page_asked):
    groups = (
        PeerGroup.objects.for_owner(user)
        .active()
        .select_related("sponsor")
        .prefetch_related("meeting_times")
        .annotate(attended=Count("attendances"), last_attended=Max("attendances__attended_on"))
        .order_by("-is_home_group", "name", "id")  # Meta.ordering is not applied to a grouped query
    )
    archived = PeerGroup.objects.for_owner(user).archived().order_by("name")
    return {
        "page": Paginator(groups, PAGE_SIZE).get_page(page_asked or None),
        "archived": archived[:ARCHIVED_GROUPS_SHOWN],
        "archived_more": archived[ARCHIVED_GROUPS_SHOWN:].exists(),
        "stats": services.attendance_stats(user, local_today),
    }


def _group_form_page(request, group=None):
    """On a GET the form's fields are a {% cache %} fragment (group_form.html) under the person's data version
    (their supporters, the group and its times) and zone (a new group's): built only when that is missing."""
    user = request.user
    if request.method != "POST":
        forms = SimpleLazyObject(lambda: _group_forms(user, group))
        return render(request, "supports/group_form.html", {"keep": True, "forms": forms, "group": group})
    form, formset = _group_forms(user, group, request.POST)
    if form.is_valid() and formset.is_valid():
        with transaction.atomic():
            group = form.save()
            formset.instance = group
            formset.save()
        messages.success(request, gettext("Saved %(name)s.") % {"name": group.name})
        return redirect("supports:group_detail", group.pk)
    return render(request, "supports/group_form.html", {"form": form, "formset": formset, "group": group}, status=400)


def _group_forms(user, group, data=None):
    form = PeerGroupForm(data, instance=group, owner=user)
    return form, MeetingTimeFormSet(data, instance=form.instance, prefix="times")


@login_required
def group_create(request):
    return _group_form_page(request)


@login_required
def group_edit(request, pk):
    return _group_form_page(request, PeerGroup.objects.get_for_owner_or_404(request.user, pk=pk))


@login_required
def group_detail(request, pk):
    user = request.user
    # The sponsor and the meeting are read (a query each) only when the facts' fragment is missing.
    group = PeerGroup.objects.get_for_owner_or_404(user, pk=pk)
    return _group_detail_page(request, group, None)


def _group_detail_page(request, group, form, status=200):
    """The group's facts, its next meetings in the person's zone and the attendance log are {% cache %}
    fragments (group_detail.html) under the person's data version, local date, zone and the quarter hour (a
    meeting passing moves "next on" along): worked out only when missing, as is the unbound form."""
    user, now = request.user, timezone.now()
    local_today = user.local_today(now)
    page_asked = request.GET.get("page", "")
    return render(
        request,
        "supports/group_detail.html",
        {
            "group": group,
            "local_today": local_today,
            "page_asked": page_asked,
            "times": SimpleLazyObject(lambda: _meeting_times(group, user, now)),
            "attendances": SimpleLazyObject(
                lambda: Paginator(group.attendances.all(), PAGE_SIZE).get_page(page_asked or None)
            ),
            "form": form,
            "new_form": SimpleLazyObject(lambda: AttendanceForm(local_today=local_today)),
            "show_owner_zone": group.time_zone != user.time_zone,
        },
        status=status,
    )


def _meeting_times(group, user, now):
    times = list(group.meeting_times.all())
    for slot in times:
        slot.group = group
        slot.next_local = slot.next_start(now)
        slot.next_for_owner = slot.next_local.astimezone(user.zone)
    return times


@login_required
@require_POST
def group_attend(request, pk):
    user = request.user
    group = PeerGroup.objects.get_for_owner_or_404(user, pk=pk)
    form = AttendanceForm(request.POST, local_today=user.local_today())
    if not form.is_valid():
        return _group_detail_page(request, group, form, status=400)
    _, created = services.record_attendance(group, form.cleaned_data["attended_on"])
    day = form.cleaned_data["attended_on"]
    words = {"name": group.name, "day": date_format(day, gettext("l j F"))}
    if created:
        messages.success(request, gettext("Logged %(name)s on %(day)s. Well done for going.") % words)
    else:
        messages.info(request, gettext("%(name)s on %(day)s was already in your log.") % words)
    return redirect("supports:group_detail", group.pk)


@login_required
@require_POST
def group_archive(request, pk):
    group = PeerGroup.objects.get_for_owner_or_404(request.user, pk=pk)
    group.archive()
    messages.success(request, gettext("%(name)s is archived; its attendance history is kept.") % {"name": group.name})
    return redirect("supports:group_list")


@login_required
@require_POST
def group_restore(request, pk):
    group = PeerGroup.objects.get_for_owner_or_404(request.user, pk=pk)
    group.restore()
    messages.success(request, gettext("%(name)s is back in your groups.") % {"name": group.name})
    return redirect("supports:group_detail", group.pk)


# Meetings


@login_required
def meeting_list(request):
    """The results are a {% cache %} fragment (meeting_list.html) under the person's data version (their
    uploads and the groups they joined), the query and the quarter hour: the shared directory, which no
    person's version follows, shows an administrator's import within fifteen minutes. The meetings are
    searched only when that is missing."""
    user = request.user
    form = MeetingSearchForm(request.GET or None)
    query_string = request.GET.copy()
    query_string.pop("page", None)
    page_asked = request.GET.get("page", "")
    return render(
        request,
        "supports/meeting_list.html",
        {
            "form": form,
            "query_string": query_string.urlencode(),
            "page_asked": page_asked,
            "results": SimpleLazyObject(lambda: _meetings(user, form, page_asked)),
        },
    )


def _meetings(user, form, page_asked):
    meetings = Meeting.objects.visible_to(user)
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        if query:
            meetings = meetings.filter(
                Q(name__icontains=query)
                | Q(location__icontains=query)
                | Q(address__icontains=query)
                | Q(region__icontains=query)
                | Q(group_name__icontains=query)
            )
        if form.cleaned_data["day"] is not None:
            meetings = meetings.on_weekday(form.cleaned_data["day"])
        if form.cleaned_data["format"]:
            meetings = meetings.filter(format=form.cleaned_data["format"])
    page = Paginator(meetings.order_by("name", "slug"), PAGE_SIZE).get_page(page_asked or None)
    joined = set(
        PeerGroup.objects.for_owner(user)
        .active()
        .filter(meeting__in=[meeting.pk for meeting in page])
        .values_list("meeting_id", flat=True)
    )
    return {"page": page, "joined": joined}


@login_required
@require_POST
def meeting_join(request, pk):
    meeting = Meeting.objects.get_visible_or_404(request.user, pk=pk)
    group, created = services.join_meeting(request.user, meeting)
    if created:
        messages.success(
            request, gettext("You joined %(name)s. Its meeting times are in your groups.") % {"name": group.name}
        )
    else:
        messages.info(request, gettext("%(name)s is already one of your groups.") % {"name": group.name})
    return redirect("supports:group_detail", group.pk)


@login_required
def meeting_import(request):
    form = FeedUploadForm(request.POST or None, request.FILES or None)
    report = error = None
    if request.method == "POST" and form.is_valid():
        try:
            report = import_feed(
                form.cleaned_data["feed"].read(),
                owner=request.user,
                fellowship=form.cleaned_data["fellowship"],
                default_zone=request.user.time_zone,
            )
        except FeedError as exc:
            error = str(exc)
    status = 400 if request.method == "POST" and (error or not form.is_valid()) else 200
    return render(
        request, "supports/meeting_import.html", {"form": form, "report": report, "error": error}, status=status
    )


# Community


@login_required
def community_list(request):
    """The totals and the log are a {% cache %} fragment (community_list.html) under the person's data version
    and the page asked for, and the unbound form one under the local date it starts at: each is worked out only
    when missing."""
    user = request.user
    if request.method == "POST":
        form = CommunityActivityForm(request.POST, owner=user)
        if form.is_valid():
            activity = form.save()
            messages.success(request, gettext("Logged %(title)s.") % {"title": activity.title})
            return redirect("supports:community_list")
    else:
        form = None
    page_asked = request.GET.get("page", "")
    return render(
        request,
        "supports/community_list.html",
        {
            "form": form,
            "new_form": SimpleLazyObject(lambda: CommunityActivityForm(owner=user)),
            "local_today": user.local_today(),
            "page_asked": page_asked,
            "activities": SimpleLazyObject(lambda: _activities(user, page_asked)),
        },
        status=400 if form else 200,
    )


def _activities(user, page_asked):
    activities = CommunityActivity.objects.for_owner(user)
    return {
        "totals": activities.aggregate(count=Count("id"), hours=Sum("hours")),
        "page": Paginator(activities, PAGE_SIZE).get_page(page_asked or None),
    }


@login_required
def community_edit(request, pk):
    activity = CommunityActivity.objects.get_for_owner_or_404(request.user, pk=pk)
    form = CommunityActivityForm(request.POST or None, instance=activity, owner=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, gettext("Saved %(name)s.") % {"name": activity.title})
        return redirect("supports:community_list")
    status = 400 if request.method == "POST" else 200
    return render(request, "supports/community_form.html", {"form": form, "activity": activity}, status=status)


@login_required
def community_delete(request, pk):
    activity = CommunityActivity.objects.get_for_owner_or_404(request.user, pk=pk)
    if request.method == "POST":
        activity.delete()
        messages.success(request, gettext("Removed %(title)s from your log.") % {"title": activity.title})
        return redirect("supports:community_list")
    return render(request, "supports/community_confirm_delete.html", {"activity": activity})


# The map, gaps and snapshots


@login_required
def support_map(request):
    """The map and its table are built only when their cached rendering (map.html) is missing."""
    user, now = request.user, timezone.now()
    support_map = SimpleLazyObject(lambda: build_support_map(user, now))
    summary = SimpleLazyObject(lambda: network_summary(user, now))
    context = {
        "local_today": user.local_today(now),
        "map": support_map,
        "summary": summary,
        "overdue_count": SimpleLazyObject(lambda: support_map.overdue_count()),
        "map_key": SimpleLazyObject(lambda: support_map.key(summary)),
    }
    return render(request, "supports/map.html", context)


@login_required
def gaps(request):
    """The gaps and the change since a snapshot are a {% cache %} fragment (gaps.html) under the person's data
    version, local date, the quarter hour and the snapshot compared with: worked out only when that is missing."""
    user, now = request.user, timezone.now()
    return render(
        request,
        "supports/gaps.html",
        {
            "local_today": user.local_today(now),
            "since": request.GET.get("since", ""),
            "shape": SimpleLazyObject(lambda: _gaps(user, now, request.GET.get("since"))),
            "snapshot_form": SnapshotForm(),
        },
    )


def _gaps(user, now, since):
    summary = network_summary(user, now)
    snapshots = list(NetworkSnapshot.objects.for_owner(user)[:12])
    compare_with = snapshots[-1] if snapshots else None
    if snapshots and since:
        compare_with = next((shot for shot in snapshots if str(shot.pk) == since), compare_with)
    return {
        "gaps": find_gaps(user, summary, now),
        "snapshots": snapshots,
        "compare_with": compare_with,
        "changes": changes_since(compare_with.summary, summary) if compare_with else [],
    }


@login_required
@require_POST
def snapshot_create(request):
    form = SnapshotForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Keep the note to 200 characters or fewer; nothing was saved yet."))
        return redirect(reverse("supports:gaps"))
    snapshot = services.save_snapshot(request.user, note=form.cleaned_data["note"])
    messages.success(
        request,
        gettext("Saved a snapshot of your network on %(day)s.")
        % {"day": date_format(snapshot.taken_on, gettext("j F Y"))},
    )
    return redirect(reverse("supports:gaps"))
