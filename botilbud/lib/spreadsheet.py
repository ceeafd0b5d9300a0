"""Helpers for Excel files made with openpyxl."""

from __future__ import annotations

from typing import Any

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
