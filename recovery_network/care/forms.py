"""Forms of the circle of care: inviting, choosing what to share, consent, encouragement, warning signs."""

import datetime as dt

from django import forms
from django.utils.text import capfirst, get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from milestones.models import COURSE_PHRASES, EVERYDAY_PHRASES
from recovery_network import params
from recovery_network.forms import person_choice
from supports.models import Supporter

from . import consent_requests, renewals, sharing
from .models import SCOPE_FIELDS, SCOPE_NAMES, SCOPES, SIGN_SCOPES, Consent, ConsentRequest, SignWatch, WarningSign

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
    email = forms.EmailField(label=gettext_lazy("Their email address"))
    supporter = forms.ModelChoiceField(
        queryset=Supporter.objects.none(),
        required=False,
        empty_label=gettext_lazy("— Not in my network yet —"),
        label=gettext_lazy("Who are they in your network? (optional)"),
        help_text=gettext_lazy("If they accept, your network shows that they have an account."),
    )
    scopes = ScopesField(
        label=gettext_lazy("What they may see"),
        help_text=gettext_lazy(
            "Start small: you can share more, or less, at any time. Your private notes are never shared."
        ),
    )

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        supporters = Supporter.objects.for_owner(owner).active().personal().order_by("name")
        person_choice(self.fields["supporter"]).queryset = supporters

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if email == self.owner.email.lower():
            raise forms.ValidationError(_("That's your own address. Enter the address of the person you're inviting."))
        return email

    def clean(self):
        cleaned = super().clean()
        if not sharing.invitations_left_today(self.owner):
            raise forms.ValidationError(
                _("You've sent the most invitations we allow in a day. Please try again tomorrow.")
            )
        return cleaned


def _consent_end(expires_on, today, max_days=MAX_CONSENT_DAYS):
    """A consent's last day: from today, within a year."""
    if expires_on < today:
        raise forms.ValidationError(_("Choose a date from today onwards."))
    if expires_on > today + dt.timedelta(days=max_days):
        raise forms.ValidationError(_("Choose a date within a year; you can sign a new consent later."))
    return expires_on


class ScopesForm(forms.Form):
    scopes = ScopesField(
        label=gettext_lazy("What they may see"), help_text=gettext_lazy("Your private notes are never shared.")
    )


