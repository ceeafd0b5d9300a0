"""Forms of the budget app (Danish labels, Danish number input)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms

from botilbud.forms import model_choice
from botilbud.lib.dates import MONTH_NAMES
from botilbud.lib.locking import VersionedModelForm
from botilbud.lib.money import format_number, parse_danish_decimal
from botilbud.lib.validators import text_field_kwargs
from botilbud.models import AccountGroup, Home
from budget.importer import month_from_text
from budget.models import CorrectionKind, ImportProfile, StaffGroup, StaffingPlan
from budget.profiles import DATE_FORMATS, NUMBER_FORMATS, PERIOD_FORMATS, AccountPattern

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


MAX_NUMBER = Decimal("999999999999.99")


class DanishDecimalField(forms.CharField):
    """A number typed the Danish way (``1.234,56``), cleaned to Decimal."""

    def __init__(self, *args: Any, max_abs: Decimal | None = None, min_value: Decimal | None = None, **kwargs: Any):
        # Bounded always: at most what NUMERIC(14,2) holds, and 40 characters typed.
        self.max_abs = MAX_NUMBER if max_abs is None else max_abs
        self.min_value = min_value
        max_length = kwargs.pop("max_length", 40)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(*args, **kwargs)
        self.max_length = max_length  # checked on the text in to_python (the value is a Decimal)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            dec = Decimal(str(value))
            if dec == dec.to_integral():
                decimals = 0
            else:
                exponent = int(dec.normalize().as_tuple().exponent)  # a finite number's: an int
                decimals = min(4, max(2, -exponent))
            return format_number(dec, decimals)
        return value

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]  # a CharField that cleans to a Decimal
        value = super().to_python(value)
        if value in (None, ""):
            return None
        if self.max_length is not None and len(str(value)) > self.max_length:
            raise forms.ValidationError(f"Tallet er for langt (højst {self.max_length} tegn).")
        try:
            number = parse_danish_decimal(str(value))
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        if self.max_abs is not None and abs(number) > self.max_abs:
            raise forms.ValidationError("Tallet er for stort.")
        if self.min_value is not None and number < self.min_value:
            raise forms.ValidationError(f"Tallet skal være mindst {format_number(self.min_value, 0)}.")
        return number


class ActualsUploadForm(forms.Form):
    file = forms.FileField(
        label="Fil fra økonomisystemet (.xlsx eller .csv)",
        help_text="Kolonner: omkostningssted, funktion og art (eller konto), bogføringsdato eller måned, beløb, tekst.",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.txt"}),
    )
    profile: forms.ModelChoiceField[ImportProfile] = forms.ModelChoiceField(
        label="Importprofil",
        queryset=None,
        required=False,
        empty_label="Appens eget format (kolonnerne genkendes på deres navne)",
        help_text="Filens layout: hvilke kolonner der er hvad, tal- og periodeformat.",
    )
    month = forms.CharField(
        label="Kun måned (valgfri)",
        required=False,
        max_length=20,
        help_text="Fx 2026-05. Rækker uden dato får denne måned; rækker fra andre måneder afvises.",
        widget=forms.TextInput(attrs={"placeholder": "åååå-mm", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The own layout's profile is the empty choice.
        model_choice(self, "profile").queryset = ImportProfile.objects.filter(own_layout=False)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".xlsx", ".xlsm", ".csv", ".txt")):
            raise forms.ValidationError("Filtypen kendes ikke: brug .xlsx eller .csv.")
        if upload.size == 0:
            raise forms.ValidationError("Filen er tom.")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("Filen er for stor (højst 200 MB).")
        return upload

    def clean_month(self) -> dt.date | None:
        value = self.cleaned_data.get("month", "").strip()
        if not value:
            return None
        try:
            return month_from_text(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


DATE_INPUT: dict[str, Any] = {
    "input_formats": ["%d-%m-%Y", "%Y-%m-%d"],
    "widget": forms.DateInput(attrs={"type": "date"}),
}


class CorrectionForm(forms.Form):
    """A technical correction or a tillægsbevilling on one budget line."""

    kind = forms.ChoiceField(
        label="Type",
        choices=[
            (CorrectionKind.TECHNICAL.value, CorrectionKind.TECHNICAL.label),
            (CorrectionKind.SUPPLEMENTARY.value, CorrectionKind.SUPPLEMENTARY.label),
        ],
        initial=CorrectionKind.TECHNICAL.value,
        required=False,
    )
    amount = DanishDecimalField(
        label="Beløb (kr.)", max_abs=Decimal("999999999999"), help_text="Negativt beløb nedskriver budgettet."
    )
    date = forms.DateField(label="Dato", **DATE_INPUT)
    reason = forms.CharField(label="Begrundelse", **text_field_kwargs(300))
    council_decision = forms.CharField(label="Byrådets beslutning", required=False, **text_field_kwargs(200))
    council_date = forms.DateField(label="Beslutningsdato", required=False, **DATE_INPUT)

    def clean_amount(self) -> Decimal:
        amount = self.cleaned_data["amount"]
        if amount == 0:
            raise forms.ValidationError("En korrektion på 0 kr. ændrer ikke noget.")
        return amount

    def clean_kind(self) -> str:
        return self.cleaned_data.get("kind") or CorrectionKind.TECHNICAL.value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data  # the same dict: Form.clean returns cleaned_data
        if cleaned.get("kind") == CorrectionKind.SUPPLEMENTARY:
            if not (cleaned.get("council_decision") or "").strip():
                self.add_error("council_decision", "En tillægsbevilling skal have byrådets beslutning.")
            if not cleaned.get("council_date"):
                self.add_error("council_date", "En tillægsbevilling skal have beslutningens dato.")
        return cleaned


class ReallocationForm(forms.Form):
    """An omplacering from one of the home's budget lines to another home or account group."""

    source_group = forms.ChoiceField(label="Fra kontogruppe", choices=AccountGroup.choices)
    target_home = forms.ModelChoiceField(label="Til botilbud", queryset=Home.objects.none())
    target_group = forms.ChoiceField(label="Til kontogruppe", choices=AccountGroup.choices)
    amount = DanishDecimalField(label="Beløb (kr.)", min_value=Decimal("0.01"), max_abs=Decimal("999999999999"))
    date = forms.DateField(label="Dato", **DATE_INPUT)
    reason = forms.CharField(label="Begrundelse", **text_field_kwargs(300))

    def __init__(self, *args: Any, target_homes: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if target_homes is not None:
            model_choice(self, "target_home").queryset = target_homes


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Godkend"), ("reject", "Afvis")])
    note = forms.CharField(label="Bemærkning", required=False, **text_field_kwargs(300))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data  # the same dict: Form.clean returns cleaned_data
        if cleaned.get("decision") == "reject" and not (cleaned.get("note") or "").strip():
            self.add_error("note", "Skriv hvorfor korrektionen afvises.")
        return cleaned


class YearCloseForm(forms.Form):
    cap_pct = DanishDecimalField(
        label="Loft for overført overskud (% af korrigeret budget)", min_value=Decimal(0), max_abs=Decimal(100)
    )


class YearReopenForm(forms.Form):
    reason = forms.CharField(label="Begrundelse", **text_field_kwargs(300))
    version = forms.IntegerField(widget=forms.HiddenInput)


class CarryOverDecisionForm(forms.Form):
    amount = DanishDecimalField(label="Besluttet overførsel (kr.)", required=False, max_abs=Decimal("999999999999"))
    note = forms.CharField(
        label="Beslutning (skal udfyldes ved et andet beløb)", required=False, **text_field_kwargs(300)
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ProfileForm(forms.Form):
    """Twelve monthly percentages that must add up to 100."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for index, name in enumerate(MONTH_NAMES, start=1):
            self.fields[f"m{index}"] = DanishDecimalField(
                label=name.capitalize(), min_value=Decimal(0), max_abs=Decimal(100)
            )

    def month_fields(self) -> list[forms.BoundField]:
        return [self[f"m{i}"] for i in range(1, 13)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data  # the same dict: Form.clean returns cleaned_data
        values: list[Any] = [cleaned.get(f"m{i}") for i in range(1, 13)]
        if None in values:
            return cleaned
        total: Decimal = sum(values, Decimal(0))
        if abs(total - 100) > Decimal("0.1"):
            raise forms.ValidationError(f"Månederne skal tilsammen give 100 % (nu {format_number(total, 2)} %).")
        cleaned["percentages"] = values
        return cleaned


STAFFING_FIELDS = [
    "wage_budget",
    "annual_wage_cost",
    "annual_norm_hours",
    "holiday_weeks",
    "extra_holiday_days",
    "sickness_pct",
    "competence_hours",
    "meeting_hours",
    "other_hours",
    "roster_hours_per_week",
]


class StaffingPlanForm(VersionedModelForm):
    wage_budget = DanishDecimalField(label="Lønbudget (kr.)", min_value=Decimal(0), max_abs=Decimal("1e12"))
    annual_wage_cost = DanishDecimalField(
        label="Gns. årlig lønudgift pr. årsværk (kr.)", min_value=Decimal(1), max_abs=Decimal("1e9")
    )
    annual_norm_hours = DanishDecimalField(
        label="Årsnorm (timer pr. årsværk)", min_value=Decimal(1), max_abs=Decimal(9999)
    )
    holiday_weeks = DanishDecimalField(label="Ferieuger", min_value=Decimal(0), max_abs=Decimal(52))
    extra_holiday_days = DanishDecimalField(label="Feriefridage", min_value=Decimal(0), max_abs=Decimal(99))
    sickness_pct = DanishDecimalField(label="Sygefravær (%)", min_value=Decimal(0), max_abs=Decimal("99.99"))
    competence_hours = DanishDecimalField(
        label="Kompetenceudvikling (timer pr. årsværk)", min_value=Decimal(0), max_abs=Decimal(9999)
    )
    meeting_hours = DanishDecimalField(
        label="Møder og supervision (timer pr. årsværk)", min_value=Decimal(0), max_abs=Decimal(9999)
    )
    other_hours = DanishDecimalField(
        label="Anden tid uden for vagtplanen (timer pr. årsværk)", min_value=Decimal(0), max_abs=Decimal(9999)
    )
    roster_hours_per_week = DanishDecimalField(
        label="Hvad koster en vagtplan på … timer pr. uge?",
        required=False,
        min_value=Decimal(0),
        max_abs=Decimal(999999),
    )

    class Meta:
        model = StaffingPlan
        fields = STAFFING_FIELDS


def _pct(label: str, required: bool = True) -> DanishDecimalField:
    return DanishDecimalField(label=label, required=required, min_value=Decimal(0), max_abs=Decimal(100))


def _supplement(label: str) -> DanishDecimalField:
    return DanishDecimalField(label=label, required=False, min_value=Decimal(0), max_abs=Decimal("99999"))


class StaffGroupForm(forms.ModelForm):
    """One staff group of a staffing plan. Saved with the plan, whose version
    guards the whole page (a group has no version of its own)."""

    name = forms.CharField(label="Faggruppe", **text_field_kwargs(60))
    share_pct = _pct("Andel af lønbudgettet (%)")
    annual_wage_cost = DanishDecimalField(
        label="Gns. årlig lønudgift pr. årsværk (kr.)", min_value=Decimal(1), max_abs=Decimal("1e9")
    )
    evening_pct = _pct("Timer om aftenen (%)", required=False)
    night_pct = _pct("Timer om natten (%)", required=False)
    weekend_pct = _pct("Timer i weekend og på helligdage (%)", required=False)
    evening_supplement = _supplement("Aftentillæg (kr. pr. time)")
    night_supplement = _supplement("Nattillæg (kr. pr. time)")
    weekend_supplement = _supplement("Weekend- og helligdagstillæg (kr. pr. time)")

    class Meta:
        model = StaffGroup
        fields = [
            "name",
            "share_pct",
            "annual_wage_cost",
            "evening_pct",
            "night_pct",
            "weekend_pct",
            "evening_supplement",
            "night_supplement",
            "weekend_supplement",
        ]

    def has_changed(self) -> bool:
        # A new row without a share is not used (the offered typical groups
        # are only suggestions), whatever else was typed in it.
        if not self.instance.pk and self.is_bound and not str(self.data.get(self.add_prefix("share_pct"), "")).strip():
            return False
        return super().has_changed()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data  # the same dict: Form.clean returns cleaned_data
        for name in (
            "evening_pct",
            "night_pct",
            "weekend_pct",
            "evening_supplement",
            "night_supplement",
            "weekend_supplement",
        ):
            if cleaned.get(name) is None and name not in self.errors:
                cleaned[name] = Decimal(0)
        return cleaned


class BaseStaffGroupFormSet(forms.BaseInlineFormSet):
    def validate_unique(self) -> None:
        # Checked in ``clean`` with a message that names the group (Django's
        # names the field); the database's unique constraint backs it.
        return

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        total = Decimal(0)
        names: set[str] = set()
        for form in self.forms:
            if (not form.has_changed() and not form.instance.pk) or self._should_delete_form(form):  # type: ignore[attr-defined]  # Django's formset helper, not in the stubs
                continue
            data = form.cleaned_data
            if not data:
                continue
            total += data.get("share_pct") or Decimal(0)
            name = (data.get("name") or "").strip().casefold()
            if name in names:
                raise forms.ValidationError(f"Faggruppen »{data.get('name')}« står to gange.")
            names.add(name)
        if total > 100:
            raise forms.ValidationError(
                f"Faggruppernes andele er tilsammen {format_number(total, 2)} %; de må højst være 100 %."
            )


# Typical groups of a 24-hour home, offered on a plan without groups. The
# amounts are examples at the 2026 level: each municipality types its own
# agreement's supplements and its average wage costs.
TYPICAL_STAFF_GROUPS = [
    {
        "name": "Pædagoger",
        "annual_wage_cost": Decimal("505000"),
        "evening_pct": Decimal(20),
        "weekend_pct": Decimal(25),
    },
    {
        "name": "Social- og sundhedsassistenter",
        "annual_wage_cost": Decimal("470000"),
        "evening_pct": Decimal(20),
        "weekend_pct": Decimal(25),
    },
    {
        "name": "Nattevagter",
        "annual_wage_cost": Decimal("480000"),
        "night_pct": Decimal(100),
        "weekend_pct": Decimal(29),
    },
    {"name": "Ledelse", "annual_wage_cost": Decimal("650000")},
]
TYPICAL_SUPPLEMENTS = {
    "evening_supplement": Decimal("32"),
    "night_supplement": Decimal("38"),
    "weekend_supplement": Decimal("55"),
}


def staff_group_formset(
    plan: StaffingPlan, data: Any = None
) -> forms.BaseInlineFormSet[StaffGroup, StaffingPlan, StaffGroupForm]:
    has_groups = bool(plan.pk) and plan.groups.exists()
    initial = (
        []
        if has_groups
        else [{**TYPICAL_SUPPLEMENTS, **g} if g["name"] != "Ledelse" else g for g in TYPICAL_STAFF_GROUPS]
    )
    formset_class = forms.inlineformset_factory(
        StaffingPlan,
        StaffGroup,
        form=StaffGroupForm,
        formset=BaseStaffGroupFormSet,
        extra=1 if has_groups else len(initial),
        can_delete=True,
        max_num=12,
        validate_max=True,
        absolute_max=12,
    )
    return formset_class(data, instance=plan, prefix="grupper", initial=initial or None)


class ImportProfileForm(VersionedModelForm):
    """An import profile, edited by the consultant (optimistic locking as everywhere)."""

    class Meta:
        model = ImportProfile
        fields = [
            "name",
            "description",
            "title_lines",
            "separator",
            "encoding",
            "col_cost_centre",
            "col_account",
            "account_pattern",
            "col_function",
            "col_dranst",
            "col_art",
            "col_period",
            "period_format",
            "col_posting_date",
            "date_format",
            "col_amount",
            "number_format",
            "sign",
            "col_text",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

        self.fields["period_format"] = forms.ChoiceField(label="Periodeformat", choices=list(PERIOD_FORMATS.items()))
        self.fields["date_format"] = forms.ChoiceField(label="Datoformat", choices=list(DATE_FORMATS.items()))
        self.fields["number_format"] = forms.ChoiceField(label="Talformat", choices=list(NUMBER_FORMATS.items()))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data  # the same dict: Form.clean returns cleaned_data

        if data.get("col_account"):
            if not data.get("account_pattern"):
                self.add_error("account_pattern", "Angiv mønsteret for kontostrengen, fx »FFFFF? D AA«.")
            else:
                try:
                    AccountPattern.compile(data["account_pattern"])
                except ValueError as exc:
                    self.add_error("account_pattern", str(exc))
        elif not (data.get("col_function") and data.get("col_art")):
            self.add_error(
                "col_account", "Angiv enten en kolonne med kontostrengen eller kolonnerne for funktion og art."
            )
        if not data.get("col_period") and not data.get("col_posting_date"):
            self.add_error("col_period", "Angiv en kolonne med periode eller bogføringsdato.")
        return data
