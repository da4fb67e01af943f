"""The person's choice of who is told of which warning signs, and the history of what was told (/care/signs/)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from recovery_network.notifications.models import Delivery

from .models import SCOPE_NAMES, SIGN_SCOPES, Consent, Grant, SignEpisode, SignWatch, WarningSign, allowed_signs
from .notification_kinds import WarningSignKind


class SignWatchForm(forms.ModelForm):
    """One person's signs. A sign their grant or consent doesn't show can't be chosen (and is saved off)."""

    class Meta:
        model = SignWatch
        fields = ["no_checkin", "no_checkin_days", "craving", "use"]
        widgets = {"no_checkin_days": forms.NumberInput(attrs={"min": 1, "max": 30, "inputmode": "numeric"})}

    def __init__(self, *args, allowed, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.allowed = allowed
        for sign in WarningSign.values:
            if sign not in allowed:
                needs = " or ".join(SCOPE_NAMES[scope] for scope in sorted(SIGN_SCOPES[sign]))
                self.fields[sign].disabled = True
                self.fields[sign].help_text = f"Only if you share {needs} with them."
        self.fields["no_checkin_days"].label = "after how many days"

    def clean(self):
        cleaned = super().clean()
        for sign in WarningSign.values:
            if sign not in self.allowed:
                cleaned[sign] = False
        return cleaned


def _circle(user, now):
    """[(watcher, role, scopes)] of everyone who may be told anything: active grants and valid consents."""
    people = [(grant.viewer, "family or friend", grant.scopes) for grant in Grant.objects.for_owner(user).active()
              .select_related("viewer")]  # fmt: skip
    seen = {watcher.pk for watcher, _, _ in people}
    for consent in Consent.objects.for_owner(user).unrevoked().select_related("counselor").order_by("-signed_at"):
        if consent.is_valid(now) and consent.counselor_id not in seen:
            seen.add(consent.counselor_id)
            people.append((consent.counselor, "counselor", consent.scopes))
    return people


@login_required
def warning_signs(request):
    user, now = request.user, timezone.now()
    watches = {watch.watcher_id: watch for watch in SignWatch.objects.for_owner(user)}
    rows = []
    for watcher, role, scopes in _circle(user, now):
        instance = watches.get(watcher.pk) or SignWatch(owner=user, watcher=watcher)
        form = SignWatchForm(
            request.POST if request.method == "POST" else None,
            prefix=f"w{watcher.pk}",
            instance=instance,
            allowed=allowed_signs(scopes),
        )
        rows.append({"watcher": watcher, "role": role, "form": form})
    if request.method == "POST":
        if all(row["form"].is_valid() for row in rows):
            for row in rows:
                if row["form"].instance.pk or row["form"].has_changed():
                    row["form"].save()
            messages.success(request, "Saved. Only the signs you ticked are ever told, and only to them.")
            return redirect("care:warning_signs")
        messages.error(request, "Some answers need another look; nothing was saved.")
    status = 400 if request.method == "POST" else 200
    return render(request, "care/warning_signs.html", {"rows": rows, "history": _history(user)}, status=status)


def _history(user, size=20):
    """The latest episodes, each with who was told and when: two queries."""
    episodes = list(SignEpisode.objects.for_owner(user)[:size])
    told = {}
    deliveries = Delivery.objects.filter(
        kind=WarningSignKind.key, subject_id__in=[episode.pk for episode in episodes]
    ).select_related("recipient")
    for delivery in deliveries.order_by("created_at"):
        if delivery.status != Delivery.Status.SKIPPED:
            told.setdefault(delivery.subject_id, []).append(delivery)
    return [(episode, told.get(episode.pk, [])) for episode in episodes]
