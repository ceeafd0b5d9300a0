"""The follow-up in Excel, in the same fixed template as the page: print-ready
(landscape, fit to width, header and footer), Danish number formats, user
text neutralised against formulas."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import FileResponse
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from botilbud.lib.dates import format_month
from botilbud.lib.spreadsheet import DATE_FORMAT, MONEY_FORMAT, safe_text, xlsx_response

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEAD_FILL = PatternFill("solid", fgColor="E9EEF3")
ECONOMY_HEAD = [
    "Kontogruppe",
    "Korrigeret budget",
    "Budget til dato",
    "Forbrug til dato",
    "Prognose",
    "Afvigelse",
    "Afvigelse %",
    "Ændring siden sidst",
]


def _d(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def _print_setup(ws: Worksheet, title: str) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddHeader.center.text = safe_text(title)
    ws.oddFooter.left.text = "Botilbud – budgetopfølgning"
    ws.oddFooter.right.text = "Side &P af &N"
    ws.print_options.gridLines = False
    ws.column_dimensions["A"].width = 34
    for col in "BCDEFGH":
        ws.column_dimensions[col].width = 18


def _heading(ws: Worksheet, text: str) -> None:
    ws.append([])
    ws.append([text])
    ws.cell(ws.max_row, 1).font = Font(bold=True, size=12)


def _header_row(ws: Worksheet, values: list[str]) -> None:
    ws.append(values)
    for cell in ws[ws.max_row]:
        cell.font = BOLD
        cell.fill = HEAD_FILL
        cell.alignment = Alignment(wrap_text=True)


def _money_row(ws: Worksheet, values: list[Any], money_cols: range) -> None:
    # The cells formatted before they are appended: finding the appended row again (max_row scans
    # every cell of the sheet) took a tenth of the department's workbook, a row per home.
    cells = [Cell(ws, value=value) for value in values]
    for index in money_cols:
        cells[index - 1].number_format = MONEY_FORMAT
    ws.append(cells)


def _economy(ws: Worksheet, economy: list[dict[str, Any]], totals: dict[str, Any]) -> None:
    _header_row(ws, ECONOMY_HEAD)
    for row in [*economy, {**totals, "label": "I alt"}]:
        _money_row(
            ws,
            [
                row["label"],
                _d(row["corrected_budget"]),
                _d(row["budget_to_date"]),
                _d(row["actuals_to_date"]),
                _d(row["forecast"]),
                _d(row["deviation"]),
                _d(row.get("deviation_pct")),
                _d(row.get("change")),
            ],
            range(2, 9),
        )
        ws.cell(ws.max_row, 7).number_format = '0.0" %"'
        # The finer account groups (»heraf«): their actuals to date, as on the page.
        for part in row.get("parts", []):
            _money_row(
                ws,
                [safe_text(f"heraf {part['name'].lower()}"), None, None, _d(part["actuals_to_date"])],
                range(4, 5),
            )
    for cell in ws[ws.max_row]:
        cell.font = BOLD


def home_followup_response(context: dict[str, Any]) -> FileResponse:
    fu, numbers = context["fu"], context["numbers"]
    title = f"Budgetopfølgning {format_month(fu.round.month)} – {fu.home.name}"
    wb = Workbook()
    ws = wb.active
    ws.title = "Budgetopfølgning"
    _print_setup(ws, title)
    ws.append([safe_text(title)])
    ws["A1"].font = TITLE
    ws.append(["Status", fu.get_step_display() + (" (fastfrosset)" if fu.is_frozen else " (levende tal)")])
    ws.append(["Tærskel for handleplan", _d(numbers["threshold"])])
    ws.cell(ws.max_row, 2).number_format = MONEY_FORMAT

    _heading(ws, "1. Økonomi pr. kontogruppe")
    _economy(ws, numbers["economy"], numbers["totals"])

    _heading(ws, "2. Aktivitet")
    a = numbers["activity"]
    _header_row(ws, ["Pladser", "Beboere", "Belægning %", "Indflyttet siden sidst", "Fraflyttet siden sidst"])
    ws.append([a["places"], a["residents"], _d(a["occupancy_pct"]), a["moved_in"], a["moved_out"]])

    _heading(ws, "3. Personale")
    s = numbers["staff"]
    if s.get("sickness_source") == "payroll":
        _header_row(
            ws,
            [
                "Årsværk",
                "Sygefravær % (lønsystemet)",
                "Sygefravær % år til dato",
                "Sygetimer",
                "Normtimer",
                "Langtidssygemeldte (lønsystemet)",
                "Langtidssygemeldte i disponeringen",
                "Vakante stillinger",
                "På barsel",
            ],
        )
        ws.append(
            [
                _d(s["fte"]),
                _d(s["sickness_pct"]),
                _d(s["sickness_ytd_pct"]),
                _d(s["sick_hours"]),
                _d(s["norm_hours"]),
                s["long_term_people"],
                s["sick"],
                s["vacancies"],
                s["maternity"],
            ]
        )
    else:  # a round frozen before sickness came from payroll
        _header_row(ws, ["Årsværk", "Langtidssygemeldte", "Sygefravær % af årsværk", "Vakante stillinger", "På barsel"])
        ws.append([_d(s["fte"]), s["sick"], _d(s["sickness_pct"]), s["vacancies"], s["maternity"]])

    _heading(ws, "4. Disponeringer bag prognosen")
    _header_row(ws, ["Disponering", "Kategori", "Kontogruppe", "Status", "Fra", "Til", "Beløb resten af året"])
    for e in numbers.get("entries", []):
        ws.append(
            [
                safe_text(e["title"]),
                e["category"],
                e["group"],
                e["status"],
                dt.date.fromisoformat(e["start"]),
                dt.date.fromisoformat(e["end"]),
                _d(e["remaining"]),
            ]
        )
        ws.cell(ws.max_row, 5).number_format = DATE_FORMAT
        ws.cell(ws.max_row, 6).number_format = DATE_FORMAT
        ws.cell(ws.max_row, 7).number_format = MONEY_FORMAT

    _heading(ws, "5. Forklaring af afvigelser")
    _header_row(ws, ["Kontogruppe", "Forklaring"])
    for row in context["economy"]:
        ws.append([row["label"], safe_text(row["explanation"] or "—")])
        ws.cell(ws.max_row, 2).alignment = Alignment(wrap_text=True, vertical="top")

    _heading(ws, "6. Handleplan")
    _header_row(ws, ["Handling", "Ansvarlig", "Frist", "Forventet effekt"])
    for action in context["actions"]:
        a = (
            action
            if isinstance(action, dict)
            else {
                "description": action.description,
                "owner": action.owner,
                "deadline": action.deadline.isoformat(),
                "expected_effect": action.expected_effect,
            }
        )
        ws.append(
            [
                safe_text(a["description"]),
                safe_text(a["owner"]),
                dt.date.fromisoformat(str(a["deadline"])),
                _d(a["expected_effect"]),
            ]
        )
        ws.cell(ws.max_row, 3).number_format = DATE_FORMAT
        ws.cell(ws.max_row, 4).number_format = MONEY_FORMAT
    ws.append(["Prognose efter handleplan", None, None, context["forecast_after_plan"]])
    ws.cell(ws.max_row, 4).number_format = MONEY_FORMAT
    ws.cell(ws.max_row, 1).font = BOLD

    _heading(ws, "7. Godkendelse")
    _header_row(ws, ["Trin", "Hvem", "Hvornår"])
    for label, who, when in [
        ("Forberedt af konsulent", fu.prepared_by, fu.prepared_at),
        ("Bekræftet af leder", fu.confirmed_by, fu.confirmed_at),
        ("Godkendt af områdeleder", fu.approved_by, fu.approved_at),
    ]:
        # The time as a real Excel time; the writer puts it in Copenhagen time.
        ws.append([label, safe_text(str(who or "—")), when or "—"])
    return xlsx_response(wb, f"budgetopfoelgning-{slugify(fu.home.name)}-{fu.round.month:%Y-%m}.xlsx")


def rollup_response(context: dict[str, Any]) -> FileResponse:
    round_, sums = context["round"], context["sums"]
    title = f"Forvaltningens budgetopfølgning {format_month(round_.month)}"
    wb = Workbook()
    ws = wb.active
    ws.title = "Forvaltningen"
    _print_setup(ws, title)
    ws.append([title])
    ws["A1"].font = TITLE
    _heading(ws, "1. Økonomi pr. kontogruppe (alle botilbud)")
    _economy(ws, sums["economy"], {**sums["totals"], "change": None})
    _heading(ws, "2. Aktivitet")
    _header_row(ws, ["Pladser", "Beboere", "Belægning %"])
    ws.append([sums["activity"]["places"], sums["activity"]["residents"], _d(sums["activity"]["occupancy_pct"])])
    _heading(ws, "Botilbud med handleplan")
    for name in sums["homes_with_action_plans"] or ["—"]:
        ws.append([safe_text(name)])
    _heading(ws, "Botilbud")
    _header_row(ws, ["Botilbud", "Område", "Korrigeret budget", "Prognose", "Afvigelse", "Status", "Tal fra"])
    for row in context["rows"]:
        t = row["numbers"]["totals"]
        _money_row(
            ws,
            [
                safe_text(row["fu"].home.name),
                row["fu"].home.area.name,
                _d(t["corrected_budget"]),
                _d(t["forecast"]),
                _d(t["deviation"]),
                row["fu"].get_step_display(),
                row["moment"].label if "moment" in row else "",
            ],
            range(3, 6),
        )
    return xlsx_response(wb, f"forvaltningens-budgetopfoelgning-{round_.month:%Y-%m}.xlsx")
