"""The budget pages' Excel exports (the figures come from ``budget.selectors``)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from botilbud.lib.spreadsheet import MONEY_FORMAT, safe_text
from botilbud.models import Home


def year_statement_workbook(home: Home, year: int, ctx: dict[str, Any]) -> Workbook:
    """A home's year-end statement as Excel: ``ctx`` is ``budget.selectors.year_statement``'s."""
    wb = Workbook()
    ws = wb.active
    ws.title = f"Årsafslutning {year}"
    ws.append([safe_text(f"Årsafslutning {year}: {home.name} (omkostningssted {home.cost_centre})")])
    ws["A1"].font = Font(bold=True, size=14)
    end = ctx["year_end"]
    status = (
        f"Året er {end.get_status_display().lower()} ({timezone.localtime(end.closed_at):%d-%m-%Y})"
        if end and end.closed_at
        else "Året er ikke lukket: tallene er foreløbige (forbrug til dato)."
    )
    ws.append([status])
    ws.append([])
    ws.append(["Kontogruppe", "Korrigeret budget", "Regnskab", "Resultat (budget − regnskab)"])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in ctx["groups"]:
        ws.append([row["group"].label, row["budget"], row["actual"], row["result"]])
        for part in row["parts"]:
            ws.append([safe_text(f"heraf {part.name.lower()}"), None, part.actuals_to_date, None])
    t = ctx["total"]
    ws.append(["I alt (netto)", t["budget"], t["actual"], t["result"]])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for r in ws.iter_rows(min_row=5, max_row=ws.max_row, min_col=2, max_col=4):
        for cell in r:
            cell.number_format = MONEY_FORMAT
    c = ctx["carry_over"]
    if c:
        ws.append([])
        ws.append(["Overførsel til " + str(year + 1)])
        ws[ws.max_row][0].font = Font(bold=True)
        for label, value in (
            ("Resultat", c.result),
            (f"Loft ({c.year_end.cap_pct} % af grundlaget)", c.cap),
            ("Beregnet overførsel", c.proposed),
            ("Besluttet overførsel", c.amount),
            ("Bortfalder", c.lapsed),
        ):
            ws.append([label, value])
            ws.cell(row=ws.max_row, column=2).number_format = MONEY_FORMAT
        ws.append(["Status", c.get_status_display()])
        if c.note:
            ws.append(["Beslutning", safe_text(c.note)])
        ws.append([])
        ws.append(["Beregning"])
        for line in c.computation.splitlines():
            ws.append([safe_text(line)])
    ws.column_dimensions["A"].width = 70
    for col in "BCD":
        ws.column_dimensions[col].width = 22
    return wb
