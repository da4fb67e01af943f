"""The check-in form's options are rendered in Python: the HTML must be what Django's templates give."""

import pytest
from django import forms

from milestones import widgets
from milestones.forms import CheckInForm
from tests.supports.factories import SupporterFactory

CHOICES = [("a", "Plain"), ('q"<&>', "Quotes \" and <b>tags</b> & 'apostrophes'"), (3, "A number")]


def form_class(widget, required):
    field_class = forms.MultipleChoiceField if widget.allow_multiple_selected else forms.ChoiceField
    field = field_class(label="Pick <one>", choices=CHOICES, required=required, widget=widget, help_text="Help")
    return type("ChoiceForm", (forms.Form,), {"choice": field})


@pytest.mark.parametrize(
    "fast, django",
    [(widgets.RadioSelect, forms.RadioSelect), (widgets.CheckboxSelectMultiple, forms.CheckboxSelectMultiple)],
)
@pytest.mark.parametrize("required", [True, False])
@pytest.mark.parametrize("data", [None, {}, {"choice": "a"}, {"choice": ['q"<&>']}, {"choice": "nonsense"}])
def test_fast_options_render_exactly_as_djangos_templates(fast, django, required, data):
    if data and not fast.allow_multiple_selected and isinstance(data["choice"], list):
        data = {"choice": data["choice"][0]}
    mine, theirs = form_class(fast, required)(data=data), form_class(django, required)(data=data)
    if data is not None:
        mine.is_valid(), theirs.is_valid()
    assert str(mine["choice"].as_field_group()) == str(theirs["choice"].as_field_group())


@pytest.mark.django_db
def test_checkin_form_options_match_djangos_rendering(owner):
    SupporterFactory(owner=owner, name='Ana <Beth> & "Co"')
    form = CheckInForm(owner=owner, initial={"sober": "yes", "mood": 3, "triggers": ["stress"]}, own_triggers=["x<y"])
    for name in ("sober", "mood", "craving", "triggers", "helped", "supporters", "groups"):
        field = form.fields[name]
        assert isinstance(field.widget, widgets.PlainOptionsMixin)
        mine = str(form[name].as_field_group())
        django_class = forms.CheckboxSelectMultiple if field.widget.allow_multiple_selected else forms.RadioSelect
        field.widget = django_class(attrs=field.widget.attrs, choices=field.widget.choices)
        assert mine == str(form[name].as_field_group()), name


def test_forms_sharing_their_choices_never_see_each_others(owner):
    """Copies of a field share its choices (a form is copied from its class for every form): replacing
    one form's choices, as each check-in form does with the person's own words, leaves the others alone."""
    from milestones.models import TRIGGER_CHOICES

    theirs = CheckInForm(owner=owner, own_triggers=["payday"])
    plain = CheckInForm(owner=owner)
    assert theirs.fields["triggers"].choices[-1] == ("payday", "payday")
    assert ("payday", "payday") not in plain.fields["triggers"].choices
    assert ("payday", "payday") not in CheckInForm.base_fields["triggers"].choices
    assert list(plain.fields["triggers"].widget.choices) == list(TRIGGER_CHOICES)
    assert 'value="payday"' in str(theirs["triggers"]) and 'value="payday"' not in str(plain["triggers"])
    theirs.fields["mood"].widget.attrs["data-x"] = "1"
    assert "data-x" not in plain.fields["mood"].widget.attrs
