"""Forms of the ledger. Amounts are typed positive, the Danish way (1.234,56),
with their kind; the form gives them the municipal sign."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms

from botilbud.lib.dates import MONTH_NAMES, months_between, year_months
from botilbud.lib.locking import VersionedModelForm
from botilbud.lib.money import format_number, parse_danish_decimal
from botilbud.lib.validators import COMMENT_LENGTH, text_field_kwargs
from botilbud.models import AccountGroup
from disponering.models import STAFF_CATEGORIES, Category, LedgerEntry, Spread, Status
from disponering.selectors import category_choices

MAX_AMOUNT = Decimal("9999999999.99")  # ten digits: sums over the months fit NUMERIC(14,2)
MAX_PERIOD_DAYS = 5 * 366


class DanishDecimalField(forms.CharField):
    """A money field typed as ``1.234,56`` (also ``1234,56`` or ``1234``)."""

    def __init__(self, *args: Any, min_value: Decimal | None = Decimal(0), **kwargs: Any) -> None:
        self.min_value = min_value
        self.max_abs = MAX_AMOUNT
        max_length = kwargs.pop("max_length", 40)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(*args, **kwargs)
        self.max_length = max_length  # checked on the text in to_python (the value is a Decimal)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]  # a CharField (length checked on the text) that cleans to a Decimal
        text = super().to_python(value)
        if text in ("", None):
            return None
        if self.max_length is not None and len(text) > self.max_length:
            raise forms.ValidationError(f"Beløbet er for langt (højst {self.max_length} tegn).")
        try:
            number = parse_danish_decimal(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        if abs(number) > MAX_AMOUNT:
            raise forms.ValidationError("Beløbet er for stort.")
        if self.min_value is not None and number < self.min_value:
            raise forms.ValidationError("Skriv beløbet som et positivt tal, og vælg arten (udgift/indtægt).")
        return number

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return format_number(value)
        return value


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class Kind:
    """The kind of amount, which gives its sign."""

    EXPENSE = "udgift"
    SAVING = "besparelse"
    INCOME = "indtaegt"
    LOST_INCOME = "mindreindtaegt"
    CHOICES = [
        (EXPENSE, "Merudgift"),
        (SAVING, "Mindreudgift (besparelse)"),
        (INCOME, "Merindtægt"),
        (LOST_INCOME, "Mindreindtægt"),
    ]
    SIGN = {EXPENSE: 1, SAVING: -1, INCOME: -1, LOST_INCOME: 1}

    @classmethod
    def of(cls, amount: Decimal, account_group: str) -> str:
        if account_group == AccountGroup.INCOME:
            return cls.INCOME if amount <= 0 else cls.LOST_INCOME
        return cls.EXPENSE if amount >= 0 else cls.SAVING


def signed(typed: Decimal, sign: Decimal) -> Decimal:
    """The stored amount: a positive number takes the kind's sign; a number
    typed with a minus is already in the natural sign (a saving or an income
    is negative) and is kept as it is."""
    return typed if typed < 0 else typed * sign


DATE_ERRORS = {"invalid": "Skriv en gyldig dato (dd-mm-åååå).", "required": "Datoen mangler."}


def _check_years(form: forms.BaseForm, cleaned: dict[str, Any], *names: str) -> bool:
    """Dates must lie in a budget year we can compute (year 9999 overflows the
    month arithmetic): a Danish error on the field, never a 500. True if all
    are in range."""
    ok = True
    for name in names:
        value = cleaned.get(name)
        if value and not 2000 <= value.year <= 2100:
            form.add_error(name, "Året skal ligge mellem 2000 og 2100.")
            ok = False
    return ok


class LedgerEntryForm(VersionedModelForm):
    kind = forms.ChoiceField(label="Art", choices=Kind.CHOICES, initial=Kind.EXPENSE)
    amount_input = DanishDecimalField(
        label="Beløb i alt (kr.)",
        required=False,
        min_value=None,
        help_text="Positivt tal med arten – eller med minus for en besparelse eller indtægt (fx -5.000). "
        "Ved »beløb pr. måned« udfyldes månederne i stedet.",
    )

    class Meta:
        model = LedgerEntry
        fields = ["category", "title", "account_group", "start_date", "end_date", "spread", "status", "comment"]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "comment": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {"start_date": DATE_ERRORS, "end_date": DATE_ERRORS}

    def __init__(self, *args: Any, year: int, **kwargs: Any) -> None:
        instance = kwargs.get("instance")
        kwargs.setdefault("auto_id", f"post{instance.pk}_%s" if instance is not None and instance.pk else "id_%s")
        super().__init__(*args, **kwargs)
        self.year = year
        category, status = self.fields["category"], self.fields["status"]
        # The model's fields with choices: Django makes them choice fields.
        assert isinstance(category, forms.ChoiceField) and isinstance(status, forms.ChoiceField)
        category.choices = [("", "Vælg kategori"), *category_choices()]
        status.choices = [(s.value, s.label) for s in Status if s != Status.CANCELLED]
        instance = self.instance
        months = list(year_months(year))
        if instance.pk:
            months = sorted(set(months) | set(months_between(instance.start_date, instance.end_date)))
            typed = dict(instance.months.values_list("month", "amount"))
            sign = Kind.SIGN[Kind.of(instance.amount, instance.account_group)]
            self.fields["kind"].initial = Kind.of(instance.amount, instance.account_group)
            self.fields["amount_input"].initial = abs(instance.amount)
            if instance.status == Status.CANCELLED:
                status.choices = [(s.value, s.label) for s in Status]
        else:
            typed = {}
            sign = 1
            self.fields["start_date"].initial = dt.date(year, 1, 1)
            self.fields["end_date"].initial = dt.date(year, 12, 31)
        self.month_keys: list[tuple[str, dt.date]] = []
        for month in months:
            name = f"m_{month:%Y_%m}"
            self.fields[name] = DanishDecimalField(
                label=f"{MONTH_NAMES[month.month - 1].capitalize()} {month.year}", required=False, min_value=None
            )
            if month in typed:
                self.fields[name].initial = typed[month] * sign
            self.month_keys.append((name, month))
        for name in ("start_date", "end_date"):
            date_field = self.fields[name]
            assert isinstance(date_field, forms.DateField)  # the model's DateFields
            date_field.input_formats = ["%Y-%m-%d", "%d-%m-%Y"]

    def month_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _ in self.month_keys]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        spread = cleaned.get("spread")
        kind = cleaned.get("kind")
        group = cleaned.get("account_group")
        if start and end and (end - start).days > MAX_PERIOD_DAYS:
            self.add_error("end_date", "Perioden må højst være fem år.")
            return cleaned
        if not _check_years(self, cleaned, "start_date", "end_date"):
            return cleaned
        if start and end and end < start:
            if spread == Spread.ONE_OFF:
                cleaned["end_date"] = start
            else:
                self.add_error("end_date", "Slutdatoen ligger før startdatoen.")
        if kind and group:
            if group == AccountGroup.INCOME and kind not in (Kind.INCOME, Kind.LOST_INCOME):
                self.add_error("kind", "Vælg »Merindtægt« eller »Mindreindtægt« for kontogruppen Indtægter.")
            if group != AccountGroup.INCOME and kind in (Kind.INCOME, Kind.LOST_INCOME):
                self.add_error("kind", "Indtægter skal have kontogruppen »Indtægter«.")
        sign = Decimal(Kind.SIGN.get(kind or Kind.EXPENSE, 1))
        self.monthly: dict[dt.date, Decimal] | None = None
        if spread == Spread.MONTHLY:
            monthly: dict[dt.date, Decimal] = {m: cleaned[name] for name, m in self.month_keys if cleaned.get(name)}
            period = set(months_between(start, end)) if start and end and end >= start else set()
            for name, m in self.month_keys:
                if cleaned.get(name) and m not in period:
                    self.add_error(name, "Måneden ligger uden for perioden.")
            if not monthly:
                self.add_error("amount_input", "Udfyld beløbet for mindst én måned.")
            self.monthly = {m: signed(v, sign) for m, v in monthly.items()}
            cleaned["amount"] = sum(self.monthly.values(), Decimal(0))
        else:
            amount = cleaned.get("amount_input")
            if amount is None:
                if "amount_input" not in self.errors:
                    self.add_error("amount_input", "Beløbet mangler.")
            else:
                cleaned["amount"] = signed(amount, sign)
        return cleaned

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {name: data[name] for name in self.Meta.fields}
        fields["amount"] = data["amount"]
        if data["spread"] == Spread.ONE_OFF and fields["end_date"] < fields["start_date"]:
            fields["end_date"] = fields["start_date"]
        return fields


class LeaveForm(forms.Form):
    """The staff helper: leave or sickness with temp cover."""

    category = forms.ChoiceField(
        label="Fravær",
        choices=[(c.value, c.label) for c in STAFF_CATEGORIES if c in (Category.MATERNITY, Category.SICKNESS)],
    )
    title = forms.CharField(
        label="Medarbejder (initialer eller stilling)",
        **text_field_kwargs(120),
        help_text="Ingen navne eller CPR-numre – fx »AB« eller »Pædagog, nat«.",
    )
    monthly_wage = DanishDecimalField(label="Månedsløn (kr.)")
    with_pay = forms.TypedChoiceField(
        label="Løn under fraværet",
        choices=[("1", "Med løn (lønnen fortsætter: ingen besparelse)"), ("0", "Uden løn (lønnen spares)")],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    start_date = forms.DateField(label="Fra dato", widget=DateInput(), input_formats=["%Y-%m-%d", "%d-%m-%Y"])
    end_date = forms.DateField(label="Til dato", widget=DateInput(), input_formats=["%Y-%m-%d", "%d-%m-%Y"])
    temp_percent = DanishDecimalField(label="Vikardækning (%)", initial=Decimal(0), required=False)
    monthly_refund = DanishDecimalField(
        label="Refusion pr. måned (kr.)",
        required=False,
        help_text="Fx barselsrefusion eller sygedagpengerefusion. Om den går til botilbuddet eller en central "
        "pulje, følger kommunens regel (administrationen).",
    )
    status = forms.ChoiceField(
        label="Status", choices=[(s.value, s.label) for s in Status if s != Status.CANCELLED], initial=Status.EXPECTED
    )
    comment = forms.CharField(
        label="Kommentar", required=False, widget=forms.Textarea(attrs={"rows": 2}), **text_field_kwargs(COMMENT_LENGTH)
    )

    def __init__(self, *args: Any, year: int, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "fravaer_%s")
        super().__init__(*args, **kwargs)
        for name in ("start_date", "end_date"):
            self.fields[name].error_messages.update(DATE_ERRORS)
        self.fields["start_date"].initial = dt.date(year, 1, 1)
        self.fields["end_date"].initial = dt.date(year, 12, 31)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        _check_years(self, cleaned, "start_date", "end_date")
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "Slutdatoen ligger før startdatoen.")
        if start and end and (end - start).days > 3 * 366:
            self.add_error("end_date", "Perioden må højst være tre år.")
        pct = cleaned.get("temp_percent")
        if pct is None:
            cleaned["temp_percent"] = Decimal(0)
        elif pct > 200:
            self.add_error("temp_percent", "Vikardækningen skal være mellem 0 og 200 %.")
        refund = cleaned.get("monthly_refund") or Decimal(0)
        if refund < 0:
            self.add_error("monthly_refund", "Skriv refusionen som et positivt beløb; den bogføres som indtægt.")
        cleaned["monthly_refund"] = refund
        return cleaned


class ConsequenceForm(forms.Form):
    """Preview of the allocation model's income consequence."""

    hours_from = DanishDecimalField(label="Timer pr. uge før", initial=Decimal(0))
    hours_to = DanishDecimalField(label="Timer pr. uge efter")
    from_date = forms.DateField(label="Fra dato", widget=DateInput(), input_formats=["%Y-%m-%d", "%d-%m-%Y"])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "konsekvens_%s")
        super().__init__(*args, **kwargs)
        self.fields["from_date"].error_messages.update(DATE_ERRORS)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        _check_years(self, cleaned, "from_date")
        return cleaned
