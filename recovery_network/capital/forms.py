from django import forms

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
            field.error_messages.update(
                required=f"Please choose an answer for statement {number}: “{statement}”",
                invalid_choice=f"Please choose one of the six answers for statement {number}: “{statement}”",
            )