class ConsentForm(forms.ModelForm):
    """The written consent. Every element 42 CFR Part 2 asks for is a field or a fixed statement."""

    email = forms.EmailField(
        label=gettext_lazy("Counselor's email address"), help_text=gettext_lazy("We send them a link to accept.")
    )
    scopes = ScopesField(label=gettext_lazy("Exactly which information they may see"))
    understood = forms.BooleanField(
        label=gettext_lazy("I have read this consent, including that I can revoke it at any time."), required=True
    )

    class Meta:
        model = Consent
        fields = ["recipient_name", "organisation", "purpose", "expires_on", "signed_name"]
        widgets = {"expires_on": DATE_WIDGET, "purpose": forms.TextInput()}
        help_texts = {
            "expires_on": gettext_lazy(
                "The consent ends at the end of this day, without anyone having to do anything."
            ),
            "signed_name": gettext_lazy("Typing your name here is your signature."),
        }

    def __init__(self, *args, owner, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner, self.today = owner, today
        self.fields["expires_on"].initial = today + dt.timedelta(days=180)
        self.fields["scopes"].initial = ["clean_time", "checkins", "support_map", "attendance"]

    def clean_expires_on(self):
        return _consent_end(self.cleaned_data["expires_on"], self.today)

    def clean_scopes(self):
        scopes = self.cleaned_data["scopes"]
        if not scopes:
            raise forms.ValidationError(
                _("Choose at least one kind of information, or there is nothing to consent to.")
            )
        return scopes

    def clean_signed_name(self):
        name = " ".join(self.cleaned_data["signed_name"].split())
        if len(name) < 2:
            raise forms.ValidationError(_("Type your full name to sign."))
        return name

    def signed_elements(self):
        """The consent as signed, as the services that record it take it (sign, sign a request, renew)."""
        data = self.cleaned_data
        names = ("recipient_name", "organisation", "purpose", "expires_on", "signed_name")
        return {"scopes": set(data["scopes"]), **{name: data[name] for name in names}}

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if email == self.owner.email.lower():
            raise forms.ValidationError(_("That's your own address. Enter your counselor's address."))
        if not sharing.invitations_left_today(self.owner):
            raise forms.ValidationError(
                _("You've sent the most invitations we allow in a day. Please try again tomorrow.")
            )
        return email


class RequestedConsentForm(ConsentForm):
    """The consent form for a request a counselor sent: the same elements, started from what they proposed,
    every one of them the client's to change. No email: the counselor is known, and asked."""

    email = None

    def __init__(self, *args, consent_request, **kwargs):
        kwargs.setdefault("initial", consent_request.proposed())
        super().__init__(*args, **kwargs)


class RenewalForm(ConsentForm):
    """The consent form for renewing a consent: the same elements, started from the consent as it stands, every
    one of them the client's to change. No email: the renewal names the same counselor's account."""

    email = None

    def __init__(self, *args, consent, **kwargs):
        kwargs.setdefault("initial", renewals.renewal_terms(consent, kwargs["today"]))
        super().__init__(*args, **kwargs)


class ConsentRequestForm(forms.ModelForm):
    """A counselor's request: the consent they propose, for the client to review, change, and sign or decline."""

    scopes = ScopesField(
        label=gettext_lazy("Exactly which information you ask to see"),
        help_text=gettext_lazy(
            "Ask for what your work needs; the client can take any of it out before signing. Their private "
            "notes are never shared."
        ),
        # The client's, seen from outside; capfirst keeps the name lazy (a scope name has no capital to lower).
        choices=[(name, capfirst(SCOPE_NAMES[name])) for name in SCOPE_FIELDS],
    )

    class Meta:
        model = ConsentRequest
        fields = ["email", "recipient_name", "organisation", "purpose", "expires_on", "note"]
        labels = {"email": gettext_lazy("Your client's email address")}
        widgets = {
            "expires_on": DATE_WIDGET,
            "purpose": forms.TextInput(),
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "email": gettext_lazy("We email them a link. You won't be told whether the address has an account."),
            "expires_on": gettext_lazy(
                "The client can choose another date; consent can be revoked sooner at any time."
            ),
            "note": gettext_lazy("Shown to them on the request's page after they sign in, not in the email."),
        }

    # Within a year from both sides of the date line: the client's day may still be the counselor's yesterday.
    MAX_DAYS = MAX_CONSENT_DAYS - 1

    def __init__(self, *args, counselor, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.counselor, self.today = counselor, today
        self.fields["recipient_name"].initial = counselor.name
        self.fields["expires_on"].initial = today + dt.timedelta(days=180)
        self.fields["scopes"].initial = ["clean_time", "checkins", "support_map", "attendance"]

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if email == self.counselor.email.lower():
            raise forms.ValidationError(_("That's your own address. Enter your client's address."))
        return email

    def clean_expires_on(self):
        return _consent_end(self.cleaned_data["expires_on"], self.today, self.MAX_DAYS)

    def clean_scopes(self):
        scopes = self.cleaned_data["scopes"]
        if not scopes:
            raise forms.ValidationError(_("Choose at least one kind of information to ask for."))
        return scopes

    def clean(self):
        cleaned = super().clean()
        if not consent_requests.consent_requests_left_today(self.counselor):
            raise forms.ValidationError(
                _("You've sent the most consent requests we allow in a day. Please try again tomorrow.")
            )
        return cleaned


class AcceptForm(forms.Form):
    link_supporter = forms.BooleanField(required=False, initial=True)


class EncouragementForm(forms.Form):
    """On the family page. Its fields name their <form> (`form="encourage-form"`), which holds the CSRF token
    outside the page's kept rendering; the fields are inside it."""

    phrase = forms.ChoiceField(
        label=gettext_lazy("Pick a ready phrase"),
        choices=[
            ("", gettext_lazy("— Or write your own below —")),
            (gettext_lazy("Everyday"), EVERYDAY_PHRASES),
            (gettext_lazy("From Learning to help, the family course"), COURSE_PHRASES),
        ],
        required=False,
        widget=forms.Select(attrs={"form": "encourage-form"}),
    )
    message = forms.CharField(
        label=gettext_lazy("Your own words"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "form": "encourage-form"}),
    )

    def clean(self):
        cleaned = super().clean()
        cleaned["message"] = cleaned.get("message", "").strip()
        if not cleaned.get("phrase") and not cleaned["message"]:
            raise forms.ValidationError(_("Pick a ready phrase or write a few words."))
        if cleaned.get("phrase") and cleaned["message"]:
            raise forms.ValidationError(_("Send either a ready phrase or your own words, not both at once."))
        return cleaned


class RecommendationForm(forms.Form):
    """On a client's page. Its field names its <form> (`form="recommend-form"`), which holds the CSRF token
    outside the page's kept rendering; the field is inside it."""

    text = forms.CharField(
        label=gettext_lazy("Recommendation"),
        max_length=300,
        widget=forms.TextInput(
            attrs={"placeholder": gettext_lazy("For example: join a SMART Recovery group"), "form": "recommend-form"}
        ),
    )


DAYS_MESSAGE = gettext_lazy("Choose a number of days from 1 to 30.")


def needs(sign):
    """What someone must be allowed to see to be told of this sign, in the owner's words ("check-in trends or
    setbacks": a sign needs one scope or two)."""
    names = [str(SCOPE_NAMES[scope]) for scope in SCOPE_FIELDS if scope in SIGN_SCOPES[sign]]
    return get_text_list(names)  # "a or b", the "or" from Django's own translations


class SignWatchForm(forms.Form):
    """One person of the circle on the warning-signs page: which signs they are told of.

    Who it is travels with the row (`watcher`), so a circle that changed since the page was opened never moves
    a tick to someone else. A sign their scope doesn't show is drawn disabled, saying why; ticked all the same
    (a forged post), it is refused with that reason.
    """

    watcher = forms.CharField(widget=forms.HiddenInput, required=False)
    no_checkin = forms.BooleanField(label=gettext_lazy("No check-in for a few days"), required=False)
    no_checkin_days = forms.IntegerField(
        label=gettext_lazy("After how many days without a check-in"),
        min_value=1,
        max_value=30,
        required=False,
        error_messages={"invalid": DAYS_MESSAGE, "min_value": DAYS_MESSAGE, "max_value": DAYS_MESSAGE},
        widget=forms.NumberInput(attrs={"min": 1, "max": 30, "inputmode": "numeric"}),
    )
    craving = forms.BooleanField(label=gettext_lazy("Cravings of 8 or more, three days running"), required=False)
    use = forms.BooleanField(label=gettext_lazy("A check-in recording use"), required=False)

    def __init__(self, *args, circle, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.circle = circle
        watcher = self.data.get(self.add_prefix("watcher")) if self.is_bound else self.initial.get("watcher")
        self.member = circle.get(params.object_id(watcher))
        for sign in WarningSign.values:
            if self.member is not None and sign not in self.member.allowed:
                self.fields[sign].widget.attrs["disabled"] = True
                self.fields[sign].help_text = _("Needs %(scopes)s: share that with them to choose it.") % {
                    "scopes": needs(sign)
                }
                if sign == WarningSign.NO_CHECKIN:
                    self.fields["no_checkin_days"].widget.attrs["disabled"] = True

    def clean_watcher(self):
        return params.object_id(self.cleaned_data["watcher"])

    def clean(self):
        cleaned = super().clean()
        member = self.circle.get(cleaned.get("watcher"))
        if member is None:
            raise forms.ValidationError(
                _(
                    "This person no longer shares in your circle, so nothing can be chosen for them. "
                    "Reload the page to see who does."
                )
            )
        for sign in WarningSign.values:
            if cleaned.get(sign) and sign not in member.allowed:
                self.add_error(
                    sign,
                    _(
                        "%(name)s can't be told of this: it needs %(scopes)s. Change what they see first, or leave "
                        "it unticked."
                    )
                    % {"name": member.watcher.name, "scopes": needs(sign)},
                )
        if cleaned.get("no_checkin_days") is None and "no_checkin_days" not in self.errors:
            cleaned["no_checkin_days"] = SignWatch._meta.get_field("no_checkin_days").default
        return cleaned


class BaseSignWatchFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        watchers = [form.cleaned_data.get("watcher") for form in self.forms]
        if len(set(watchers)) != len(watchers):
            raise forms.ValidationError(_("Each person can be listed only once. Reload the page and try again."))


# A circle is a handful of people; the bound keeps a forged TOTAL_FORMS from building thousands of forms.
MAX_CIRCLE = 500
SignWatchFormSet = forms.formset_factory(
    SignWatchForm,
    formset=BaseSignWatchFormSet,
    extra=0,
    max_num=MAX_CIRCLE,
    absolute_max=MAX_CIRCLE,
    validate_max=True,
)
