"""Forms of the rate model (Danish number input, optimistic locking)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms

from botilbud.lib.locking import VersionedModelForm
from botilbud.lib.validators import text_field_kwargs
from budget.forms import DanishDecimalField
from budget.rates.models import PriceIndex, RateCalculation, RateLevel
from budget.rates.selectors import group_labels
from visitation.models import SupportPackage

MAX_MONEY = Decimal("999999999999")


class RateCalculationForm(VersionedModelForm):
    places = forms.IntegerField(label="Antal pladser", min_value=1, max_value=100000)
    occupancy_pct = DanishDecimalField(
        label="Budgetteret belægning (%)", min_value=Decimal("0.01"), max_abs=Decimal(100)
    )
    overhead_pct = DanishDecimalField(label="Central overhead (%)", min_value=Decimal(0), max_abs=Decimal(100))
    capital_costs = DanishDecimalField(
        label="Kapitalomkostninger: afskrivning og forrentning (kr.)", min_value=Decimal(0), max_abs=MAX_MONEY
    )
    regulation_limit_pct = DanishDecimalField(
        label="Grænse for over-/underskud (% af omkostningsgrundlaget)", min_value=Decimal(0), max_abs=Decimal(100)
    )
    cost_groups = forms.MultipleChoiceField(
        label="Kontogrupper i omkostningsgrundlaget", widget=forms.CheckboxSelectMultiple, choices=()
    )
    result_override = DanishDecimalField(
        label="Manuelt resultat for år Y−2 (kr.; underskud positivt, overskud negativt)",
        required=False,
        max_abs=MAX_MONEY,
        help_text="Tom: resultatet beregnes af det afsluttede regnskab.",
    )
    override_reason = forms.CharField(
        label="Begrundelse for manuelt resultat", required=False, **text_field_kwargs(300)
    )

    class Meta:
        model = RateCalculation
        fields = [
            "places",
            "occupancy_pct",
            "overhead_pct",
            "capital_costs",
            "regulation_limit_pct",
            "cost_groups",
            "result_override",
            "override_reason",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = group_labels()
        known = list(labels.items())
        for code in self.instance.cost_groups or []:
            if code not in labels:
                known.append((code, code))
        cast(forms.MultipleChoiceField, self.fields["cost_groups"]).choices = known

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("result_override") is not None and not (cleaned.get("override_reason") or "").strip():
            self.add_error("override_reason", "Skriv hvorfor resultatet for år Y−2 er sat manuelt.")
        if cleaned.get("result_override") is None:
            cleaned["override_reason"] = ""
        return cleaned


class RateLevelForm(forms.ModelForm):
    name = forms.CharField(label="Niveau", **text_field_kwargs(80))
    weight = DanishDecimalField(label="Vægt", min_value=Decimal("0.001"), max_abs=Decimal(999))
    places = DanishDecimalField(label="Planlagte pladser", min_value=Decimal(0), max_abs=Decimal(99999))
    packages = forms.ModelMultipleChoiceField(
        label="Støttepakker", queryset=SupportPackage.objects.filter(is_active=True), required=False
    )

    class Meta:
        model = RateLevel
        fields = ["name", "weight", "places", "packages"]


RateLevelFormSet = forms.inlineformset_factory(
    RateCalculation, RateLevel, form=RateLevelForm, extra=1, can_delete=True, max_num=20, validate_max=True
)


class PriceIndexForm(VersionedModelForm):
    """A year's PL-skøn (KL's price and wage index), typed the Danish way."""

    year = forms.IntegerField(label="År", min_value=2000, max_value=2100)
    pl_pct = DanishDecimalField(label="PL i alt, serviceudgifter (%)", min_value=Decimal("-20"), max_abs=Decimal(30))
    wage_pct = DanishDecimalField(label="Heraf løn (%)", required=False, min_value=Decimal("-20"), max_abs=Decimal(30))
    price_pct = DanishDecimalField(
        label="Heraf priser (%)", required=False, min_value=Decimal("-20"), max_abs=Decimal(30)
    )
    source = forms.CharField(label="Kilde", max_length=300, required=False)
    confirmed = forms.BooleanField(label="Bekræftet mod KL's seneste PL-skøn", required=False)

    class Meta:
        model = PriceIndex
        fields = ["year", "pl_pct", "wage_pct", "price_pct", "source", "confirmed"]

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if PriceIndex.objects.filter(year=year).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(f"Der er allerede et PL-skøn for {year}: ret det i stedet.")
        return year
