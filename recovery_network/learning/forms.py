from django import forms
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy

from milestones.forms import OwnRecordsField

from . import content
from .models import MESSAGE_MAX_LENGTH, NOTE_MAX_LENGTH


def _note_too_long():
    """The note's length error, in the language active when it is shown: the limit written as the language writes
    numbers ("2,000"); Django fills in the note's length (show_value) afterwards."""
    message = gettext(
        "Your note is longer than %(limit)s characters (it has %(show_value)s). "
        "Please shorten it — your words are kept below."
    )
    return message % {"limit": number_format(NOTE_MAX_LENGTH, force_grouping=True), "show_value": "%(show_value)s"}


class LessonNoteForm(forms.Form):
    """The reader's private note on how the week's small thing went, and whether they finished the lesson."""

    note = forms.CharField(
        label=gettext_lazy("How did it go?"),
        help_text=gettext_lazy("Only you can see this note — not the person you support, not a counselor."),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": lazy(_note_too_long, str)()},
    )
    done = forms.BooleanField(label=gettext_lazy("Mark this lesson as done"), required=False)


def _lesson_choices():
    return [(item.slug, item.title) for item in content.lessons()]


class ShareNoteForm(LessonNoteForm):
    """The note form for someone others share with: they may let one of those people read this note and whether
    the lesson is done. No one is the default; choosing no one again takes it back."""

    share_with = forms.TypedChoiceField(
        label=gettext_lazy("Share this note with"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=gettext_lazy(
            "They will see this note and whether you finished the lesson, and nothing else of your course."
        ),
        error_messages={"invalid_choice": gettext_lazy("Choose someone who shares with you, or no one.")},
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].help_text = gettext("Private unless you share it below — never shown to a counselor.")
        self.people = {person.pk: person for person in people}
        self.fields["share_with"].choices = [
            ("", gettext("No one: keep it private")),
            *((person.pk, person.name) for person in people),
        ]

    def clean_share_with(self):
        chosen = self.cleaned_data["share_with"]
        return None if chosen is None else self.people[chosen]


class SuggestForm(forms.Form):
    """The person in recovery suggests a lesson to one or more of the people who share in their circle."""

    readers = OwnRecordsField(
        label=gettext_lazy("Who should read it?"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": gettext_lazy("Choose at least one person."),
            "invalid_choice": gettext_lazy("Choose people who can see what you share."),
            "invalid_pk_value": gettext_lazy("Choose people who can see what you share."),
        },
    )
    lesson = forms.ChoiceField(
        label=gettext_lazy("Which lesson?"),
        error_messages={"invalid_choice": gettext_lazy("Choose one of the lessons in the list.")},
    )
    message = forms.CharField(
        label=gettext_lazy("A few words from you (optional)"),
        help_text=gettext_lazy(
            "For example: “This one says what I find hard to say.” They will see it with the lesson."
        ),
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "max_length": gettext_lazy(
                "Your words are longer than %(limit_value)d characters (they have %(show_value)d). "
                "Please shorten them — they are kept below."
            )
        },
    )

    def __init__(self, *args, readers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["readers"].queryset = readers
        self.fields["lesson"].choices = _lesson_choices()

    def clean_lesson(self):
        return content.lesson(self.cleaned_data["lesson"])


class CourseForClientForm(forms.Form):
    """A counselor suggests a lesson for a client's family and friends; the client chooses whom to pass it to."""

    lesson = forms.ChoiceField(label=gettext_lazy("A lesson for their family and friends"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lesson"].choices = _lesson_choices()

    def clean_lesson(self):
        return content.lesson(self.cleaned_data["lesson"])
