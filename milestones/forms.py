import datetime as dt
import re

from django import forms
from django.db.models import F
from django.utils.dateformat import format as format_date
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy, ngettext

from recovery_network import params
from recovery_network.forms import person_choice
from supports.models import PeerGroup, Supporter

from . import money
from .models import (
    FILL_IN_DAYS,
    HELPED_CHOICES,
    MOOD_LABELS,
    TRIGGER_CHOICES,
    CheckIn,
    Encouragement,
    Journey,
    PersonalGoal,
)

EARLIEST_DATE = dt.date(1900, 1, 1)
# Supporters (and groups) a check-in offers as checkboxes before any search: a network of 500 is
# not 500 checkboxes. Anyone else is found by name.
OFFERED = 12
MAX_OWN_TRIGGERS = 10
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _check_date_in_range(day, today, what):
    """`what` is "start date" or "date": which words the errors use."""
    if day > today:
        if what == "start date":
            message = gettext("The start date can't be after today (%(today)s).")
        else:
            message = gettext("The date can't be after today (%(today)s).")
        raise forms.ValidationError(message % {"today": format_date(today, gettext("j F Y"))})
    if day < EARLIEST_DATE:
        if what == "start date":
            raise forms.ValidationError(gettext("Check the year of the start date."))
        raise forms.ValidationError(gettext("Check the year of the date."))
    return day


class JourneyForm(forms.ModelForm):
    class Meta:
        model = Journey
        fields = ["kind", "own_words", "started_on"]
        widgets = {"kind": forms.RadioSelect, "started_on": DATE_WIDGET}
        labels = {"started_on": gettext_lazy("First day of your current count")}
        help_texts = {
            "started_on": gettext_lazy("Your first full day. Clean time counts from here, in your own time zone.")
        }

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        # Radio buttons need no "---------": it would be the one checked before the person chose.
        self.fields["kind"].choices = Journey.Kind.choices
        self.today = today
        self.last_restart = None
        if self.instance.pk:
            restarts = [s.happened_on for s in self.instance.setbacks.all() if s.restart_on is not None]
            self.last_restart = max(restarts, default=None)

    def clean_started_on(self):
        started_on = self.cleaned_data["started_on"]
        if self.instance.pk and started_on == self.instance.started_on:
            # A count restarting tomorrow may be saved as it is (to rename the journey).
            return started_on
        started_on = _check_date_in_range(started_on, self.today, "start date")
        if self.last_restart and started_on < self.last_restart:
            raise forms.ValidationError(
                gettext(
                    "Your current count began after the setback on %(day)s; "
                    "choose that day or later. Earlier streaks stay in your history."
                )
                % {"day": format_date(self.last_restart, gettext("j F Y"))}
            )
        return started_on

    def save(self, commit=True):
        journey = super().save(commit=False)
        if not journey.pk or not self.last_restart:
            # Without a restart the whole history is this one count.
            journey.first_started_on = journey.started_on
        if commit:
            journey.save()
        return journey


# "12,50" or "1.234,50" where a comma marks the decimals; "1,234.50" where it groups thousands.
DECIMAL_COMMA = re.compile(r"-?\d+,\d{1,2}")
GROUPED_BY_COMMA = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d*)?")
GROUPED_BY_POINT = re.compile(r"-?\d{1,3}(\.\d{3})+,\d{1,2}")


