"""Your data: the pages behind Settings → Your data. Only ever the signed-in person's own."""

import datetime as dt

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from . import erasure, exporting, importing, tasks
from .catalogue import ERASURE, KEEP
from .forms import EraseForm, ImportForm
from .models import Erasure, Export

EXPORTS_PER_DAY = 10
EXPORTS_LISTED = 5


def _exports(user):
    return Export.objects.for_owner(user).defer("content")


def _export_or_404(request, pk):
    return _exports(request.user).get_for_owner_or_404(request.user, pk=pk)


@login_required
def index(request):
    now = timezone.now()
    exports = list(_exports(request.user)[:EXPORTS_LISTED])
    return render(
        request,
        "privacy/index.html",
        {"exports": exports, "now": now, "offered_hours": int(exporting.OFFERED_FOR.total_seconds() // 3600)},
    )


def _enqueue(export_id):
    tasks.build_export.delay(export_id)


@login_required
@reauthentication_required
def export_request(request):
    if request.method == "POST":
        now = timezone.now()
        recent = _exports(request.user).filter(created_at__gt=now - dt.timedelta(days=1)).count()
        if recent >= EXPORTS_PER_DAY:
            messages.error(request, gettext("You have asked for ten downloads today. The latest ones are below."))
            return redirect("privacy:index")
        export = exporting.request_export(request.user, _enqueue, now)
        return redirect("privacy:export_status", export.pk)
    return render(request, "privacy/export_request.html")


def _status_context(export):
    return {"export": export, "now": timezone.now()}


@login_required
def export_status(request, pk):
    export = _export_or_404(request, pk)
    return render(request, "privacy/export_status.html", _status_context(export))


@login_required
def export_live(request, pk):
    """The status page's live part, which static/js/privacy.js fetches every few seconds while it is built."""
    export = _export_or_404(request, pk)
    return render(request, "privacy/includes/export_live.html", _status_context(export))


@login_required
def export_download(request, pk):
    export = Export.objects.get_for_owner_or_404(request.user, pk=pk)
    now = timezone.now()
    if not export.is_offered(now):
        messages.error(
            request,
            gettext(
                "That download is no longer offered: files are deleted a day after they are made. Ask for a new one."
            ),
        )
        return redirect("privacy:index")
    Export.objects.filter(pk=export.pk).update(downloaded_at=now)
    response = HttpResponse(bytes(export.content), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export.filename()}"'
    response["Content-Length"] = str(export.size)
    return response


def what_others_keep():
    return [reason for (_, _), (action, reason) in ERASURE.items() if action == KEEP]


@login_required
@reauthentication_required
def erase(request):
    form = EraseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        requested = erasure.request(user)
        # The day on their own calendar, as the email says it: once signed out, the page knows no zone.
        erase_on = requested.erase_after.astimezone(user.zone).date()
        logout(request)
        request.session["erase_on"] = erase_on.isoformat()
        return redirect("privacy:erase_requested")
    status = 400 if form.is_bound else 200
    context = {"form": form, "keep": what_others_keep(), "grace_days": Erasure.GRACE.days}
    return render(request, "privacy/erase.html", context, status=status)


def erase_requested(request):
    """After asking (they are signed out by then): when it happens, and how to keep the account."""
    try:
        erase_on = dt.date.fromisoformat(request.session.get("erase_on", ""))
    except (TypeError, ValueError):
        erase_on = None
    return render(request, "privacy/erase_requested.html", {"erase_on": erase_on, "grace_days": Erasure.GRACE.days})


@login_required
def import_upload(request):
    """A new account's first run may start from an export made on another Recovery Network site."""
    empty = importing.account_is_empty(request.user)
    posted = request.method == "POST"
    form = ImportForm(request.POST if posted else None, request.FILES if posted else None)
    if request.method == "POST" and empty and form.is_valid():
        try:
            counts = importing.import_archive(form.cleaned_data["archive"].read(), request.user)
        except importing.ImportRefused as refused:
            form.add_error("archive", str(refused))
        else:
            total = sum(counts.values())
            messages.success(
                request,
                ngettext(
                    "Your records are here: %(total)s brought over from your export.",
                    "Your records are here: %(total)s brought over from your export.",
                    total,
                )
                % {"total": total},
            )
            return redirect("home")
    status = 400 if form.is_bound else 200
    return render(request, "privacy/import.html", {"form": form, "empty": empty}, status=status)
