"""The approved rates as Excel, for publishing (the rows: ``selectors.published_rates``)."""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from botilbud.lib.money import to_money
from botilbud.lib.spreadsheet import DATE_FORMAT, MONEY_FORMAT, safe_text, streaming_sheet
from botilbud.models import User
from budget.rates.selectors import published_rates


def rates_workbook(user: User, year: int) -> Workbook:
    """Per offer and support level of the homes ``user`` sees: day, month and year rate."""
    wb = Workbook(write_only=True)
    ws = streaming_sheet(wb, f"Takster {year}")
    ws.append([f"Takster {year} (godkendte)"])
    ws.append(["Botilbud", "Tilbud", "Paragraf", "Niveau", "Døgntakst", "Månedstakst", "Årstakst", "Godkendt"])

    def money(value: Any) -> Any:
        cell = WriteOnlyCell(ws.sheet, value=value)
        cell.number_format = MONEY_FORMAT
        return cell

    def date(value: Any) -> Any:
        cell = WriteOnlyCell(ws.sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell

    for row in published_rates(user, year):
        ws.append(
            [
                safe_text(row.home),
                safe_text(row.offer),
                row.paragraph,
                safe_text(row.level),
                money(row.day),
                money(None if row.annual is None else to_money(row.annual / 12)),
                money(row.annual),
                date(row.approved_on),
            ]
        )
    return wb
