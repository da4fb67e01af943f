"""The network review's questions. Plain forms, not ModelForms: validating one must not touch the row, whose
answer before this one decides whether a step back is being undone (services.answer_supporter)."""

from django import forms
from django.utils.translation import gettext, gettext_lazy

from supports.models import Closeness, Influence

from .models import GroupReview, NetworkReview, StillGoing, StillSupportive, SupporterReview


def _note_field(model):
    return forms.CharField(
        label=gettext_lazy("A note for yourself (optional)"),
        max_length=model._meta.get_field("note").max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SupporterAnswerForm(forms.Form):
    still_supportive = forms.ChoiceField(
        label=gettext_lazy("Are they still there for you?"), choices=StillSupportive.choices, widget=forms.RadioSelect
    )
    closeness_after = forms.TypedChoiceField(
        label=gettext_lazy("Where do they belong in your network now?"),
        choices=Closeness.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    influence_after = forms.ChoiceField(
        label=gettext_lazy("How do they affect your recovery now?"), choices=Influence.choices
    )
    stepped_back = forms.BooleanField(
        label=gettext_lazy("Step back from them for now"),
        required=False,
        help_text=gettext_lazy(
            "They leave your active network and reminders. Nothing is deleted: you can bring them back."
        ),
    )
    note = _note_field(SupporterReview)

    def __init__(self, *args, row, supporter=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["still_supportive"].error_messages["required"] = gettext("Choose one answer; “Not sure” is fine.")
        if row.answered_at:
            self.initial = {
                "still_supportive": row.still_supportive,
                "closeness_after": row.closeness_after or row.closeness_before,
                "influence_after": row.influence_after or row.influence_before,
                "stepped_back": row.stepped_back,
                "note": row.note,
            }
        else:
            # Where they are now (they may have been moved since the review began), so a tap on "Save and
            # continue" changes nothing the person did not choose.
            self.initial = {
                "closeness_after": supporter.closeness if supporter else row.closeness_before,
                "influence_after": supporter.influence if supporter else row.influence_before,
            }


class GroupAnswerForm(forms.Form):
    still_going = forms.ChoiceField(
        label=gettext_lazy("Are you still going?"), choices=StillGoing.choices, widget=forms.RadioSelect
    )
    stepped_back = forms.BooleanField(
        label=gettext_lazy("Archive this group"),
        required=False,
        help_text=gettext_lazy(
            "It leaves your groups and meeting reminders. Your attendance is kept, and you can restore it."
        ),
    )
    note = _note_field(GroupReview)

    def __init__(self, *args, row, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["still_going"].error_messages["required"] = gettext("Choose one answer.")
        if row.answered_at:
            self.initial = {"still_going": row.still_going, "stepped_back": row.stepped_back, "note": row.note}


class CommunityNoteForm(forms.Form):
    community_note = forms.CharField(
        label=gettext_lazy("Anything about community you'd like to remember? (optional)"),
        max_length=NetworkReview._meta.get_field("community_note").max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class GapsNoteForm(forms.Form):
    gaps_note = forms.CharField(
        label=gettext_lazy("What would you like to try before the next review? (optional)"),
        max_length=NetworkReview._meta.get_field("gaps_note").max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
