from django import forms

from milestones.forms import OwnRecordsField

from . import content
from .models import MESSAGE_MAX_LENGTH, NOTE_MAX_LENGTH


class LessonNoteForm(forms.Form):
    """The reader's private note on how the week's small thing went, and whether they finished the lesson."""

    note = forms.CharField(
        label="How did it go?",
        help_text="Only you can see this note — not the person you support, not a counselor.",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "max_length": f"Your note is longer than {NOTE_MAX_LENGTH:,} characters (it has %(show_value)d). "
            "Please shorten it — your words are kept below."
        },
    )
    done = forms.BooleanField(label="Mark this lesson as done", required=False)


def _lesson_choices():
    return [(item.slug, item.title) for item in content.lessons()]


class ShareNoteForm(LessonNoteForm):
    """The note form for someone others share with: they may let one of those people read this note and whether
    the lesson is done. No one is the default; choosing no one again takes it back."""

    share_with = forms.TypedChoiceField(
        label="Share this note with",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="They will see this note and whether you finished the lesson, and nothing else of your course.",
        error_messages={"invalid_choice": "Choose someone who shares with you, or no one."},
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].help_text = "Private unless you share it below — never shown to a counselor."
        self.people = {person.pk: person for person in people}
        self.fields["share_with"].choices = [
            ("", "No one: keep it private"),
            *((person.pk, person.name) for person in people),
        ]

    def clean_share_with(self):
        chosen = self.cleaned_data["share_with"]
        return None if chosen is None else self.people[chosen]


class SuggestForm(forms.Form):
    """The person in recovery suggests a lesson to one or more of the people who share in their circle."""

    readers = OwnRecordsField(
        label="Who should read it?",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one person.",
            "invalid_choice": "Choose people who can see what you share.",
            "invalid_pk_value": "Choose people who can see what you share.",
        },
    )
    lesson = forms.ChoiceField(
        label="Which lesson?", error_messages={"invalid_choice": "Choose one of the lessons in the list."}
    )
    message = forms.CharField(
        label="A few words from you (optional)",
        help_text="For example: “This one says what I find hard to say.” They will see it with the lesson.",
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "max_length": f"Your words are longer than {MESSAGE_MAX_LENGTH} characters (they have %(show_value)d). "
            "Please shorten them — they are kept below."
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

    lesson = forms.ChoiceField(label="A lesson for their family and friends")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lesson"].choices = _lesson_choices()

    def clean_lesson(self):
        return content.lesson(self.cleaned_data["lesson"])
