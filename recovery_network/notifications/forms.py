"""Forms for notification preferences and pausing reminders."""

from django import forms
from django.utils.translation import gettext_lazy, ngettext

MEETING_MINUTES_CHOICES = [
    (15, gettext_lazy("15 minutes")),
    (30, gettext_lazy("30 minutes")),
    (60, gettext_lazy("1 hour")),
    (90, gettext_lazy("1½ hours")),
    (120, gettext_lazy("2 hours")),
]
PAUSE_DAY_CHOICES = [
    (1, gettext_lazy("1 day")),
    (3, gettext_lazy("3 days")),
    (7, gettext_lazy("1 week")),
    (14, gettext_lazy("2 weeks")),
    (30, gettext_lazy("30 days")),
]


class PreferencesForm(forms.Form):
    """Two switches per kind offered to the person (email, in the app), and how long before a meeting to remind."""

    meeting_reminder_minutes = forms.TypedChoiceField(
        label=gettext_lazy("How long before a meeting"), choices=MEETING_MINUTES_CHOICES, coerce=int
    )

    def __init__(self, *args, user, current, **kwargs):
        initial = {"meeting_reminder_minutes": user.meeting_reminder_minutes}
        for kind, by_email, in_app in current:
            initial[f"{kind.key}_email"] = by_email
            initial[f"{kind.key}_in_app"] = in_app
        super().__init__(*args, initial=initial, **kwargs)
        self.rows = []
        for kind, _, _ in current:
            self.fields[f"{kind.key}_email"] = forms.BooleanField(label=gettext_lazy("By email"), required=False)
            self.fields[f"{kind.key}_in_app"] = forms.BooleanField(label=gettext_lazy("In the app"), required=False)
            self.rows.append((kind, self[f"{kind.key}_email"], self[f"{kind.key}_in_app"]))
        if user.meeting_reminder_minutes not in dict(MEETING_MINUTES_CHOICES):
            self.fields["meeting_reminder_minutes"].choices = [
                (
                    user.meeting_reminder_minutes,
                    ngettext("%(minutes)s minute", "%(minutes)s minutes", user.meeting_reminder_minutes)
                    % {"minutes": user.meeting_reminder_minutes},
                ),
                *MEETING_MINUTES_CHOICES,
            ]

    def channels(self):
        """{kind key: (by_email, in_app)} from the cleaned data."""
        return {
            kind.key: (self.cleaned_data[f"{kind.key}_email"], self.cleaned_data[f"{kind.key}_in_app"])
            for kind, _, _ in self.rows
        }


class PauseForm(forms.Form):
    days = forms.TypedChoiceField(
        label=gettext_lazy("Pause all reminders for"), choices=PAUSE_DAY_CHOICES, coerce=int, initial=7
    )
