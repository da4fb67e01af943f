"""Forms of the circle of care: inviting, choosing what to share, consent, encouragement."""

import datetime as dt

from django import forms

from milestones.models import READY_PHRASES
from recovery_network.forms import person_choice
from supports.models import Supporter

from . import sharing
from .models import SCOPES, Consent

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_CONSENT_DAYS = 366


class ScopesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", [(name, label) for name, label, _ in SCOPES])
        kwargs.setdefault("required", False)
        kwargs.setdefault("initial", ["clean_time"])
        super().__init__(**kwargs)


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Their email address")
    supporter = forms.ModelChoiceField(
        queryset=Supporter.objects.none(),
        required=False,
        empty_label="— Not in my network yet —",
        label="Who are they in your network? (optional)",
        help_text="If they accept, your network shows that they have an account.",
    )
    scopes = ScopesField(
        label="What they may see",
        help_text="Start small: you can share more, or less, at any time. Your private notes are never shared.",
    )

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        supporters = Supporter.objects.for_owner(owner).active().personal().order_by("name")
        person_choice(self.fields["supporter"]).queryset = supporters

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if email == self.owner.email.lower():
            raise forms.ValidationError("That's your own address. Enter the address of the person you're inviting.")
        return email

    def clean(self):
        cleaned = super().clean()
        if not sharing.invitations_left_today(self.owner):
            raise forms.ValidationError(
                "You've sent the most invitations we allow in a day. Please try again tomorrow."
            )
        return cleaned


class ScopesForm(forms.Form):
    scopes = ScopesField(label="What they may see", help_text="Your private notes are never shared.")


class ConsentForm(forms.ModelForm):
    """The written consent. Every element 42 CFR Part 2 asks for is a field or a fixed statement."""

    email = forms.EmailField(label="Counselor's email address", help_text="We send them a link to accept.")
    scopes = ScopesField(label="Exactly which information they may see")
    understood = forms.BooleanField(
        label="I have read this consent, including that I can revoke it at any time.", required=True
    )

    class Meta:
        model = Consent
        fields = ["recipient_name", "organisation", "purpose", "expires_on", "signed_name"]
        widgets = {"expires_on": DATE_WIDGET, "purpose": forms.TextInput()}
        help_texts = {
            "expires_on": "The consent ends at the end of this day, without anyone having to do anything.",
            "signed_name": "Typing your name here is your signature.",
        }

    def __init__(self, *args, owner, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner, self.today = owner, today
        self.fields["expires_on"].initial = today + dt.timedelta(days=180)
        self.fields["scopes"].initial = ["clean_time", "checkins", "support_map", "attendance"]

    def clean_expires_on(self):
        expires_on = self.cleaned_data["expires_on"]
        if expires_on < self.today:
            raise forms.ValidationError("Choose a date from today onwards.")
        if expires_on > self.today + dt.timedelta(days=MAX_CONSENT_DAYS):
            raise forms.ValidationError("Choose a date within a year; you can sign a new consent later.")
        return expires_on

    def clean_scopes(self):
        scopes = self.cleaned_data["scopes"]
        if not scopes:
            raise forms.ValidationError("Choose at least one kind of information, or there is nothing to consent to.")
        return scopes

    def clean_signed_name(self):
        name = " ".join(self.cleaned_data["signed_name"].split())
        if len(name) < 2:
            raise forms.ValidationError("Type your full name to sign.")
        return name

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if email == self.owner.email.lower():
            raise forms.ValidationError("That's your own address. Enter your counselor's address.")
        if not sharing.invitations_left_today(self.owner):
            raise forms.ValidationError(
                "You've sent the most invitations we allow in a day. Please try again tomorrow."
            )
        return email


class AcceptForm(forms.Form):
    link_supporter = forms.BooleanField(required=False, initial=True)


class EncouragementForm(forms.Form):
    """On the family page. Its fields name their <form> (`form="encourage-form"`), which holds the CSRF token
    outside the page's kept rendering; the fields are inside it."""

    phrase = forms.ChoiceField(
        label="Pick a ready phrase",
        choices=[("", "— Or write your own below —"), *READY_PHRASES],
        required=False,
        widget=forms.Select(attrs={"form": "encourage-form"}),
    )
    message = forms.CharField(
        label="Your own words",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "form": "encourage-form"}),
    )

    def clean(self):
        cleaned = super().clean()
        cleaned["message"] = cleaned.get("message", "").strip()
        if not cleaned.get("phrase") and not cleaned["message"]:
            raise forms.ValidationError("Pick a ready phrase or write a few words.")
        if cleaned.get("phrase") and cleaned["message"]:
            raise forms.ValidationError("Send either a ready phrase or your own words, not both at once.")
        return cleaned


class RecommendationForm(forms.Form):
    """On a client's page. Its field names its <form> (`form="recommend-form"`), which holds the CSRF token
    outside the page's kept rendering; the field is inside it."""

    text = forms.CharField(
        label="Recommendation",
        max_length=300,
        widget=forms.TextInput(
            attrs={"placeholder": "For example: join a SMART Recovery group", "form": "recommend-form"}
        ),
    )