class AmountField(forms.DecimalField):
    """A decimal typed as people type money: "12", "12.50", "12,50", "1,234.50" or "1.234,50". A plain text box
    (a number box throws away what it cannot read, and with it what the person typed)."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(" ", "").replace("\u00a0", "")
            if GROUPED_BY_POINT.fullmatch(value):
                value = value.replace(".", "").replace(",", ".")
            elif DECIMAL_COMMA.fullmatch(value):
                value = value.replace(",", ".")
            elif GROUPED_BY_COMMA.fullmatch(value):
                value = value.replace(",", "")
        return super().to_python(value)


class JourneyWithCostForm(JourneyForm):
    """The journey form of the progress pages, with what the habit cost each day (the first run asks only
    the journey itself, with JourneyForm)."""

    COST_FIELDS = ("cost_per_day", "cost_currency", "hours_per_day")

    class Meta(JourneyForm.Meta):
        fields = [*JourneyForm.Meta.fields, "cost_per_day", "cost_currency", "hours_per_day"]
        field_classes = {"cost_per_day": AmountField, "hours_per_day": AmountField}
        labels = {
            **JourneyForm.Meta.labels,
            "cost_per_day": gettext_lazy("Money a day (optional)"),
            "hours_per_day": gettext_lazy("Hours a day (optional)"),
        }
        help_texts = {
            **JourneyForm.Meta.help_texts,
            "cost_per_day": gettext_lazy("For example 12.50."),
            "hours_per_day": gettext_lazy("Getting it, using it, getting over it: for example 3 or 1.5."),
        }
        error_messages = {
            "cost_per_day": {
                "invalid": gettext_lazy("Enter the money as a number, for example 12.50."),
                "max_digits": gettext_lazy("That is more than we can keep; enter a smaller amount."),
                "max_whole_digits": gettext_lazy("That is more than we can keep; enter a smaller amount."),
                "max_decimal_places": gettext_lazy("Use at most 2 decimal places, for example 12.50."),
            },
            "hours_per_day": {
                "invalid": gettext_lazy("Enter the hours as a number, for example 3 or 1.5."),
                "max_digits": gettext_lazy("A day has 24 hours: enter 24 or fewer."),
                "max_whole_digits": gettext_lazy("A day has 24 hours: enter 24 or fewer."),
                "max_decimal_places": gettext_lazy("Use at most one decimal place, for example 1.5."),
            },
            "cost_currency": {"invalid_choice": gettext_lazy("Choose a currency from the list.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        currency = self.fields["cost_currency"]
        # Named in the active language, read when the form is made rather than when this module was imported.
        currency.choices = money.currency_choices()
        # A form sent without it (an older page, a script) keeps the journey's currency, or the default.
        currency.required = False

    def clean_cost_currency(self):
        return self.cleaned_data["cost_currency"] or self.instance.cost_currency or money.DEFAULT_CURRENCY

    def journey_fields(self):
        return [field for field in self.visible_fields() if field.name not in self.COST_FIELDS]

    def cost_fields(self):
        return [self[name] for name in self.COST_FIELDS]

    def costs(self):
        """The cleaned cost fields, for `services.start_journey`."""
        return {name: self.cleaned_data[name] for name in self.COST_FIELDS}


class OwnRecordsField(forms.ModelMultipleChoiceField):
    """Django's field for some of the owner's supporters or groups, refusing an id no row can have first.

    Django looks the chosen ids up with IN (…), where SQLite fails on an id past its integer range
    (its own overflow check covers exact lookups only); such an id is a form error like any other.
    None chosen is [], as Django's empty queryset holds: asked whether it is empty, that queryset
    builds its SQL first: a quarter of the CPU of a submit naming nobody (0.5 of 2.1 ms).
    """

    def clean(self, value):
        if not value and not self.required:
            return []
        for pk in value if isinstance(value, (list, tuple)) else ():
            if params.object_id(pk) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super().clean(value)


CHOOSABLE = {"supporters": Supporter, "groups": PeerGroup}
OFFER_ORDER = {
    "supporters": ["closeness", F("last_contact_at").desc(nulls_last=True), "name", "pk"],
    "groups": ["-is_home_group", "name", "pk"],
}


class CheckInForm(forms.Form):
    sober = forms.ChoiceField(
        label=gettext_lazy("Did you stay sober today?"), choices=CheckIn.Sober.choices, widget=forms.RadioSelect
    )
    mood = forms.TypedChoiceField(
        label=gettext_lazy("How is your mood?"),
        choices=[(value, format_lazy("{} · {}", value, label)) for value, label in MOOD_LABELS.items()],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    craving = forms.TypedChoiceField(
        label=gettext_lazy("How strong were cravings? (0 none – 10 strongest)"),
        choices=[(value, str(value)) for value in range(11)],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    triggers = forms.MultipleChoiceField(
        label=gettext_lazy("Triggers today"), required=False, widget=forms.CheckboxSelectMultiple
    )
    own_triggers = forms.CharField(
        label=gettext_lazy("Other triggers, in your own words"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Separate them with commas. They'll be offered next time."),
    )
    helped = forms.MultipleChoiceField(
        label=gettext_lazy("What helped?"), choices=HELPED_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    supporters = OwnRecordsField(
        Supporter.objects.none(),
        label=gettext_lazy("Supporters who helped"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    groups = OwnRecordsField(
        PeerGroup.objects.none(),
        label=gettext_lazy("Groups or meetings that helped"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    gratitude = forms.CharField(
        label=gettext_lazy("Something you're grateful for"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, owner, own_triggers=(), late=False, **kwargs):
        super().__init__(*args, **kwargs)
        if late:  # a missed day filled in later asks about that day
            self.fields["sober"].label = gettext("Did you stay sober that day?")
            self.fields["triggers"].label = gettext("Triggers that day")
        common = [key for key, _ in TRIGGER_CHOICES]
        self.fields["triggers"].choices = TRIGGER_CHOICES + [(t, t) for t in own_triggers if t not in common]
        # Only the owner's own network can be linked: another person's supporter id
        # is simply not a valid choice.
        for name in CHOOSABLE:
            self.fields[name].queryset = self.choosable(owner, name)

    @staticmethod
    def choosable(owner, name):
        """The records a check-in of `owner` may link as `name` ("supporters" or "groups"): their own active ones."""
        return CHOOSABLE[name].objects.for_owner(owner).active()

    def chosen(self, name):
        """The owner's records this form names as `name`: the initial ones, or those of the ids it was sent."""
        if not self.is_bound:
            return list(self.initial.get(name) or ())
        sent = self.fields[name].widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
        ids = {params.object_id(value) for value in sent} - {None}
        return list(self.fields[name].queryset.filter(pk__in=ids)) if ids else []

    def offer(self, name):
        """Draw the chosen records and the first OFFERED others (inner circle and recent contact first) as the
        field's checkboxes; any of the owner's records stays a valid choice. True if there are more to find."""
        chosen = self.chosen(name)
        first = list(self.fields[name].queryset.order_by(*OFFER_ORDER[name])[: OFFERED + 1])
        offered = first[:OFFERED]
        offered += [record for record in chosen if record not in offered]
        self.fields[name].choices = [(record.pk, str(record)) for record in offered]
        return len(first) > OFFERED

    def answers(self):
        """What this bound form was sent, as initial values for an unbound one (shown again, not judged)."""
        sent = {
            name: field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            for name, field in self.fields.items()
        }
        return sent | {name: self.chosen(name) for name in CHOOSABLE}

    @classmethod
    def initial_for(cls, checkin):
        if checkin is None:
            return {}
        return {
            "sober": checkin.sober,
            "mood": checkin.mood,
            "craving": checkin.craving,
            "triggers": checkin.triggers,
            "helped": checkin.helped,
            "supporters": list(checkin.helped_supporters.all()),
            "groups": list(checkin.helped_groups.all()),
            "gratitude": checkin.gratitude,
            "notes": checkin.notes,
        }

    def clean_own_triggers(self):
        words = []
        for word in self.cleaned_data["own_triggers"].split(","):
            word = " ".join(word.split())[:40]
            if word and word.lower() not in (w.lower() for w in words):
                words.append(word)
        if len(words) > MAX_OWN_TRIGGERS:
            raise forms.ValidationError(
                ngettext(
                    "Up to %(count)s of your own triggers at a time, please.",
                    "Up to %(count)s of your own triggers at a time, please.",
                    MAX_OWN_TRIGGERS,
                )
                % {"count": MAX_OWN_TRIGGERS}
            )
        return words

    def checkin_fields(self):
        """The cleaned answers as keyword arguments for services.save_checkin."""
        data = self.cleaned_data
        triggers = list(data["triggers"])
        triggers += [word for word in data["own_triggers"] if word not in triggers]
        helped = list(data["helped"])
        # Naming a supporter or a group is itself an answer to "what helped".
        if data["supporters"] and "supporter" not in helped:
            helped.append("supporter")
        if data["groups"] and "meeting" not in helped:
            helped.append("meeting")
        return {
            "sober": data["sober"],
            "mood": data["mood"],
            "craving": data["craving"],
            "triggers": triggers,
            "helped": helped,
            "gratitude": data["gratitude"],
            "notes": data["notes"],
            "supporters": list(data["supporters"]),
            "groups": list(data["groups"]),
        }

    def core_answers(self):
        """What the offline page asks (sober, mood, craving, a note), and only what was answered: a check-in
        already saved that day keeps its other answers and its links."""
        data = self.cleaned_data
        answers = {"sober": data["sober"]}
        answers.update({name: data[name] for name in ("mood", "craving", "notes") if data[name] not in (None, "")})
        return answers


