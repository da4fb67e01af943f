import functools

from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import User
from .timezones import offered_zone, time_zone_choices


def person_choice(field):
    """Mark a choice among the signed-in person's own records (their supporters): templates/includes/
    form_fields.html keeps its rendering in the cache under their data_version while the form is unbound.
    Django renders each <option> through a template; for 500 supporters that was some 30 ms a page."""
    field.person_choice = True
    return field


class TimeZoneInput(forms.TextInput):
    """A text box that offers the IANA zones as you type (a <datalist>), instead of a <select>.

    Some 440 options rendered through Django's option templates cost a page about 40 ms
    of CPU (the profile, sign-up and group pages); the list written out here costs under
    one, and typing "Chicago" finds America/Chicago faster than scrolling does.
    """

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", "spellcheck": "false", **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        list_id = f"{(attrs or {}).get('id') or name}-zones"
        field = super().render(name, value, {**(attrs or {}), "list": list_id}, renderer)
        return format_html('{}<datalist id="{}">{}</datalist>', field, list_id, _zone_options())


@functools.cache
def _zone_options():
    """The zones as <option>s: the same for every page of a release, so written out once per process."""
    return format_html_join("", '<option value="{}">{}</option>', time_zone_choices())


class TimeZoneField(forms.CharField):
    """An IANA time zone, typed (with suggestions) and read as the zone's own name."""

    widget = TimeZoneInput

    def __init__(self, **kwargs):
        kwargs.setdefault("label", gettext_lazy("Time zone"))
        kwargs.setdefault("help_text", gettext_lazy("Your days, reminders and milestones follow this zone."))
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        zone = offered_zone(value)
        if zone is None:
            raise forms.ValidationError(_("Choose a time zone from the list, like America/Chicago or Europe/London."))
        return zone


class SignupProfileForm(forms.Form):
    """Extra sign-up fields; allauth calls signup() once the account exists.

    The time zone is guessed in the browser (static/js/timezone.js) and can be
    changed here or later on the profile page.
    """

    display_name = forms.CharField(
        max_length=80,
        required=False,
        label=gettext_lazy("What should we call you?"),
        help_text=gettext_lazy("Optional. A first name or nickname is fine."),
    )
    time_zone = TimeZoneField(initial="UTC")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].widget.attrs["data-guess-timezone"] = "true"

    def signup(self, request, user):
        user.display_name = self.cleaned_data.get("display_name", "")
        user.time_zone = self.cleaned_data["time_zone"]
        # The language the sign-up page was read in: the switch on it, else the browser's Accept-Language.
        user.language = translation.get_language_from_request(request) or settings.LANGUAGE_CODE
        user.save(update_fields=["display_name", "time_zone", "language"])


class ProfileForm(forms.ModelForm):
    time_zone = TimeZoneField()

    class Meta:
        model = User
        fields = ["display_name", "language", "time_zone", "checkin_time", "quiet_hours_start", "quiet_hours_end"]
        widgets = {
            "checkin_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_hours_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_hours_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        labels = {
            "quiet_hours_start": gettext_lazy("Quiet hours start"),
            "quiet_hours_end": gettext_lazy("Quiet hours end"),
        }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("quiet_hours_start"), cleaned.get("quiet_hours_end")
        if (start is None) != (end is None):
            raise forms.ValidationError(
                _("Give both a start and an end for quiet hours, or leave both empty to turn them off.")
            )
        return cleaned


class FormRenderer(Jinja2):
    """Django's Jinja2 form templates, which Django ships beside its own and keeps in step: the same markup
    at about half the CPU (a form with a few dozen options, 4.3 → 2.3 ms; the contact form with a long list of
    supporters, 27 → 11 ms). A widget whose template exists only for Django's engine (the admin's, auth's
    password field) is rendered by Django's. tests/recovery_network/test_form_renderer.py holds every page's
    forms to the markup Django's own renderer gives."""

    @functools.cached_property
    def django_templates(self):
        return DjangoTemplates()

    def get_template(self, template_name):
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self.django_templates.get_template(template_name)
