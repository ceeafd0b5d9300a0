"""The row interface the onboarding imports validate against.

Every kind reads its file through ``read_rows``: the header row is matched
against the kind's columns (Danish names and common spellings), and each
following non-blank row comes out as a ``SourceRow`` with its line number as
the user counts it in the file and its cells as stripped text keyed by the
canonical column name.

The reading itself (encodings, separators, title lines, xlsx limits) belongs
to the project's shared tabular reader; until that is in place this module
reads CSV and .xlsx plainly, and only this module changes when it lands.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

MAX_ROWS = 100_000
MAX_CELL = 2_000


class FileRefused(Exception):
    """The file as a whole cannot be read (format, header). Danish message."""


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the Danish header the sample files use
    aliases: frozenset[str] = frozenset()
    required: bool = True


@dataclass
class SourceRow:
    line: int
    values: dict[str, str] = field(default_factory=dict)

    def get(self, key: str) -> str:
        return self.values.get(key, "")


def norm_header(value: Any) -> str:
    text = str(value or "").strip().lower().lstrip("\ufeff")
    return re.sub(r"\s+", " ", text.replace("_", " "))


def _match_header(cells: list[str], columns: list[Column]) -> dict[str, int]:
    names = [norm_header(c) for c in cells]
    index: dict[str, int] = {}
    for column in columns:
        spellings = {norm_header(column.label), norm_header(column.key), *(norm_header(a) for a in column.aliases)}
        for i, name in enumerate(names):
            if name in spellings and column.key not in index:
                index[column.key] = i
    missing = [c.label for c in columns if c.required and c.key not in index]
    if missing:
        found = ", ".join(c for c in cells if c) or "ingen"
        raise FileRefused(
            "Filens første række skal være kolonneoverskrifterne. Der mangler: "
            + ", ".join(missing)
            + f". Fundet: {found}."
        )
    return index


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{value:%d-%m-%Y}"
    if isinstance(value, dt.date):
        return f"{value:%d-%m-%Y}"
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f").replace(".", ",")
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    return str(value).strip()


def _csv_lines(stream: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
    data = stream.read()
    if b"\x00" in data:
        raise FileRefused("Filen indeholder binære data (NUL-tegn) og kan ikke læses som CSV.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    counts = {d: first.count(d) for d in (";", "\t", ",")}
    delimiter = max(counts, key=lambda d: (counts[d], d == ";"))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    try:
        for cells in reader:
            yield start, [c.strip() for c in cells]
            start = reader.line_num + 1
    except csv.Error as exc:
        raise FileRefused(
            f"Filen kunne ikke læses som CSV omkring linje {start}: forkert brug af anførselstegn."
        ) from exc


def _xlsx_lines(stream: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException …
        raise FileRefused("Filen kunne ikke læses som et Excel-regneark (.xlsx).") from exc
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # never trust the declared <dimension>
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(v) for v in values]
    finally:
        workbook.close()


class RowSource:
    """The file's data rows (iterate once), keyed by canonical column; after the
    loop, ``bad_lines`` holds the lines the reader itself could not use (wrong
    field count, junk bytes …), each with its line number and a Danish reason."""

    def __init__(self, stream: IO[bytes], file_name: str, columns: list[Column]) -> None:
        self.stream, self.file_name, self.columns = stream, file_name, columns
        self.bad_lines: list[tuple[int, str]] = []

    def __iter__(self) -> Iterator[SourceRow]:
        lower = self.file_name.lower()
        if lower.endswith((".xlsx", ".xlsm")):
            lines = _xlsx_lines(self.stream)
        elif lower.endswith((".csv", ".txt")):
            lines = _csv_lines(self.stream)
        else:
            raise FileRefused("Filtypen kendes ikke: brug .xlsx eller .csv.")
        index: dict[str, int] | None = None
        count = 0
        for line, cells in lines:
            if not any(cells):
                continue
            if index is None:
                index = _match_header(cells, self.columns)
                continue
            count += 1
            if count > MAX_ROWS:
                raise FileRefused(f"Filen har flere end {MAX_ROWS:,} rækker.".replace(",", "."))
            values = {key: (cells[i] if i < len(cells) else "")[:MAX_CELL] for key, i in index.items()}
            yield SourceRow(line=line, values=values)
        if index is None:
            raise FileRefused("Filen er tom.")


def read_rows(stream: IO[bytes], file_name: str, columns: list[Column]) -> RowSource:
    """The file's rows through the kind's columns. Iterating raises ``FileRefused``
    when the file cannot be read at all; the first non-blank line is the header."""
    return RowSource(stream, file_name, columns)
