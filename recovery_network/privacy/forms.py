from django import forms
from django.utils.translation import gettext, gettext_lazy

from .importing import MAX_UPLOAD_BYTES


class EraseForm(forms.Form):
    understood = forms.BooleanField(
        label=gettext_lazy(
            "I understand that after seven days everything is deleted for good and cannot be brought back."
        ),
        error_messages={
            "required": gettext_lazy("Tick the box to say you understand, or go back to keep your account.")
        },
    )


class ImportForm(forms.Form):
    archive = forms.FileField(
        label=gettext_lazy("Your export file (a .zip from Recovery Network)"),
        help_text=gettext_lazy("The file you downloaded from “Your data” on another Recovery Network site."),
    )

    def clean_archive(self):
        archive = self.cleaned_data["archive"]
        if archive.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                gettext("This file is larger than %(size)s MB, more than any export holds.")
                % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return archive
