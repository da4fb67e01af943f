from django import forms

from .importing import MAX_UPLOAD_BYTES


class EraseForm(forms.Form):
    understood = forms.BooleanField(
        label="I understand that after seven days everything is deleted for good and cannot be brought back.",
        error_messages={"required": "Tick the box to say you understand, or go back to keep your account."},
    )


class ImportForm(forms.Form):
    archive = forms.FileField(
        label="Your export file (a .zip from Recovery Network)",
        help_text="The file you downloaded from “Your data” on another Recovery Network site.",
    )

    def clean_archive(self):
        archive = self.cleaned_data["archive"]
        if archive.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"This file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB, more than any export holds."
            )
        return archive