class ShortCheckInForm(forms.Form):
    """The offline page's check-in: CheckInForm's first questions and a note, posted to the full check-in
    (with answers=core, so what it doesn't ask keeps its saved value)."""

    sober = CheckInForm.base_fields["sober"]
    mood = CheckInForm.base_fields["mood"]
    craving = CheckInForm.base_fields["craving"]
    notes = CheckInForm.base_fields["notes"]


class SentFromDeviceForm(forms.Form):
    """The phone's key and day for a check-in it kept while offline (added by the page's script).

    Without a key this is an ordinary check-in for today. With one, the check-in is for the day
    the person filled it in, in their own zone, as long as that was within the last week.
    """

    OLDEST_DAYS = FILL_IN_DAYS

    device_key = forms.UUIDField(required=False)
    filled_on = forms.DateField(required=False)
    # "core": sent from the offline page's short form (CheckInForm.core_answers).
    answers = forms.ChoiceField(choices=[("all", "all"), ("core", "core")], required=False)

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        data = super().clean()
        if data.get("device_key") is None:
            data["filled_on"] = self.today
            return data
        filled_on = data.get("filled_on")
        if filled_on is None:
            raise forms.ValidationError(gettext("This check-in doesn't say which day it was filled in."))
        if filled_on > self.today:
            raise forms.ValidationError(gettext("This check-in is dated after today; check the phone's date."))
        if filled_on < self.today - dt.timedelta(days=self.OLDEST_DAYS):
            raise forms.ValidationError(
                ngettext(
                    "This check-in was filled in more than %(count)s day ago, so it can't be added now.",
                    "This check-in was filled in more than %(count)s days ago, so it can't be added now.",
                    self.OLDEST_DAYS,
                )
                % {"count": self.OLDEST_DAYS}
            )
        return data


