"""One chart = one table of numbers: the Plotly spec, the "Vis som tabel"
table and the Excel download are all made from the same ``Chart``.

Values stay ``Decimal``/``int`` in Python; they become strings only in the
JSON data island the browser reads (``static/js/charts.js`` turns them into numbers).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.http import FileResponse
from openpyxl import Workbook
from openpyxl.styles import Font

from botilbud.lib.money import format_kr, format_number
from botilbud.lib.spreadsheet import MONEY_FORMAT, safe_text, xlsx_response

# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442"]
OVER = "#D55E00"  # overspend (merforbrug): vermillion
UNDER = "#0072B2"  # underspend (mindreforbrug): blue

UNITS = {"kr": "kr.", "pct": "%", "antal": ""}


@dataclass
class Series:
    name: str
    values: Sequence[Decimal | int | None]
    type: str = "bar"  # bar | line
    unit: str = "kr"  # kr | pct | antal
    by_sign: bool = False  # colour each bar by its sign (deviation)
    secondary: bool = False  # right-hand axis (another unit)
    in_chart: bool = True  # False: only in the table and the Excel file
    figure: str = ""  # marks the table cells (data-figure) for the consistency tests


@dataclass
class Chart:
    id: str
    title: str
    category_label: str
    categories: list[str]
    series: list[Series]
    description: str = ""
    horizontal: bool = False
    links: list[str] = field(default_factory=list)  # drill-down URL per category ("" = none)
    y_title: str = "kr."
    y2_title: str = ""
    stacked: bool = False
    plot: bool = True  # False: a table with a download, no figure
    text_columns: list[tuple[str, list[str]]] = field(default_factory=list)
    plot_limit: int | None = None  # figure and table show the first N categories; Excel has all
    # Per category: {"home": id, "moment": key, "month": "YYYY-MM"} marks the figure cells
    row_keys: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rows(self) -> list[dict[str, Any]]:
        """Table rows with the cells formatted here (Danish formats), not in the
        template: a 150-home table renders in a few milliseconds."""
        n = self.plotted
        columns = [
            [(_format(v, s.unit), _css(v) if s.by_sign else "", s.figure) for v in s.values[:n]] for s in self.series
        ]
        return [
            {
                "label": label,
                "link": self.links[i] if self.links else "",
                "drill": bool(self.links) and self.links[i].startswith("/dashboard/"),
                "texts": [values[i] for _, values in self.text_columns],
                "cells": [column[i] for column in columns],
                "key": self.row_keys[i] if self.row_keys else None,
            }
            for i, label in enumerate(self.categories[: self.plotted])
        ]

    @property
    def plotted(self) -> int:
        return min(self.plot_limit or len(self.categories), len(self.categories))

    @property
    def truncated(self) -> bool:
        return self.plotted < len(self.categories)

    @property
    def empty(self) -> bool:
        return not self.categories

    def spec(self) -> dict[str, Any]:
        """The figure's data for static/js/charts.js (``{{ chart.spec|chart_data:… }}``)."""
        n = self.plot_limit or len(self.categories)
        spec = {
            "x": self.categories[:n],
            "horizontal": self.horizontal,
            "stacked": self.stacked,
            "links": self.links[:n],
            "y_title": self.y_title,
            "y2_title": self.y2_title,
            "series": [
                {
                    "name": s.name,
                    "type": s.type,
                    "unit": s.unit,
                    "values": [None if v is None else str(v) for v in s.values[:n]],
                    "color": PALETTE[i % len(PALETTE)],
                    "colors": [OVER if (v or 0) > 0 else UNDER for v in s.values[:n]] if s.by_sign else None,
                    "secondary": s.secondary,
                }
                for i, s in enumerate(self.series)
                if s.in_chart
            ],
        }
        return spec


def _format(value: Decimal | int | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "kr":
        return format_kr(value, 0)
    if unit == "pct":
        return f"{format_number(Decimal(value), 1)} %"
    return format_number(value, 0)


def _css(value: Decimal | int | None) -> str:
    if not value:
        return ""
    return "overspend" if value > 0 else "underspend"


def excel_response(chart: Chart, subtitle: str) -> FileResponse:
    """The chart's numbers as an .xlsx file (Danish headings, money formats)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Tal"
    ws.append([safe_text(chart.title)])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([safe_text(subtitle)])
    ws.append([])
    header = (
        [chart.category_label]
        + [name for name, _ in chart.text_columns]
        + [f"{s.name} ({UNITS[s.unit]})" if UNITS[s.unit] else s.name for s in chart.series]
    )
    ws.append([safe_text(h) for h in header])
    for cell in ws[4]:
        cell.font = Font(bold=True)
    for i, label in enumerate(chart.categories):
        texts = [safe_text(values[i]) for _, values in chart.text_columns]
        ws.append([safe_text(label), *texts] + [s.values[i] for s in chart.series])
        for j, s in enumerate(chart.series, start=2 + len(texts)):
            cell = ws.cell(row=ws.max_row, column=j)
            if s.unit == "kr":
                cell.number_format = MONEY_FORMAT
            elif s.unit == "pct":
                cell.number_format = '0.0" %"'
            else:
                cell.number_format = "#,##0"
    ws.column_dimensions["A"].width = 36
    for letter in "BCDEFGH":
        ws.column_dimensions[letter].width = 20
    return xlsx_response(wb, f"{chart.id}.xlsx")
