from django import forms
from django.utils.translation import gettext

from .models import ITEMS, Agreement, CapitalCheck


class CapitalCheckForm(forms.ModelForm):
    """The ten statements, in the published order, each a required choice of six. The total is not a field: the
    model adds it up from the answers."""

    class Meta:
        model = CapitalCheck
        fields = [field for field, _, _ in ITEMS]
        widgets = {field: forms.RadioSelect for field, _, _ in ITEMS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for number, (name, statement, _) in enumerate(ITEMS, start=1):
            field = self.fields[name]
            field.choices = Agreement.choices  # no blank "---------" radio: an answer is required
            field.label = f"{number}. {statement}"
            words = {"number": number, "statement": statement}
            field.error_messages.update(
                required=gettext("Please choose an answer for statement %(number)s: “%(statement)s”") % words,
                invalid_choice=gettext("Please choose one of the six answers for statement %(number)s: “%(statement)s”")
                % words,
            )
