"""Opening budgets from Excel: one row per home × account group.

Columns: omkostningssted, år, kontogruppe (Løn / Øvrig drift / Indtægter, or
loen / drift / indtaegt), budget. A budget file is small (a few hundred rows),
so it is read with the shared reader (``botilbud.lib.tabular``: .xlsx or CSV)
and checked row by row; any bad row refuses the whole file.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import IO, Any

from botilbud.lib import tabular
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


def _header_ok(cells: list[Any]) -> bool:
    names = {_norm_header(c) for c in cells}
    return all(names & aliases for aliases in COLUMNS.values())


def read_budget_file(
    stream: IO[bytes], *, allowed_home_ids: list[int] | None, file_name: str = "budget.xlsx"
) -> tuple[list[tuple[Home, int, str, Decimal]], list[RowError]]:
    """Read a budget file (.xlsx or CSV, through ``botilbud.lib.tabular``): good rows and every bad row."""
    try:
        table = tabular.open_table(stream, file_name, tabular.ReadOptions(find_header=_header_ok))
    except tabular.TabularError as exc:
        if "ikke fundet" in str(exc):
            raise BudgetFileError(
                "Overskrifterne Omkostningssted, År, Kontogruppe og Budget blev ikke fundet i filens første linjer."
            ) from exc
        raise BudgetFileError(str(exc)) from exc
    homes = {h.cost_centre: h for h in Home.objects.all()}
    rows: list[tuple[Home, int, str, Decimal]] = []
    errors: list[RowError] = []
    seen: dict[tuple[int, int, str], int] = {}
    names = [_norm_header(v) for v in table.header]
    index_of = {key: next(i for i, n in enumerate(names) if n in aliases) for key, aliases in COLUMNS.items()}
    try:
        with table:
            for row_no, values in table.rows():
                reasons: list[str] = []
                cell = {k: values[i] for k, i in index_of.items()}
                cc = tabular.cell_text(cell["cost_centre"]).strip()
                if isinstance(cell["cost_centre"], Decimal) and cell["cost_centre"] == int(cell["cost_centre"]):
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
                    reasons.append(f"Året »{tabular.cell_text(cell['year'])}« er ikke gyldigt")
                group = GROUPS.get(_norm_header(cell["group"]))
                if group is None:
                    reasons.append(
                        f"Ukendt kontogruppe »{tabular.cell_text(cell['group'])}« (brug Løn, Øvrig drift eller Indtægter)"
                    )
                amount = _amount(cell["amount"])
                if amount is None:
                    reasons.append(f"Budgettet »{tabular.cell_text(cell['amount'])}« er ikke et gyldigt tal")
                if not reasons and home and year and group:
                    key = (home.pk, year, group.value)
                    if key in seen:
                        reasons.append(f"Samme botilbud, år og kontogruppe som række {seen[key]}")
                    seen[key] = row_no
                if reasons:
                    errors.append(RowError(row=row_no, reasons=reasons))
                elif home and year and group and amount is not None:
                    rows.append((home, year, group.value, amount))
    except tabular.TabularError as exc:
        raise BudgetFileError(str(exc)) from exc
    errors.extend(RowError(row=b.line, reasons=[b.reason]) for b in table.bad_lines)
    errors.sort(key=lambda e: e.row)
    if not rows and not errors:
        raise BudgetFileError("Regnearket har ingen budgetrækker.")
    return rows, errors


def _year(value: Any) -> int | None:
    if isinstance(value, dt.date):
        return value.year
    if isinstance(value, Decimal):
        return int(value) if value == int(value) and 2000 <= value <= 2100 else None
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
