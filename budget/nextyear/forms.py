"""Forms of next year's budget (Danish labels, Danish number input)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from botilbud.lib.validators import text_field_kwargs
from budget.forms import DanishDecimalField
from budget.nextyear.models import BudgetDraftLine


class AdjustForm(forms.Form):
    """The consultant's adjustment of one draft line: an amount added to the
    model's (0 removes it) and why. Prefixed by the line, so every line's form
    on the page has its own field ids."""

    adjustment = DanishDecimalField(
        label="Tilpasning (kr.)",
        max_abs=Decimal("999999999999"),
        help_text="Lægges til modellens beløb. Plus hæver linjen (mere udgift eller mindre indtægt), minus sænker den; 0 fjerner tilpasningen.",
    )
    reason = forms.CharField(label="Begrundelse", required=False, **text_field_kwargs(300))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, line: BudgetDraftLine, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"linje{line.pk}")
        if not args:
            kwargs.setdefault(
                "initial",
                {"adjustment": line.adjustment, "reason": line.adjustment_reason, "version": line.version},
            )
        super().__init__(*args, **kwargs)
        self.line = line

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        amount = cleaned.get("adjustment")
        if amount is not None and amount != 0 and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "Skriv en begrundelse for tilpasningen.")
        if amount is not None and abs(self.line.model_amount + amount) > Decimal("999999999999.99"):
            self.add_error("adjustment", "Linjens beløb bliver for stort.")
        return cleaned
