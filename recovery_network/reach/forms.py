import re

from django import forms
from django.utils.translation import gettext, gettext_lazy

from recovery_network.forms import TimeZoneField

# A number a text can reach: digits with the usual separators, an optional leading +, 7 to 15 digits (E.164).
PHONE = re.compile(r"^\+?[0-9 ()./-]{7,25}$")


class AlertForm(forms.Form):
    words = forms.CharField(
        label=gettext_lazy("A few words (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
        help_text=gettext_lazy(
            "Shown only to the people you reach, on the page their alert opens — never in the email or text."
        ),
    )


class AcceptForm(forms.Form):
    phone = forms.CharField(
        label=gettext_lazy("Mobile number for texts (optional)"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        help_text=gettext_lazy("Leave it empty to be alerted by email only."),
    )
    night_alerts = forms.BooleanField(
        label=gettext_lazy("Alert me at night too (10 PM to 7 AM where I am)"),
        required=False,
        help_text=gettext_lazy(
            "If you leave this off, at night the next person on the list is alerted instead of you."
        ),
    )
    time_zone = TimeZoneField(help_text=gettext_lazy("So that we know when it is night where you are."))

    def __init__(self, *args, needs_phone=False, **kwargs):
        """`needs_phone`: asked by text, with no email address or account, a number is the only way to reach them."""
        super().__init__(*args, **kwargs)
        if needs_phone:
            self.fields["phone"].required = True
            self.fields["phone"].label = gettext("Mobile number for texts")
            self.fields["phone"].help_text = gettext("Alerts come to you by text.")

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and (not PHONE.match(phone) or not 7 <= sum(c.isdigit() for c in phone) <= 15):
            raise forms.ValidationError(gettext("Enter a mobile number with its country code, like +1 555 010 0199."))
        return phone
