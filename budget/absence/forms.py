"""Forms for importing sickness absence and setting up absence profiles."""

from __future__ import annotations

from typing import Any

from django import forms

from botilbud.lib.locking import VersionedModelForm
from budget.absence.models import AbsenceProfile

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class AbsenceUploadForm(forms.Form):
    file = forms.FileField(
        label="Fraværsudtræk fra lønsystemet (.xlsx, .csv eller .txt)",
        help_text="Normtimer og sygetimer pr. omkostningssted og måned (eller pr. medarbejder).",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.txt"}),
    )
    profile = forms.ModelChoiceField(
        label="Fraværsprofil",
        queryset=AbsenceProfile.objects.none(),
        empty_label=None,
        help_text="Filens layout: hvilke kolonner der er hvad, tal- og periodeformat.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        profile_field = self.fields["profile"]
        assert isinstance(profile_field, forms.ModelChoiceField)
        profile_field.queryset = AbsenceProfile.objects.all()

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".xlsx", ".xlsm", ".csv", ".txt")):
            raise forms.ValidationError("Filtypen kendes ikke: brug .xlsx, .csv eller .txt.")
        if upload.size == 0:
            raise forms.ValidationError("Filen er tom.")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("Filen er for stor (højst 50 MB).")
        return upload


class AbsenceProfileForm(VersionedModelForm):
    """An absence profile, edited by the consultant (optimistic locking as everywhere)."""

    class Meta:
        model = AbsenceProfile
        fields = [
            "name",
            "description",
            "title_lines",
            "separator",
            "encoding",
            "col_cost_centre",
            "col_period",
            "period_format",
            "col_norm_hours",
            "col_sick_hours",
            "col_long_term_hours",
            "col_long_term_people",
            "number_format",
        ]

    def clean_title_lines(self) -> int:
        value = self.cleaned_data.get("title_lines") or 0
        if value > 50:
            raise forms.ValidationError("Højst 50 titellinjer.")
        return value
