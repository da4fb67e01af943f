import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, pgettext

from recovery_network.forms import TimeZoneField, person_choice

from .feeds import MAX_FEED_BYTES
from .models import (
    RELATIONSHIP_GROUPS,
    SUPPORT_KIND_FIELDS,
    WEEKDAY_CHOICES,
    ActivityKind,
    Channel,
    Closeness,
    CommunityActivity,
    Contact,
    ContactEvery,
    Fellowship,
    Helpfulness,
    MeetingFormat,
    MeetingTime,
    PeerGroup,
    Supporter,
)

# A phone's clock may run a little ahead of the server's.
CLOCK_SKEW = dt.timedelta(minutes=5)


class SupporterForm(forms.ModelForm):
    class Meta:
        model = Supporter
        fields = [
            "name",
            "relationship",
            "closeness",
            "influence",
            *SUPPORT_KIND_FIELDS,
            "phone",
            "email",
            "preferred_channel",
            "online_via",
            "contact_every_days",
            "notes",
        ]
        widgets = {
            "closeness": forms.RadioSelect,
            "influence": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
        }
        labels = {
            "name": gettext_lazy("Name"),
            "relationship": gettext_lazy("Relationship"),
            "closeness": gettext_lazy("How close are you?"),
            "influence": gettext_lazy("How do they relate to your recovery?"),
            "gives_crisis": gettext_lazy("crisis support (someone to call at 3 a.m.)"),
            "phone": gettext_lazy("Phone"),
            "email": gettext_lazy("Email"),
            "notes": gettext_lazy("Notes"),
        }
        help_texts = {
            "influence": gettext_lazy(
                "Be honest with yourself: someone you used with can still matter to you and be a risk."
            ),
            "contact_every_days": gettext_lazy("We'll show when it's been longer than this since you were in touch."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["relationship"].choices = RELATIONSHIP_GROUPS
        self.fields["contact_every_days"].choices = [("", gettext("No particular rhythm")), *ContactEvery.choices]
        self.fields["preferred_channel"].choices = [("", gettext("No preference")), *Channel.choices]

    @property
    def kind_fields(self):
        return [self[name] for name in SUPPORT_KIND_FIELDS]

    @property
    def detail_fields(self):
        return [self[name] for name in ("phone", "email", "preferred_channel", "online_via", "contact_every_days")]


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ContactForm(forms.ModelForm):
    """Log a contact in a few taps: the time defaults to now, in the owner's zone."""

    class Meta:
        model = Contact
        fields = ["supporter", "happened_at", "channel", "helpfulness", "note"]
        widgets = {
            "happened_at": LocalDateTimeInput(),
            "channel": forms.RadioSelect,
            "helpfulness": forms.RadioSelect,
            "note": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"supporter": gettext_lazy("Who"), "note": gettext_lazy("Note (optional)")}

    def __init__(self, *args, owner, supporter=None, now=None, **kwargs):
        self.now = now or timezone.now()
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("happened_at", self.starts_at(self.now))
        super().__init__(*args, **kwargs)
        self.fields["happened_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        self.fields["channel"].choices = Channel.choices
        self.fields["helpfulness"].choices = [("", gettext("Rather not say")), *Helpfulness.choices]
        self.fields["helpfulness"].required = False
        if supporter is not None:
            del self.fields["supporter"]
            self.instance.supporter = supporter
        else:
            person_choice(self.fields["supporter"]).queryset = Supporter.objects.for_owner(owner).active()
            self.fields["supporter"].empty_label = gettext("Choose someone")
        self.instance.owner = owner

    @staticmethod
    def starts_at(now):
        """The time an unbound form offers: the minute it is now, in the current zone."""
        return timezone.localtime(now).replace(second=0, microsecond=0)

    def clean_happened_at(self):
        happened_at = self.cleaned_data["happened_at"]
        if happened_at > self.now + CLOCK_SKEW:
            raise forms.ValidationError(gettext("That time is in the future. Log a contact once it has happened."))
        return happened_at


class PeerGroupForm(forms.ModelForm):
    online_url = forms.URLField(label=gettext_lazy("Video link"), max_length=500, required=False, assume_scheme="https")
    time_zone = TimeZoneField(
        help_text=gettext_lazy("The group's own time zone: meeting times below are in this zone.")
    )

    class Meta:
        model = PeerGroup
        fields = [
            "name",
            "fellowship",
            "format",
            "time_zone",
            "address",
            "online_url",
            "online_via",
            "is_home_group",
            "sponsor",
            "notes",
        ]
        widgets = {"format": forms.RadioSelect, "notes": forms.Textarea(attrs={"rows": 3})}
        labels = {
            "name": gettext_lazy("Name"),
            "format": gettext_lazy("Format"),
            "address": gettext_lazy("Address"),
            "sponsor": gettext_lazy("Sponsor"),
            "notes": gettext_lazy("Notes"),
        }

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fellowship"].choices = Fellowship.choices
        person_choice(self.fields["sponsor"]).queryset = Supporter.objects.for_owner(owner).active()
        self.fields["sponsor"].empty_label = gettext("No sponsor in this group")
        if not self.instance.pk:
            self.fields["time_zone"].initial = owner.time_zone
        self.instance.owner = owner

    def clean(self):
        cleaned = super().clean()
        group_format = cleaned.get("format")
        if group_format in (MeetingFormat.ONLINE, MeetingFormat.HYBRID) and not cleaned.get("online_url"):
            self.add_error("online_url", gettext("An online or hybrid group needs its video link."))
        if group_format in (MeetingFormat.IN_PERSON, MeetingFormat.HYBRID) and not cleaned.get("address"):
            self.add_error("address", gettext("An in-person or hybrid group needs an address."))
        return cleaned


class MeetingTimeForm(forms.ModelForm):
    class Meta:
        model = MeetingTime
        fields = ["weekday", "start_time", "end_time"]
        widgets = {
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        labels = {
            "weekday": gettext_lazy("Day"),
            "start_time": gettext_lazy("Starts"),
            "end_time": gettext_lazy("Ends (optional)"),
        }


# absolute_max: a post claiming more times than that is refused whole (Django's default, max_num + 1000, would
# build and draw a thousand forms for one request).
MeetingTimeFormSet = forms.inlineformset_factory(
    PeerGroup, MeetingTime, form=MeetingTimeForm, extra=2, max_num=21, absolute_max=21, can_delete=True
)


class AttendanceForm(forms.Form):
    attended_on = forms.DateField(label=gettext_lazy("Day you went"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, local_today, **kwargs):
        kwargs.setdefault("initial", {"attended_on": local_today})
        super().__init__(*args, **kwargs)
        self.local_today = local_today

    def clean_attended_on(self):
        day = self.cleaned_data["attended_on"]
        if day > self.local_today:
            raise forms.ValidationError(gettext("That day hasn't come yet. Log a meeting once you've been."))
        return day


class MemberSearchForm(forms.Form):
    """The network list's search: part of a name, and a circle and kind of supporter (the map's "+N" links here)."""

    q = forms.CharField(label=gettext_lazy("Find someone by name"), max_length=80, strip=True, required=False)
    circle = forms.TypedChoiceField(
        label=gettext_lazy("Circle"),
        choices=[("", gettext_lazy("Any circle")), *Closeness.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[
            ("", gettext_lazy("Anyone")),
            ("personal", gettext_lazy("Personal")),
            ("professional", gettext_lazy("Professional")),
        ],
        required=False,
    )

    def filter(self, supporters):
        """The supporters the search asks for, and what it asked in words ("" for everyone)."""
        if not self.is_valid():
            return supporters, ""
        named, circle, kind = (self.cleaned_data[name] for name in ("q", "circle", "kind"))
        said = []
        # What was searched for, said after "People (3" and after "No one in your network is" (network_body.html):
        # "professional", "in your inner circle", "named “Sam”", or all three in that order.
        if kind:
            supporters = supporters.professional() if kind == "professional" else supporters.personal()
            said.append(
                # Translators: one of the words of a search, shown as "People (3 professional in your inner circle)".
                pgettext("people who are", "professional")
                if kind == "professional"
                else pgettext("people who are", "personal")
            )
        if circle:
            supporters = supporters.filter(closeness=circle)
            # Translators: part of a search, after "professional" if that was asked: "in your inner circle".
            said.append(gettext("in your %(circle)s") % {"circle": Closeness(circle).label.lower()})
        if named:
            supporters = supporters.filter(name__icontains=named)
            said.append(gettext("named “%(name)s”") % {"name": named})
        return supporters, " ".join(said)


class MeetingSearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Name, place or area"), required=False, max_length=100)
    day = forms.TypedChoiceField(
        label=gettext_lazy("Day"),
        choices=[("", gettext_lazy("Any day")), *WEEKDAY_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"), choices=[("", gettext_lazy("Any format")), *MeetingFormat.choices], required=False
    )


class FeedUploadForm(forms.Form):
    feed = forms.FileField(
        label=gettext_lazy("Meeting list file (JSON)"),
        help_text=gettext_lazy("A file in the Meeting Guide format, as published by many meeting-list websites."),
    )
    fellowship = forms.ChoiceField(label=gettext_lazy("Fellowship"), choices=Fellowship.choices, initial=Fellowship.AA)

    def clean_feed(self):
        feed = self.cleaned_data["feed"]
        if feed.size > MAX_FEED_BYTES:
            raise forms.ValidationError(gettext("That file is too large; a meeting list is usually well under 10 MB."))
        return feed


class CommunityActivityForm(forms.ModelForm):
    class Meta:
        model = CommunityActivity
        fields = ["kind", "title", "happened_on", "hours", "online_via", "notes"]
        widgets = {
            "happened_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 2}),
            "hours": forms.NumberInput(attrs={"step": "0.25", "min": "0"}),
        }
        labels = {"kind": gettext_lazy("Kind"), "hours": gettext_lazy("Hours"), "notes": gettext_lazy("Notes")}

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = ActivityKind.choices
        self.owner = owner
        if not self.instance.pk:
            self.fields["happened_on"].initial = owner.local_today()
        self.instance.owner = owner

    def clean_hours(self):
        hours = self.cleaned_data["hours"]
        if hours is not None and (hours <= 0 or hours > 24):
            raise forms.ValidationError(gettext("Give the hours for that day, between a quarter of an hour and 24."))
        return hours

    def clean_happened_on(self):
        day = self.cleaned_data["happened_on"]
        if day > self.owner.local_today() + dt.timedelta(days=366):
            raise forms.ValidationError(gettext("That date is more than a year away."))
        return day


class SnapshotForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("A note for your future self (optional)"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("e.g. after moving to a new city")}),
    )
