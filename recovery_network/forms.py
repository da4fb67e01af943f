from django import forms

from .models import User
from .timezones import time_zone_choices


class TimeZoneField(forms.ChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("choices", time_zone_choices)
        kwargs.setdefault("label", "Time zone")
        kwargs.setdefault("help_text", "Your days, reminders and milestones follow this zone.")
        super().__init__(**kwargs)


class SignupProfileForm(forms.Form):
    """Extra sign-up fields; allauth calls signup() once the account exists.

    The time zone is guessed in the browser (static/js/timezone.js) and can be
    changed here or later on the profile page.
    """

    display_name = forms.CharField(
        max_length=80,
        required=False,
        label="What should we call you?",
        help_text="Optional. A first name or nickname is fine.",
    )
    time_zone = TimeZoneField(initial="UTC")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].widget.attrs["data-guess-timezone"] = "true"

    def signup(self, request, user):
        user.display_name = self.cleaned_data.get("display_name", "")
        user.time_zone = self.cleaned_data["time_zone"]
        user.save(update_fields=["display_name", "time_zone"])


class ProfileForm(forms.ModelForm):
    time_zone = TimeZoneField()

    class Meta:
        model = User
        fields = ["display_name", "time_zone", "checkin_time", "quiet_hours_start", "quiet_hours_end"]
        widgets = {
            "checkin_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_hours_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_hours_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        labels = {"quiet_hours_start": "Quiet hours start", "quiet_hours_end": "Quiet hours end"}

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("quiet_hours_start"), cleaned.get("quiet_hours_end")
        if (start is None) != (end is None):
            raise forms.ValidationError(
                "Give both a start and an end for quiet hours, or leave both empty to turn them off."
            )
        return cleaned
