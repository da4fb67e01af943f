"""The person's choice of who is told of which warning signs, and the history of what was told (/care/signs/)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from recovery_network.notifications.models import Delivery

from .forms import SignWatchFormSet
from .models import Consent, Grant, SignEpisode, SignWatch, WarningSign
from .notification_kinds import WarningSignKind
from .warning_signs import choose, circle_of

HISTORY_SIZE = 20
DEFAULT_DAYS = SignWatch._meta.get_field("no_checkin_days").default


@login_required
def warning_signs(request):
    """Everyone in the person's circle, with the signs their scope shows, saved together: all or nothing."""
    user = request.user
    circle = circle_of(user, timezone.now())
    if request.method == "POST":
        formset = SignWatchFormSet(request.POST, prefix="signs", form_kwargs={"circle": circle})
        if formset.is_valid():
            with transaction.atomic():
                for chosen in formset.cleaned_data:
                    picked = {sign for sign in WarningSign.values if chosen.get(sign)}
                    choose(user, chosen["watcher"], picked, chosen["no_checkin_days"])
            messages.success(request, _("Saved. Only the signs you ticked are told, and only to the people you chose."))
            return redirect("care:warning_signs")
        messages.error(request, _("Some answers need another look; nothing was saved."))
    else:
        watches = {watch.watcher_id: watch for watch in SignWatch.objects.for_owner(user)}
        initial = [_initial(watcher_id, member, watches.get(watcher_id)) for watcher_id, member in circle.items()]
        formset = SignWatchFormSet(initial=initial, prefix="signs", form_kwargs={"circle": circle})
    context = {"formset": formset, "history": _history(user)}
    return render(request, "care/warning_signs.html", context, status=400 if request.method == "POST" else 200)


def _initial(watcher_id, member, watch):
    """A row as saved, with a sign their scope no longer shows unticked (saving leaves it off)."""
    initial = {"watcher": watcher_id, "no_checkin_days": watch.no_checkin_days if watch else DEFAULT_DAYS}
    for sign in WarningSign.values:
        initial[sign] = bool(watch and watch.watches(sign) and sign in member.allowed)
    return initial


def _history(user, size=HISTORY_SIZE):
    """The latest episodes, each with who was told and when (the deliveries of the kind): three queries.

    Only someone who held a grant or consent from the person was ever told: asking for their deliveries by
    recipient reads the deliveries' unique index (recipient, kind, subject), not every delivery of the site."""
    episodes = list(SignEpisode.objects.for_owner(user)[:size])
    if not episodes:
        return []
    viewers = Grant.objects.for_owner(user).values_list("viewer_id", flat=True).order_by()
    counselors = Consent.objects.for_owner(user).exclude(counselor=None).values_list("counselor_id", flat=True)
    told = {}
    deliveries = (
        Delivery.objects.filter(
            recipient_id__in=list(viewers.union(counselors.order_by())),
            kind=WarningSignKind.key,
            subject_id__in=[episode.pk for episode in episodes],
        )
        .exclude(status=Delivery.Status.SKIPPED)
        .select_related("recipient")
        .order_by("created_at", "pk")
    )
    for delivery in deliveries:
        told.setdefault(delivery.subject_id, []).append(delivery)
    return [(episode, told.get(episode.pk, [])) for episode in episodes]
