"""Opening budgets from Excel: one row per home × account group.

Columns: omkostningssted, år, kontogruppe (Løn / Øvrig drift / Indtægter, or
loen / drift / indtaegt), budget. A budget file is small (a few hundred rows),
so it is read with openpyxl (read-only) and checked row by row; any bad row
refuses the whole file.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import IO, Any

from botilbud.lib.money import parse_danish_decimal, to_money
from botilbud.models import AccountGroup, Home
from budget.importer import RowError, _norm_header

GROUPS = {
    "løn": AccountGroup.WAGES,
    "loen": AccountGroup.WAGES,
    "lønninger": AccountGroup.WAGES,
    "øvrig drift": AccountGroup.OPERATIONS,
    "drift": AccountGroup.OPERATIONS,
    "indtægter": AccountGroup.INCOME,
    "indtægt": AccountGroup.INCOME,
    "indtaegt": AccountGroup.INCOME,
}
COLUMNS = {
    "cost_centre": {"omkostningssted", "omk.sted", "omksted"},
    "year": {"år", "budgetår", "aar"},
    "group": {"kontogruppe", "gruppe"},
    "amount": {"budget", "beløb", "oprindeligt budget"},
}


class BudgetFileError(Exception):
    pass


def read_budget_file(
    stream: IO[bytes], *, allowed_home_ids: list[int] | None
) -> tuple[list[tuple[Home, int, str, Decimal]], list[RowError]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:
        raise BudgetFileError("Filen kunne ikke læses som et Excel-regneark (.xlsx).") from exc
    homes = {h.cost_centre: h for h in Home.objects.all()}
    rows: list[tuple[Home, int, str, Decimal]] = []
    errors: list[RowError] = []
    seen: dict[tuple[int, int, str], int] = {}
    try:
        sheet = workbook.worksheets[0]
        index_of: dict[str, int] | None = None
        for row_no, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if not any(v not in (None, "") for v in values):
                continue
            if index_of is None:
                names = [_norm_header(v) for v in values]
                index_of = {}
                for key, aliases in COLUMNS.items():
                    for i, name in enumerate(names):
                        if name in aliases:
                            index_of[key] = i
                missing = [k for k in COLUMNS if k not in index_of]
                if missing:
                    raise BudgetFileError(
                        "Første række skal være overskrifterne Omkostningssted, År, Kontogruppe og Budget."
                    )
                continue
            reasons: list[str] = []
            cell = {k: (values[i] if i < len(values) else None) for k, i in index_of.items()}
            cc = str(cell["cost_centre"] or "").strip()
            if isinstance(cell["cost_centre"], float) and cell["cost_centre"].is_integer():
                cc = str(int(cell["cost_centre"]))
            home = homes.get(cc)
            if not cc:
                reasons.append("Omkostningssted mangler")
            elif home is None:
                reasons.append(f"Ukendt omkostningssted »{cc}«")
            elif allowed_home_ids is not None and home.pk not in allowed_home_ids:
                reasons.append(f"Du har ikke adgang til omkostningssted »{cc}«")
            year = _year(cell["year"])
            if year is None:
                reasons.append(f"Året »{cell['year'] or ''}« er ikke gyldigt")
            group = GROUPS.get(_norm_header(cell["group"]))
            if group is None:
                reasons.append(f"Ukendt kontogruppe »{cell['group'] or ''}« (brug Løn, Øvrig drift eller Indtægter)")
            amount = _amount(cell["amount"])
            if amount is None:
                reasons.append(f"Budgettet »{cell['amount'] or ''}« er ikke et gyldigt tal")
            if not reasons and home and year and group:
                key = (home.pk, year, group.value)
                if key in seen:
                    reasons.append(f"Samme botilbud, år og kontogruppe som række {seen[key]}")
                seen[key] = row_no
            if reasons:
                errors.append(RowError(row=row_no, reasons=reasons))
            elif home and year and group and amount is not None:
                rows.append((home, year, group.value, amount))
    finally:
        workbook.close()
    if index_of is None:
        raise BudgetFileError("Regnearket er tomt.")
    if not rows and not errors:
        raise BudgetFileError("Regnearket har ingen budgetrækker.")
    return rows, errors


def _year(value: Any) -> int | None:
    if isinstance(value, dt.date):
        return value.year
    try:
        year = int(str(value).strip().split(",")[0].split(".")[0])
    except ValueError:
        return None
    return year if 2000 <= year <= 2100 else None


# NUMERIC(14,2): an amount must stay below 10^12 kr.
MAX_AMOUNT = Decimal(10) ** 12


def _amount(value: Any) -> Decimal | None:
    """The cell's amount, or None when it is not a usable amount (the caller
    names the row). Too large or non-finite numbers are refused too."""
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            amount = to_money(Decimal(repr(value)))
        elif isinstance(value, Decimal):
            amount = to_money(value)
        else:
            amount = to_money(parse_danish_decimal(str(value or "")))
    except (ValueError, ArithmeticError):
        return None
    return amount if abs(amount) < MAX_AMOUNT else None
