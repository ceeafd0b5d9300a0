"""THE Excel writer: every download in Botilbud goes through ``xlsx_response``.

Before a workbook is sent, every cell passes ``clean_cell``:

- text that Excel would run as a formula (``=``, ``+``, ``-``, ``@``, a tab or
  CR first) is neutralised with a leading apostrophe (formula injection);
- a text longer than Excel's cell limit (32,767 characters) is cut, and the
  cut says so ("… [afkortet: N tegn i alt]");
- a time (``datetime`` with a time zone, as Django stores them in UTC) is
  written in Copenhagen time, since Excel has no time zones; it gets the
  Danish "dd-mm-yyyy hh:mm" format if it has none.

A normal workbook is cleaned cell by cell when it is sent, so a builder
cannot forget a cell. A write-only workbook (large exports that stream rows)
cannot be read back: make its sheets with ``streaming_sheet``, which cleans
each row as it is appended; ``xlsx_response`` refuses a write-only workbook
with a sheet made any other way.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable
from typing import Any

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EXCEL_CELL_LIMIT = 32_767

# Danish number formats in Excel: Excel shows separators by the reader's
# locale, so the pattern uses the neutral "#,##0.00".
MONEY_FORMAT = '#,##0.00 "kr."'
NUMBER_FORMAT = "#,##0.00"
DATE_FORMAT = "dd-mm-yyyy"
DATETIME_FORMAT = "dd-mm-yyyy hh:mm"
OPENPYXL_DEFAULT_FORMATS = ("General", "yyyy-mm-dd h:mm:ss")
CUT_BY_LIMIT = " … [afkortet ved Excels grænse på 32.767 tegn]"


def _cut(value: str) -> str:
    if len(value) <= EXCEL_CELL_LIMIT:
        return value
    note = f" … [afkortet: {len(value):,} tegn i alt]".replace(",", ".")
    return value[: EXCEL_CELL_LIMIT - len(note)] + note


def safe_text(value: Any) -> Any:
    """Neutralise spreadsheet formulas in user text (CSV/formula injection)
    and cut a text at Excel's cell limit, saying so. Numbers and dates pass
    through unchanged. Idempotent."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_PREFIXES):
        value = "'" + value
    return _cut(value)


def clean_cell(value: Any) -> Any:
    """One cell's value as it may be written (see the module docstring)."""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def clean_row(values: Iterable[Any]) -> list[Any]:
    row = []
    for value in values:
        if hasattr(value, "number_format") and hasattr(value, "value"):  # a WriteOnlyCell
            cleaned = clean_cell(value.value)
            if cleaned is not value.value:
                value.value = cleaned
            row.append(value)
        else:
            row.append(clean_cell(value))
    return row


class StreamingSheet:
    """A write-only sheet whose ``append`` cleans every cell first."""

    def __init__(self, sheet: Any) -> None:
        self._sheet = sheet
        sheet._botilbud_clean = True

    @property
    def sheet(self) -> Any:
        """The openpyxl sheet itself (for ``WriteOnlyCell(ws.sheet, …)``)."""
        return self._sheet

    def append(self, values: Iterable[Any]) -> None:
        self._sheet.append(clean_row(values))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sheet, name)


def streaming_sheet(workbook: Workbook, title: str) -> StreamingSheet:
    """A sheet of a write-only workbook, cleaned row by row."""
    return StreamingSheet(workbook.create_sheet(title))


def clean_workbook(workbook: Workbook) -> None:
    """Clean every cell of a normal workbook, and the print headers."""
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if value is None:
                    continue
                if isinstance(value, str) and cell.data_type == "f":
                    # openpyxl takes a text starting with "=" as a formula.
                    cell.value = safe_text(value)
                    cell.data_type = "s"
                    continue
                if isinstance(value, str) and len(value) >= EXCEL_CELL_LIMIT and not value.endswith("]"):
                    # openpyxl cut it silently when it was set: say so.
                    cell.value = value[: EXCEL_CELL_LIMIT - len(CUT_BY_LIMIT)] + CUT_BY_LIMIT
                    continue
                cleaned = clean_cell(value)
                if cleaned is not value:
                    cell.value = cleaned
                if isinstance(cleaned, dt.datetime) and cell.number_format in OPENPYXL_DEFAULT_FORMATS:
                    cell.number_format = DATETIME_FORMAT
        for header in (ws.oddHeader, ws.oddFooter, ws.evenHeader, ws.evenFooter):
            for part in (header.left, header.center, header.right):
                if part.text:
                    part.text = safe_text(part.text)


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _save_clean(workbook: Workbook, target: Any) -> None:
    if workbook.write_only:
        unclean = [ws.title for ws in workbook.worksheets if not getattr(ws, "_botilbud_clean", False)]
        if unclean:
            raise ValueError(f"Write-only sheets must be made with streaming_sheet(): {unclean}")
    else:
        clean_workbook(workbook)
    workbook.save(target)


def xlsx_response(workbook: Workbook, filename: str) -> FileResponse:
    """Send a workbook as a download, every cell cleaned (``clean_cell``).

    It is written to a temporary file, not to memory, so a large export (all
    placements, a whole ledger) keeps the process's memory flat; FileResponse
    closes the file when it is sent."""
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FileResponse
    _save_clean(workbook, tmp)
    tmp.seek(0)
    return FileResponse(tmp, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


def xlsx_bytes(workbook: Workbook) -> bytes:
    """The workbook as the bytes of an .xlsx file, every cell cleaned like
    ``xlsx_response`` (for a background job, which stores the file)."""
    with tempfile.TemporaryFile() as tmp:
        _save_clean(workbook, tmp)
        tmp.seek(0)
        return tmp.read()
