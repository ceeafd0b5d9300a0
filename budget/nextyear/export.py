"""The finance system's budget-import layout (CSV, streamed).

One row per cost centre × KL account (function, dranst, art) of the locked
budgets, the amount a Decimal with a decimal comma and no thousands separator
(what KMD Opus', Prisme's and EG's budget uploads read), semicolon separated,
UTF-8 with BOM so Excel opens it in Danish. Text cells pass the shared
formula neutraliser (``botilbud.lib.spreadsheet.safe_text``).

    Omkostningssted;Funktion;Dranst;Art;Kontostreng;Budgetår;Beløb;Tekst
    52000;5.38.50;1;1.10;5.38.50.1.1.10;2027;12345678,90;Egebakken: budget 2027
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from botilbud.lib.money import to_money
from botilbud.lib.spreadsheet import safe_text

CONTENT_TYPE = "text/csv; charset=utf-8"
HEADER = ["Omkostningssted", "Funktion", "Dranst", "Art", "Kontostreng", "Budgetår", "Beløb", "Tekst"]


class _Line:
    """A file-like that hands back what the csv writer wrote."""

    def __init__(self) -> None:
        self.value = ""

    def write(self, text: str) -> int:
        self.value = text
        return len(text)


def amount_text(amount: Decimal) -> str:
    """``-1234567.8`` → ``-1234567,80``: øre, decimal comma, no thousands separator."""
    return f"{to_money(amount):.2f}".replace(".", ",")


def csv_lines(rows: Iterable[dict[str, Any]], year: int) -> Iterator[str]:
    buffer = _Line()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    yield "\ufeff" + buffer.value
    for row in rows:
        account = f"{row['function']}.{row['dr']}.{row['art']}"
        writer.writerow(
            [
                safe_text(row["cost_centre"]),
                safe_text(row["function"]),
                safe_text(row["dr"]),
                safe_text(row["art"]),
                safe_text(account),
                year,
                amount_text(row["total"]),
                safe_text(f"{row['home_name']}: budget {year}"),
            ]
        )
        yield buffer.value
