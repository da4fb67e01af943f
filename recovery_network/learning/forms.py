from django import forms

from .models import NOTE_MAX_LENGTH


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