class SetbackForm(forms.Form):
    RESTART = "restart"
    KEEP = "keep"

    happened_on = forms.DateField(label=gettext_lazy("When did it happen?"), widget=DATE_WIDGET)
    what_happened = forms.CharField(
        label=gettext_lazy("What happened (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Only you can see this."),
    )
    what_learned = forms.CharField(
        label=gettext_lazy("What did you learn? (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reach_out_to = forms.CharField(
        label=gettext_lazy("Whom will you reach out to? (optional)"), required=False, max_length=200
    )
    reach_out_supporter = forms.ModelChoiceField(
        label=gettext_lazy("Or choose someone from your network"), queryset=Supporter.objects.none(), required=False
    )
    count = forms.ChoiceField(
        label=gettext_lazy("Your count"),
        choices=[
            (RESTART, gettext_lazy("Start a new count from a new date")),
            (KEEP, gettext_lazy("Keep my count going")),
        ],
        widget=forms.RadioSelect,
        initial=RESTART,
        help_text=gettext_lazy("Either way, every day you've had stays in your history."),
    )
    restart_on = forms.DateField(
        label=gettext_lazy("First day of the new count"),
        required=False,
        widget=DATE_WIDGET,
        help_text=gettext_lazy("Usually the day after. Leave empty for that."),
    )

    def __init__(self, *args, owner, journey, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.journey, self.today = journey, today
        supporters = Supporter.objects.for_owner(owner).active().order_by("name")
        person_choice(self.fields["reach_out_supporter"]).queryset = supporters
        self.fields["reach_out_supporter"].empty_label = "—"

    def clean_happened_on(self):
        happened_on = _check_date_in_range(self.cleaned_data["happened_on"], self.today, "date")
        if happened_on < self.journey.first_started_on:
            raise forms.ValidationError(
                gettext("This journey began on %(day)s; choose that day or later.")
                % {"day": format_date(self.journey.first_started_on, gettext("j F Y"))}
            )
        return happened_on

    def clean(self):
        cleaned = super().clean()
        happened_on = cleaned.get("happened_on")
        if happened_on is None or cleaned.get("count") != self.RESTART:
            cleaned["restart_on"] = None
            return cleaned
        if happened_on < self.journey.started_on:
            self.add_error(
                "happened_on",
                gettext(
                    "Your current count began on %(day)s. To restart, choose that day "
                    "or later — or keep your count and the setback is still recorded."
                )
                % {"day": format_date(self.journey.started_on, gettext("j F Y"))},
            )
            return cleaned
        restart_on = cleaned.get("restart_on") or happened_on + dt.timedelta(days=1)
        if restart_on < happened_on:
            self.add_error("restart_on", gettext("The new count can begin on the day it happened or later."))
        elif restart_on > self.today + dt.timedelta(days=1):
            self.add_error("restart_on", gettext("The new count can begin today or tomorrow at the latest."))
        cleaned["restart_on"] = restart_on
        return cleaned


class PersonalGoalForm(forms.ModelForm):
    class Meta:
        model = PersonalGoal
        fields = ["title", "journey", "days", "on_date"]
        widgets = {"on_date": DATE_WIDGET}
        labels = {"days": gettext_lazy("A day count"), "on_date": gettext_lazy("Or a date")}
        help_texts = {
            "days": gettext_lazy("For example 100: celebrated 100 days into your current count."),
            "on_date": gettext_lazy("A sober birthday, an anniversary, a day that matters to you."),
        }

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        journeys = Journey.objects.for_owner(owner)
        self.fields["journey"].queryset = journeys
        self.fields["journey"].empty_label = "—"
        self.fields["journey"].label = gettext("Counting from (for a day count)")

    def clean(self):
        cleaned = super().clean()
        days, on_date, journey = cleaned.get("days"), cleaned.get("on_date"), cleaned.get("journey")
        if self.errors:
            return cleaned
        if (days is None) == (on_date is None):
            raise forms.ValidationError(gettext("Give either a day count or a date."))
        if days is not None and journey is None:
            journeys = list(self.fields["journey"].queryset[:2])
            if len(journeys) == 1:
                cleaned["journey"] = self.instance.journey = journeys[0]
            else:
                self.add_error("journey", gettext("Choose the journey this day count counts from."))
        if on_date is not None:
            cleaned["journey"] = self.instance.journey = None
        return cleaned


class ChoiceSearchForm(forms.Form):
    """A name typed to find one of the person's own supporters or groups for a check-in."""

    q = forms.CharField(
        label=gettext_lazy("Find by name"),
        max_length=120,
        required=False,
        widget=forms.SearchInput(attrs={"autocomplete": "off"}),
    )


class EncouragementForm(forms.ModelForm):
    class Meta:
        model = Encouragement
        fields = ["from_name", "supporter", "message", "received_on"]
        widgets = {"message": forms.Textarea(attrs={"rows": 3}), "received_on": DATE_WIDGET}
        labels = {
            "supporter": gettext_lazy("From someone in your network (optional)"),
            "received_on": gettext_lazy("Received on"),
        }

    def __init__(self, *args, owner, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        person_choice(self.fields["supporter"]).queryset = Supporter.objects.for_owner(owner).active().order_by("name")
        self.fields["supporter"].empty_label = "—"
        self.fields["from_name"].required = False
        self.fields["received_on"].initial = today

    def clean_received_on(self):
        return _check_date_in_range(self.cleaned_data["received_on"], self.today, "date")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("from_name"):
            supporter = cleaned.get("supporter")
            if supporter is None:
                self.add_error("from_name", gettext("Say who it came from, or choose someone from your network."))
            else:
                cleaned["from_name"] = self.instance.from_name = supporter.name
        return cleaned
