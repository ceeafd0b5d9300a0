from __future__ import annotations

from django import forms

from botilbud.lib.validators import COMMENT_LENGTH, text_field_kwargs
from botilbud.models import AccountGroup
from budget.followup.models import Action


class PrepareForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label="Konsulentens bemærkning til lederen",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        **text_field_kwargs(COMMENT_LENGTH),
    )


class ExplanationForm(forms.Form):
    group = forms.ChoiceField(label="Kontogruppe", choices=AccountGroup.choices, widget=forms.HiddenInput)
    text = forms.CharField(
        label="Forklaring", widget=forms.Textarea(attrs={"rows": 3}), **text_field_kwargs(COMMENT_LENGTH)
    )


class ActionForm(forms.ModelForm):
    class Meta:
        model = Action
        fields = ["description", "owner", "deadline", "expected_effect"]
        widgets = {"deadline": forms.DateInput(attrs={"placeholder": "dd-mm-åååå"})}

    def clean_expected_effect(self):
        value = self.cleaned_data["expected_effect"]
        if value is not None and value < 0:
            raise forms.ValidationError("Skriv den forventede besparelse som et positivt beløb.")
        return value


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReturnForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label="Kommentar til lederen (hvad skal rettes?)",
        widget=forms.Textarea(attrs={"rows": 3}),
        **text_field_kwargs(COMMENT_LENGTH),
    )
