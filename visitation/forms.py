"""Forms of the visitation pages (Danish labels and messages)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms

from botilbud.forms import model_choice
from botilbud.lib.locking import VersionedModelForm
from botilbud.lib.money import parse_danish_decimal, to_money
from botilbud.lib.validators import SHORT_NOTE_LENGTH, text_field_kwargs
from botilbud.models import Municipality, Paragraph
from visitation import selectors
from visitation.models import ApprovalLevel, FollowUp, Offer, Placement, Provider, SupportPackage


class DateInput(forms.DateInput):
    """A Danish date field: ``22-11-2026`` (ISO dates are accepted too)."""

    def __init__(self, attrs: dict | None = None) -> None:
        attrs = {"placeholder": "dd-mm-åååå", "inputmode": "numeric", "autocomplete": "off", **(attrs or {})}
        super().__init__(attrs=attrs, format="%d-%m-%Y")


class DanishMoneyField(forms.Field):
    """Money typed the Danish way (``600.000`` or ``600000,00``), as Decimal."""

    widget = forms.TextInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("maxlength", "30")
        self.widget.attrs.setdefault("inputmode", "decimal")

    def to_python(self, value: Any) -> Decimal | None:
        text = str(value).strip() if value not in (None, "") else ""
        if not text:
            return None
        if len(text) > 30:
            raise forms.ValidationError("Beløbet er for langt.")
        try:
            amount = parse_danish_decimal(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        if amount < 0:
            raise forms.ValidationError("Beløbet kan ikke være negativt.")
        if amount >= Decimal("1000000000000"):
            raise forms.ValidationError("Beløbet er for stort.")
        return to_money(amount)


def _date_ok(value: dt.date | None) -> None:
    if value is not None and not (dt.date(2000, 1, 1) <= value <= dt.date(2100, 12, 31)):
        raise forms.ValidationError("Datoen ligger uden for det mulige interval (2000–2100).")


class PlacementForm(forms.Form):
    """A new placement: the citizen (case number and initials only), the
    paragraph, offer and package, the period and, for an external offer, an
    agreed price if it differs from the list price."""

    case_number = forms.CharField(label="Sagsnummer", **text_field_kwargs(40))
    initials = forms.CharField(
        label="Initialer", **text_field_kwargs(10), help_text="Kun initialer – intet CPR-nummer."
    )
    birth_year = forms.IntegerField(
        label="Fødselsår",
        required=False,
        min_value=1900,
        max_value=2100,
        help_text="Kun året (aldersgrænsen for statsrefusion af særligt dyre enkeltsager).",
    )
    paying_municipality = forms.ModelChoiceField(
        label="Betalingskommune",
        queryset=Municipality.objects.none(),
        required=False,
        empty_label="Vores egen kommune",
        help_text="Kun for en anden kommunes borger i vores eget tilbud (salg).",
    )
    paragraph = forms.ModelChoiceField(label="Paragraf", queryset=Paragraph.objects.all(), empty_label="Vælg …")
    offer = forms.ModelChoiceField(label="Tilbud", queryset=Offer.objects.none(), empty_label="Vælg …")
    package = forms.ModelChoiceField(
        label="Støttepakke",
        queryset=SupportPackage.objects.filter(is_active=True),
        required=False,
        empty_label="Ingen",
        help_text="Kræves i egne tilbud: prisen er pakkens timer × botilbuddets timepris × 52.",
    )
    annual_price = DanishMoneyField(
        label="Aftalt årspris (kr.)",
        required=False,
        help_text="Kun eksterne tilbud: tom betyder tilbuddets listepris.",
    )
    start_date = forms.DateField(label="Startdato", widget=DateInput())
    end_date = forms.DateField(label="Forventet slutdato", required=False, widget=DateInput())
    note = forms.CharField(
        label="Bemærkning",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        **text_field_kwargs(SHORT_NOTE_LENGTH),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offers = Offer.objects.filter(is_active=True).select_related("provider", "paragraph", "home")
        paragraph_id = self.data.get("paragraph") if self.is_bound else self.initial.get("paragraph")
        offer_field = model_choice(self, "offer")
        offer_field.queryset = offers
        model_choice(self, "paying_municipality").queryset = Municipality.objects.exclude(pk=Municipality.own_code())
        if paragraph_id and (str(paragraph_id).isascii() and str(paragraph_id).isdigit()):
            offer_field.queryset = offers.filter(paragraph_id=paragraph_id)
        # Name, paragraph and provider: one home offers several paragraphs under the same name.
        offer_field.label_from_instance = lambda obj: (  # type: ignore[method-assign]  # Django's documented override point
            f"{obj.name} ({obj.paragraph.code}, {obj.provider.name}) – {obj.provider.get_kind_display()}"
        )
        for name in ("paragraph", "offer", "package", "annual_price", "start_date", "paying_municipality"):
            self.fields[name].widget.attrs["data-price-input"] = "1"

    def clean_start_date(self) -> dt.date:
        value = self.cleaned_data["start_date"]
        _date_ok(value)
        return value

    def clean_end_date(self) -> dt.date | None:
        value = self.cleaned_data.get("end_date")
        _date_ok(value)
        return value

    def clean_initials(self) -> str:
        value = self.cleaned_data["initials"].strip().upper()
        if not value.replace(".", "").replace("-", "").isalpha():
            raise forms.ValidationError("Skriv kun initialer (bogstaver), fx AB.")
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data  # the same dict: Form.clean returns cleaned_data
        offer: Offer | None = cleaned.get("offer")
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "Slutdatoen ligger før startdatoen.")
        if offer is not None:
            if offer.home_id is not None and cleaned.get("package") is None:
                self.add_error("package", "Vælg en støttepakke: prisen i et eget tilbud følger af pakkens timer.")
            if offer.home_id is not None and cleaned.get("annual_price") is not None:
                self.add_error("annual_price", "I egne tilbud beregnes prisen af pakken og timeprisen.")
            if offer.home_id is None and cleaned.get("paying_municipality"):
                self.add_error("paying_municipality", "Salg gælder kun andre kommuners borgere i egne tilbud.")
        return cleaned


class DecisionForm(forms.Form):
    meeting_date = forms.DateField(label="Mødedato", required=False, widget=DateInput())
    note = forms.CharField(
        label="Bemærkning",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        **text_field_kwargs(SHORT_NOTE_LENGTH),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_meeting_date(self) -> dt.date | None:
        value = self.cleaned_data.get("meeting_date")
        _date_ok(value)
        return value


class PackageChangeForm(forms.Form):
    new_package = forms.ModelChoiceField(
        label="Ny støttepakke", queryset=SupportPackage.objects.filter(is_active=True), empty_label="Vælg …"
    )
    effective_date = forms.DateField(label="Gælder fra", widget=DateInput())
    meeting_date = forms.DateField(
        label="Mødedato (udvalg)",
        required=False,
        widget=DateInput(),
        help_text="Kun når en dyrere pakke kræver visitationsudvalgets afgørelse.",
    )
    note = forms.CharField(
        label="Begrundelse",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        **text_field_kwargs(SHORT_NOTE_LENGTH),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_effective_date(self) -> dt.date:
        value = self.cleaned_data["effective_date"]
        _date_ok(value)
        return value


class EndForm(forms.Form):
    end_date = forms.DateField(label="Sidste dag", widget=DateInput())
    note = forms.CharField(
        label="Begrundelse",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        **text_field_kwargs(SHORT_NOTE_LENGTH),
    )
    ledger_move_out = forms.BooleanField(
        label="Registrér fraflytningen i botilbuddets disponering",
        required=False,
        initial=True,
        help_text=(
            "Bevillingen har ingen automatisk indtægtspost i disponeringen (den er fra før Botilbud). "
            "Indtægtsfaldet beregnes med tildelingsmodellen: timer pr. uge × timepris × dage/7 "
            "fra dagen efter sidste dag til årets udgang."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, offer_move_out: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Offered only when no generated entry exists: a generated entry stops
        # by itself at the end date, and a manual one beside it would count twice.
        if not offer_move_out:
            del self.fields["ledger_move_out"]

    def clean_end_date(self) -> dt.date:
        value = self.cleaned_data["end_date"]
        _date_ok(value)
        return value


class FollowUpForm(forms.Form):
    date = forms.DateField(label="Dato for opfølgning", widget=DateInput())
    outcome = forms.ChoiceField(label="Resultat", choices=FollowUp.Outcome.choices)
    new_package = forms.ModelChoiceField(
        label="Ny støttepakke (ved ny pakke)",
        queryset=SupportPackage.objects.filter(is_active=True),
        required=False,
        empty_label="—",
    )
    meeting_date = forms.DateField(
        label="Mødedato (udvalg)",
        required=False,
        widget=DateInput(),
        help_text="Kun når en dyrere pakke kræver visitationsudvalgets afgørelse.",
    )
    note = forms.CharField(
        label="Notat", required=False, widget=forms.Textarea(attrs={"rows": 3}), **text_field_kwargs(SHORT_NOTE_LENGTH)
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_date(self) -> dt.date:
        value = self.cleaned_data["date"]
        _date_ok(value)
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data  # the same dict: Form.clean returns cleaned_data
        if cleaned.get("outcome") == FollowUp.Outcome.NEW_PACKAGE and not cleaned.get("new_package"):
            self.add_error("new_package", "Vælg den nye støttepakke.")
        return cleaned


class PlacementFilterForm(forms.Form):
    q = forms.CharField(label="Søg", required=False, max_length=80, help_text="Sagsnummer, initialer eller tilbud")
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Alle"), *Placement.Status.choices])
    paragraph = forms.ModelChoiceField(
        label="Paragraf", required=False, queryset=Paragraph.objects.all(), empty_label="Alle"
    )
    provider_kind = forms.ChoiceField(
        label="Leverandørtype", required=False, choices=[("", "Alle"), *Provider.Kind.choices]
    )
    level = forms.ChoiceField(label="Afgøres af", required=False, choices=[("", "Alle"), *ApprovalLevel.choices])
    year = forms.IntegerField(label="I kraft i år", required=False, min_value=2000, max_value=2100)
    sale = forms.ChoiceField(
        label="Borgere",
        required=False,
        choices=[("", "Alle"), ("egne", "Egne borgere"), ("salg", "Andre kommuners (salg)")],
    )

    def to_filters(self) -> selectors.PlacementFilters:
        """The selector's filters; an unbound or invalid form filters nothing
        (the list then shows everything, with the form's errors beside it)."""
        if not (self.is_bound and self.is_valid()):
            return selectors.PlacementFilters()
        data = self.cleaned_data
        return selectors.PlacementFilters(
            q=(data.get("q") or "").strip(),
            status=data.get("status") or "",
            paragraph=data["paragraph"].pk if data.get("paragraph") else None,
            provider_kind=data.get("provider_kind") or "",
            level=data.get("level") or "",
            year=data.get("year"),
            sale=data.get("sale") or "",
        )


class PlacementEditForm(VersionedModelForm):
    """Correcting a proposed placement before it is decided (the expected end
    and the note). Price, offer and package are the decision's basis: a
    different one is a new proposal."""

    class Meta:
        model = Placement
        fields = ["end_date", "note"]
        widgets = {"end_date": DateInput(), "note": forms.Textarea(attrs={"rows": 3})}
        labels = {"end_date": "Forventet slutdato"}

    def clean_end_date(self) -> dt.date | None:
        value = self.cleaned_data.get("end_date")
        _date_ok(value)
        if value is not None and value < self.instance.start_date:
            raise forms.ValidationError("Slutdatoen ligger før startdatoen.")
        return value
