from __future__ import annotations

from django import forms

MAX_UPLOAD = 20 * 1024 * 1024  # onboarding files are small; i14 sets the project-wide limit


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="Fil (.csv eller .xlsx)",
        help_text="CSV (semikolon, tabulator eller komma; UTF-8, Windows-1252 eller UTF-16) eller et Excel-regneark "
        "(.xlsx) med kolonneoverskrifterne øverst; titellinjer over dem springes over.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )

    def clean_file(self):  # noqa: ANN201
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("Filen er for stor (højst 20 MB).")
        if not upload.name.lower().endswith((".csv", ".txt", ".xlsx", ".xlsm")):
            raise forms.ValidationError("Filtypen kendes ikke: brug .csv eller .xlsx.")
        return upload
