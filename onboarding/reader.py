"""The row interface the onboarding imports validate against.

Every kind reads its file through ``read_rows``: the header row is matched
against the kind's columns (Danish names and common spellings), and each
following non-blank row comes out as a ``SourceRow`` with its line number as
the user counts it in the file and its cells as stripped text keyed by the
canonical column name.

The reading itself (encodings, separators, title lines above the header,
line numbers, xlsx limits, defusedxml) is the project's one hardened reader,
``botilbud.lib.tabular``; the header is the first line within the file's
first lines that has the kind's required columns. Lines the reader cannot use
(wrong field count, junk bytes) come back as ``bad_lines`` and are named in
the refusal with the kinds' own errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from botilbud.lib import tabular

MAX_ROWS = 100_000  # onboarding files are small: a municipality has hundreds of homes, thousands of placements
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
    """A cell as the text the kinds parse: Danish decimals (``1234,5``), dates ``dd-mm-åååå``."""
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    if isinstance(value, bool):
        return "ja" if value else "nej"
    return tabular.cell_text(value).strip()


class RowSource:
    """The file's data rows (iterate once), keyed by canonical column; after the
    loop, ``bad_lines`` holds the lines the reader itself could not use (wrong
    field count, junk bytes …), each with its line number and a Danish reason."""

    def __init__(self, stream: IO[bytes], file_name: str, columns: list[Column]) -> None:
        self.stream, self.file_name, self.columns = stream, file_name, columns
        self.bad_lines: list[tuple[int, str]] = []

    def __iter__(self) -> Iterator[SourceRow]:
        if not self.file_name.lower().endswith((".xlsx", ".xlsm", ".csv", ".txt")):
            raise FileRefused("Filtypen kendes ikke: brug .xlsx eller .csv.")

        def header_ok(cells: list[Any]) -> bool:
            try:
                _match_header([_cell_text(c) for c in cells], self.columns)
            except FileRefused:
                return False
            return True

        options = tabular.ReadOptions(find_header=header_ok, max_rows=MAX_ROWS, max_cell_chars=MAX_CELL)
        try:
            table = tabular.open_table(self.stream, self.file_name, options)
        except tabular.TabularError as exc:
            if "ikke fundet" in str(exc):
                self._explain_header()
            raise FileRefused(str(exc)) from exc
        with table:
            index = _match_header([_cell_text(c) for c in table.header], self.columns)
            try:
                for line, cells in table.rows():
                    texts = [_cell_text(c) for c in cells]
                    yield SourceRow(line=line, values={key: texts[i] for key, i in index.items() if i < len(texts)})
            except tabular.TabularError as exc:
                raise FileRefused(str(exc)) from exc
        self.bad_lines = [(b.line, b.reason) for b in table.bad_lines]

    def _explain_header(self) -> None:
        """No line looked like the header: name the missing columns of the first line."""
        self.stream.seek(0)
        try:
            with tabular.open_table(self.stream, self.file_name) as first:
                cells = [_cell_text(c) for c in first.header]
        except tabular.TabularError:
            return
        _match_header(cells, self.columns)  # raises FileRefused naming what is missing


def read_rows(stream: IO[bytes], file_name: str, columns: list[Column]) -> RowSource:
    """The file's rows through the kind's columns. Iterating raises ``FileRefused``
    when the file cannot be read at all; the first non-blank line is the header."""
    return RowSource(stream, file_name, columns)
