"""Excel export of a home's ledger: the grid and the entries behind it."""

from __future__ import annotations

from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from botilbud.lib.dates import MONTH_ABBR, year_months
from botilbud.lib.spreadsheet import DATE_FORMAT, MONEY_FORMAT, safe_text
from botilbud.models import Home
from disponering import selectors

BOLD = Font(bold=True)


def ledger_workbook(home: Home, year: int) -> Workbook:
    grid = selectors.ledger_grid(home, year)
    entries = list(selectors.entries_for_home(home, year))
    months = selectors.entry_months([e.pk for e in entries], year)

    wb = Workbook()
    ws = wb.active
    ws.title = "Oversigt"
    ws.append([safe_text(f"Disponering {year}: {home.name} (omkostningssted {home.cost_centre})")])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["Forventet nettoændring pr. måned og kontogruppe (udgifter positive, indtægter negative)."])
    ws.append([])
    ws.append(["Kontogruppe", *[m.capitalize() for m in MONTH_ABBR], "I alt"])
    header_row = ws.max_row
    for row in grid["rows"]:
        ws.append([row["group"].label, *row["cells"], row["total"]])
    ws.append(["I alt", *grid["month_totals"], grid["total"]])
    for cell in ws[header_row]:
        cell.font = BOLD
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    for row in ws.iter_rows(min_row=header_row + 1, min_col=2, max_col=14):
        for cell in row:
            cell.number_format = MONEY_FORMAT
    ws.column_dimensions["A"].width = 16
    for index in range(2, 15):
        ws.column_dimensions[get_column_letter(index)].width = 14

    ws2 = wb.create_sheet("Poster")
    ws2.append(
        [
            "Nr.",
            "Kategori",
            "Beskrivelse",
            "Kontogruppe",
            "Fra",
            "Til",
            "Fordeling",
            "Status",
            "Beløb i alt",
            f"Heraf {year}",
            *[m.capitalize() for m in MONTH_ABBR],
            "Registreret af",
            "Automatisk",
            "Kommentar",
        ]
    )
    for cell in ws2[1]:
        cell.font = BOLD
    months_of_year = year_months(year)
    for entry in entries:
        per_month = months.get(entry.pk, {})
        cells = [per_month.get(m) for m in months_of_year]
        ws2.append(
            [
                entry.pk,
                entry.get_category_display(),
                safe_text(entry.title),
                entry.get_account_group_display(),
                entry.start_date,
                entry.end_date,
                entry.get_spread_display(),
                entry.get_status_display(),
                entry.amount,
                sum((c for c in cells if c is not None), start=Decimal(0)),
                *cells,
                safe_text(str(entry.registered_by) if entry.registered_by else "System"),
                "ja" if entry.generated else "nej",
                safe_text(entry.comment),
            ]
        )
    for row in ws2.iter_rows(min_row=2):
        row[4].number_format = DATE_FORMAT
        row[5].number_format = DATE_FORMAT
        for cell in row[8:22]:
            cell.number_format = MONEY_FORMAT
    widths = {"A": 7, "B": 22, "C": 30, "D": 14, "E": 12, "F": 12, "G": 22, "H": 12}
    for col, width in widths.items():
        ws2.column_dimensions[col].width = width
    ws2.freeze_panes = "C2"

    return wb
