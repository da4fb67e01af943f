import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from milestones.forms import JourneyForm
from milestones.models import Journey
from recovery_network.forms import ProfileForm
from supports.models import RELATIONSHIP_GROUPS, Fellowship, Relationship

PHONE = re.compile(r"[0-9+()\-.\s]+")
CRISIS_PEOPLE = 3


class JourneyStepForm(JourneyForm):
    """The journey form, asked as a first question: no empty choice before the kinds."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Journey.Kind.choices
        self.fields["kind"].label = _("What are you recovering from?")
        self.fields["kind"].error_messages["required"] = _("Choose what you're recovering from, or skip this step.")
        self.fields["started_on"].label = _("Since when?")
        self.fields["started_on"].error_messages["required"] = _(
            "Give the first day of your current count; today is fine if you're starting now."
        )


class CrisisPersonForm(forms.Form):
    """One person to call on a bad night. A row left empty is ignored."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=120, required=False)
    phone = forms.CharField(
        label=gettext_lazy("Phone number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "inputmode": "tel"}),
    )
    relationship = forms.ChoiceField(
        label=gettext_lazy("Who they are to you"),
        choices=RELATIONSHIP_GROUPS,
        initial=Relationship.FRIEND,
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        name = (cleaned.get("name") or "").strip()
        phone = (cleaned.get("phone") or "").strip()
        cleaned.update(name=name, phone=phone, relationship=cleaned.get("relationship") or Relationship.FRIEND)
        if name and not phone and "phone" not in self.errors:
            self.add_error(
                "phone", _("Add a phone number for %(name)s, so you can call them from here.") % {"name": name}
            )
        if phone and not name and "name" not in self.errors:
            self.add_error("name", _("Add the name of the person with this number."))
        if phone and (not PHONE.fullmatch(phone) or len(re.sub(r"\D", "", phone)) < 3):
            self.add_error("phone", _("Check this number: use digits, with spaces, +, - or brackets if you like."))
        return cleaned


class BaseCrisisPeopleFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        if not self.people():
            raise forms.ValidationError(_("Add at least one person with their phone number, or skip this step."))

    def people(self):
        """The rows filled in, once valid: {name, phone, relationship}."""
        return [form.cleaned_data for form in self.forms if form.cleaned_data.get("name")]


CrisisPeopleFormSet = forms.formset_factory(
    CrisisPersonForm,
    formset=BaseCrisisPeopleFormSet,
    extra=CRISIS_PEOPLE,
    max_num=CRISIS_PEOPLE,
    absolute_max=CRISIS_PEOPLE,
    validate_max=True,
)


class OwnGroupForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Your group's name"),
        max_length=160,
        error_messages={
            "required": gettext_lazy("Give your group's name, join a meeting from the search, or skip this step.")
        },
    )
    fellowship = forms.ChoiceField(
        label=gettext_lazy("Fellowship or type"), choices=Fellowship.choices, initial=Fellowship.OTHER
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(self.fields["name"].error_messages["required"])
        return name


class CheckInTimeForm(ProfileForm):
    class Meta(ProfileForm.Meta):
        fields = ["checkin_time", "time_zone"]
        labels = {"checkin_time": gettext_lazy("When would you like to check in each day?")}
        help_texts = {
            "checkin_time": gettext_lazy("We'll remind you then, in your own time. Evenings suit most people.")
        }


class NothingToAskForm(forms.Form):
    """The last step explains; there is nothing to fill in."""
