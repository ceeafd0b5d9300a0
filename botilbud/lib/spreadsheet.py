"""Helpers for Excel files made with openpyxl."""

from __future__ import annotations

import tempfile
from typing import Any

from django.http import FileResponse
from openpyxl import Workbook

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# Danish number formats in Excel: Excel shows separators by the reader's
# locale, so the pattern uses the neutral "#,##0.00".
MONEY_FORMAT = '#,##0.00 "kr."'
NUMBER_FORMAT = "#,##0.00"
DATE_FORMAT = "dd-mm-yyyy"


def safe_text(value: Any) -> Any:
    """Neutralise spreadsheet formulas in user text (CSV/formula injection).

    A text that starts with ``=``, ``+``, ``-``, ``@`` (or a tab/CR) is
    prefixed with an apostrophe so Excel shows it as text and never runs it.
    Numbers and dates pass through unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(workbook: Workbook, filename: str) -> FileResponse:
    """Send a workbook as a download. It is written to a temporary file, not
    to memory, so a large export (all placements, a whole ledger) keeps the
    process's memory flat; FileResponse closes the file when it is sent."""
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FileResponse
    workbook.save(tmp)
    tmp.seek(0)
    return FileResponse(tmp, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
