"""One hardened reader for every tabular upload (CSV and .xlsx).

Every import in the app (actuals, budgets, onboarding, absence …) reads its
file through this module, so the rules are the same everywhere:

- **Streamed.** Rows are yielded one at a time; memory stays flat whatever
  the file's size (an .xlsx's shared-string table is the one thing held,
  and it is bounded by the uncompressed-size limit).
- **Every bad line is named.** A line with the wrong number of fields, NUL
  bytes or other control characters (binary junk), bad quoting, bytes that
  are not valid in the file's encoding, or an over-long cell is *not*
  yielded; it is collected in ``table.bad_lines`` (line number + Danish
  reason) and reading goes on, so the caller can refuse the file naming all
  of them. Only a file that cannot be read at all raises ``TabularError``.
- **Line numbers as a user counts them**: CSV = physical line in the file
  (1 = the first line, title lines and blank lines included; a record that
  spans lines because of a quoted line break has the number of its first
  line); .xlsx = the row number Excel shows.
- **Limits before unpacking**: upload size, the .xlsx parts' uncompressed
  size (the zip's declared sizes are checked first, and the bytes really
  inflated are counted too, because a declared size is never trusted), cell
  length and row count. The sheet's ``<dimension>`` is ignored: rows are
  read until the sheet's XML ends. All XML goes through defusedxml (DOCTYPE
  and entities refused).

Usage::

    from botilbud.lib.tabular import ReadOptions, TabularError, open_table

    try:
        with open_table(stream, file_name, ReadOptions(separator=";")) as table:
            print(table.header)                 # list[str], the header row's cells
            for line, cells in table.rows():    # cells: list, as wide as the header
                ...
    except TabularError as exc:
        refuse(str(exc))                       # Danish, whole file unreadable
    if table.bad_lines:                        # after the loop: every bad line
        refuse([f"Linje {b.line}: {b.reason}" for b in table.bad_lines])

Cells: CSV cells are ``str`` (not stripped). .xlsx cells are ``str``,
``Decimal`` (numbers, exactly as stored, never float), ``bool``,
``datetime.datetime`` / ``datetime.date`` (date-formatted cells) or ``None``
(empty). ``cell_text`` turns any cell into text. Fully blank lines (and CSV
lines of separators only) are skipped silently.

Options (``ReadOptions``): ``separator`` (None = detect ; tab , | from the
header line), ``encoding`` (None = detect: BOM for UTF-8/UTF-16, else UTF-8
if the start of the file is valid UTF-8, else Windows-1252), ``title_lines``
(lines above the header to skip), ``find_header`` (a predicate on a line's
cells: the first line within the first 30 non-blank lines for which it is
true is the header; lines above it are title lines), ``header=False`` (no
header: every line is data and ``width`` gives the expected field count),
the limits, ``sheet`` (0-based .xlsx sheet index) and ``max_bad_lines`` (how
many bad lines are kept with their reason; all are counted).
``preview_rows(stream, name, options, n)`` reads the first n rows for a
live preview.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import itertools
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

MB = 1024 * 1024
DEFAULT_MAX_UPLOAD_BYTES = 50 * MB
DEFAULT_MAX_UNCOMPRESSED_BYTES = 500 * MB
DEFAULT_MAX_CELL_CHARS = 32_767  # Excel's own limit for a cell
DEFAULT_MAX_ROWS = 5_000_000
DEFAULT_MAX_BAD_LINES = 10_000
MAX_MULTILINE_RECORD = 200  # physical lines one quoted record may span
SEPARATORS = (";", "\t", ",", "|")
SEPARATOR_NAMES = {";": "semikolon", "\t": "tabulator", ",": "komma", "|": "lodret streg"}
ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "cp1252": "Windows-1252", "utf-16": "UTF-16"}
# C0 control characters other than tab, LF and CR; DEL; and the surrogates that
# ``surrogateescape`` decoding leaves for bytes invalid in the encoding.
_JUNK_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\udc80-\udcff]")


class TabularError(Exception):
    """The file cannot be read at all. The message is Danish and meant for the user."""


@dataclass(frozen=True)
class BadLine:
    line: int
    reason: str


@dataclass(frozen=True)
class ReadOptions:
    separator: str | None = None
    encoding: str | None = None
    title_lines: int = 0
    find_header: Callable[[list[Any]], bool] | None = None
    header: bool = True
    width: int | None = None
    sheet: int = 0
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    max_uncompressed_bytes: int = DEFAULT_MAX_UNCOMPRESSED_BYTES
    max_cell_chars: int = DEFAULT_MAX_CELL_CHARS
    max_rows: int = DEFAULT_MAX_ROWS
    max_bad_lines: int = DEFAULT_MAX_BAD_LINES


def _mb(n: int) -> str:
    return f"{n / MB:.0f} MB" if n >= MB else f"{n:,} byte".replace(",", ".")


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


@dataclass
class Table:
    """An open file: its header, its rows (iterate once) and its bad lines."""

    kind: str  # "csv" | "xlsx"
    options: ReadOptions
    header: list[Any] = field(default_factory=list)
    header_line: int = 0
    separator: str | None = None
    encoding: str | None = None
    row_count: int = 0  # good rows yielded
    bad_line_count: int = 0
    bad_lines: list[BadLine] = field(default_factory=list)
    _rows: Iterator[tuple[int, list[Any]]] | None = None
    _close: Callable[[], None] | None = None

    @property
    def width(self) -> int:
        return len(self.header) if self.options.header else (self.options.width or 0)

    def bad(self, line: int, reason: str) -> None:
        self.bad_line_count += 1
        if len(self.bad_lines) < self.options.max_bad_lines:
            self.bad_lines.append(BadLine(line, reason))

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """(line number, cells) for every good data row. Can be iterated once."""
        if self._rows is None:
            raise RuntimeError("rows() can be iterated once")
        rows, self._rows = self._rows, None
        return rows

    def close(self) -> None:
        if self._close:
            self._close()
            self._close = None

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def description(self) -> str:
        """What was detected, in Danish (for the preview)."""
        if self.kind == "xlsx":
            return "Excel-regneark (.xlsx)"
        sep = SEPARATOR_NAMES.get(self.separator or "", repr(self.separator))
        return f"CSV, {ENCODING_NAMES.get(self.encoding or '', self.encoding)}, adskilt med {sep}"


def open_table(stream: IO[bytes], file_name: str, options: ReadOptions | None = None) -> Table:
    """Open an uploaded file (binary, seekable) as a table. Raises ``TabularError``.

    The kind is decided by content: a zip is read as .xlsx; an old binary
    Excel file (.xls) is refused; anything else is read as CSV (a file named
    .xlsx that is not a zip is refused).
    """
    options = options or ReadOptions()
    size = _size(stream)
    if size > options.max_upload_bytes:
        raise TabularError(f"Filen er for stor ({_mb(size)}). Den må højst fylde {_mb(options.max_upload_bytes)}.")
    if size == 0:
        raise TabularError("Filen er tom.")
    magic = stream.read(8)
    stream.seek(0)
    lower = (file_name or "").lower()
    if magic.startswith(b"PK\x03\x04") or magic.startswith(b"PK\x05\x06"):
        return _open_xlsx(stream, options)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise TabularError(
            "Filen er i det gamle Excel-format (.xls). Gem den som Excel-projektmappe (.xlsx) eller som CSV."
        )
    if lower.endswith((".xlsx", ".xlsm")):
        raise TabularError("Filen hedder .xlsx, men er ikke et Excel-regneark (det er ikke en zip-fil).")
    return _open_csv(stream, options)


def preview_rows(
    stream: IO[bytes], file_name: str, options: ReadOptions | None = None, n: int = 10
) -> tuple[Table, list[tuple[int, list[Any]]]]:
    """The table and its first ``n`` good rows (for a live preview); the table is closed."""
    rows: list[tuple[int, list[Any]]] = []
    with open_table(stream, file_name, options) as table:
        for row in table.rows():
            rows.append(row)
            if len(rows) >= n:
                break
    return table, rows


def _size(stream: IO[bytes]) -> int:
    try:
        stream.seek(0, io.SEEK_END)
        size = stream.tell()
        stream.seek(0)
    except (OSError, AttributeError) as exc:  # pragma: no cover - uploads are seekable
        raise TabularError("Filen kunne ikke læses.") from exc
    return size


def cell_text(value: Any) -> str:
    """A cell as text: numbers without exponent (``1234.5``), dates ``dd-mm-åååå``, None → ''."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "SAND" if value else "FALSK"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        return f"{value:%d-%m-%Y}" if value.time() == dt.time(0) else f"{value:%d-%m-%Y %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%d-%m-%Y}"
    if isinstance(value, float):  # pragma: no cover - the reader never yields floats
        return format(Decimal(repr(value)), "f")
    return str(value)


def is_blank(cells: list[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


# --- CSV ------------------------------------------------------------------------


def _detect_encoding(stream: IO[bytes], options: ReadOptions) -> tuple[str, int]:
    """(Python codec, bytes of BOM to skip)."""
    head = stream.read(1 << 16)
    stream.seek(0)
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8", 3
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", 0  # the codec reads the BOM
    if options.encoding:
        codec = options.encoding.lower().replace("_", "-")
        codec = {"windows-1252": "cp1252", "win1252": "cp1252", "latin-1": "cp1252", "utf8": "utf-8"}.get(codec, codec)
        if codec not in ("utf-8", "cp1252", "utf-16", "utf-16-le", "utf-16-be", "iso-8859-1"):
            raise TabularError(
                f"Tegnkodningen »{options.encoding}« kendes ikke (brug UTF-8, Windows-1252 eller UTF-16)."
            )
        if codec == "utf-16":  # no BOM (tested above): Windows' own order, little-endian
            codec = "utf-16-le"
        return codec, 0
    # UTF-16 without BOM: every other byte NUL.
    if len(head) >= 4 and head[1::2].count(0) > len(head) // 4 and head[0::2].count(0) == 0:
        return "utf-16-le", 0
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not just a character cut at the sample's end
            return "cp1252", 0
    return "utf-8", 0


def _detect_separator(line: str) -> str:
    counts = {s: line.count(s) for s in SEPARATORS}
    best = max(SEPARATORS, key=lambda s: counts[s])
    return best if counts[best] else ";"


def _open_csv(stream: IO[bytes], options: ReadOptions) -> Table:
    codec, skip = _detect_encoding(stream, options)
    stream.seek(skip)
    text = io.TextIOWrapper(stream, encoding=codec, errors="surrogateescape", newline="")
    table = Table(kind="csv", options=options, encoding=codec)
    lines = _numbered_lines(text, table)
    # Title lines, then the header.
    separator = options.separator
    if options.header:
        header_found = False
        candidates = 0
        for number, line in lines:
            if number <= options.title_lines:
                continue
            body = line.rstrip("\r\n")
            if not body.strip(" \t;,|"):
                continue
            sep = separator or _detect_separator(body)
            cells, error = _split_record(body, sep)
            if error:
                cells = body.split(sep)
            candidates += 1
            if options.find_header is None or options.find_header(cells):
                if _JUNK_RE.search(body):
                    raise TabularError(
                        f"Overskriften i linje {number} indeholder tegn, der ikke hører hjemme i en tekstfil."
                    )
                table.header = [c.strip().lstrip("\ufeff") for c in cells]
                table.header_line = number
                separator = sep
                header_found = True
                break
            if candidates >= 30:
                break
        if not header_found:
            text.detach()
            raise TabularError(
                "Filen er tom." if candidates == 0 else "Kolonneoverskrifterne blev ikke fundet i filens første linjer."
            )
    else:
        separator = separator or ";"
    table.separator = separator

    def close() -> None:
        with contextlib.suppress(ValueError):  # already detached
            text.detach()

    table._close = close
    table._rows = _csv_rows(text, table.header_line, table, separator or ";")  # set on both paths above
    return table


def _numbered_lines(text: io.TextIOWrapper, table: Table) -> Iterator[tuple[int, str]]:
    number = 0
    try:
        for line in text:
            number += 1
            yield number, line
    except UnicodeError as exc:  # only strict codecs (UTF-16 with an odd byte count)
        table.bad(number + 1, "Linjen kan ikke læses i filens tegnkodning.")
        raise TabularError(f"Filen kan ikke læses videre fra linje {number + 1} (ugyldig tegnkodning).") from exc


def _split_record(body: str, sep: str) -> tuple[list[str], str | None]:
    if '"' not in body:
        return body.split(sep), None
    try:
        rows = list(csv.reader([body], delimiter=sep, quotechar='"', strict=True))
    except csv.Error:
        return [], 'Forkert brug af anførselstegn (").'
    if len(rows) != 1:  # pragma: no cover - one record in, one out
        return [], 'Forkert brug af anførselstegn (").'
    return rows[0], None


def _csv_rows(text: io.TextIOWrapper, start: int, table: Table, sep: str) -> Iterator[tuple[int, list[str]]]:
    """The data lines after line ``start``. The common line (no quote) takes a fast path."""
    options = table.options
    width = table.width
    max_cell = options.max_cell_chars
    max_rows = options.max_rows
    max_line = max_cell * max(width, 1) + 10 * max(width, 1)
    blank = sep + " \t\r\n"
    junk = _JUNK_RE.search
    source: Iterator[tuple[int, str]] = enumerate(text, start + 1)
    count = 0
    try:
        while True:
            try:
                item = next(source, None)
            except UnicodeDecodeError as exc:  # pragma: no cover - surrogateescape decodes every byte
                raise TabularError("Filen kan ikke læses i sin tegnkodning.") from exc
            if item is None:
                break
            number, line = item
            if not line.strip(blank):
                continue  # blank, or separators only
            body = line.rstrip("\r\n")
            if '"' in body:
                if body.count('"') % 2:
                    # A quoted field with a line break: join the following lines until the quotes balance.
                    parts = [line]
                    taken: list[tuple[int, str]] = []
                    quotes = body.count('"')
                    closed = False
                    while len(taken) < MAX_MULTILINE_RECORD:
                        nxt = next(source, None)
                        if nxt is None:
                            break
                        taken.append(nxt)
                        parts.append(nxt[1])
                        quotes += nxt[1].count('"')
                        if quotes % 2 == 0:
                            closed = True
                            break
                    if not closed:
                        table.bad(number, 'Et anførselstegn (") åbnes, men lukkes ikke.')
                        source = itertools.chain(taken, source)  # read the following lines on their own
                        continue
                    body = "".join(parts).rstrip("\r\n")
                cells, error = _split_record(body, sep)
                if error:
                    table.bad(number, error)
                    continue
            else:
                cells = body.split(sep)
            if junk(body):
                table.bad(number, _junk_reason(body, table))
                continue
            if len(cells) != width:
                if not options.header and not width:
                    width = len(cells)
                elif len(cells) > width and not "".join(cells[width:]).strip():
                    cells = cells[:width]  # trailing empty fields (a separator at the end of the line)
                else:
                    table.bad(number, f"Linjen har {len(cells)} felter, men overskriften har {width}.")
                    continue
            if len(body) > max_cell:
                if len(body) > max_line:
                    table.bad(number, f"Linjen er for lang ({_thousands(len(body))} tegn).")
                    continue
                if max(map(len, cells)) > max_cell:
                    table.bad(number, f"Et felt er for langt (over {_thousands(max_cell)} tegn).")
                    continue
            count += 1
            if count > max_rows:
                raise TabularError(f"Filen har for mange rækker (højst {_thousands(max_rows)}).")
            yield number, cells
    finally:
        table.row_count = count


def _junk_reason(body: str, table: Table) -> str:
    if "\x00" in body:
        return "Linjen indeholder NUL-tegn (binære data, ikke tekst)."
    if re.search("[\udc80-\udcff]", body):
        name = ENCODING_NAMES.get(table.encoding or "", table.encoding)
        return f"Linjen indeholder tegn, der ikke kan læses som {name}."
    return "Linjen indeholder styretegn, der ikke hører hjemme i en tekstfil."


# --- XLSX -----------------------------------------------------------------------

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_BUILTIN_DATE_FORMATS = set(range(14, 23)) | {45, 46, 47} | set(range(27, 37)) | set(range(50, 59))
_MAX_ZIP_MEMBERS = 10_000
_CELL_REF_RE = re.compile(r"([A-Z]{1,3})([0-9]*)$")


class _Counted(io.RawIOBase):
    """A zip member's stream that counts the bytes really inflated."""

    def __init__(self, raw: IO[bytes], budget: list[int], limit: int) -> None:
        self.raw, self.budget, self.limit = raw, budget, limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # noqa: ANN001
        data = self.raw.read(len(buffer))
        self.budget[0] += len(data)
        if self.budget[0] > self.limit:
            raise TabularError(
                f"Regnearket fylder for meget udpakket (over {_mb(self.limit)}). Del det op i flere filer."
            )
        buffer[: len(data)] = data
        return len(data)


def _bad_xlsx(detail: str = "") -> TabularError:
    return TabularError("Filen kunne ikke læses som et Excel-regneark (.xlsx)" + (f": {detail}" if detail else "."))


def _open_xlsx(stream: IO[bytes], options: ReadOptions) -> Table:
    try:
        archive = zipfile.ZipFile(stream)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _bad_xlsx("filen er ikke en gyldig zip-fil") from exc
    try:
        if len(infos) > _MAX_ZIP_MEMBERS:
            raise _bad_xlsx("for mange dele")
        declared = sum(i.file_size for i in infos)
        if declared > options.max_uncompressed_bytes:
            raise TabularError(
                f"Regnearket fylder for meget udpakket ({_mb(declared)}; højst {_mb(options.max_uncompressed_bytes)})."
            )
        budget = [0]
        names = {i.filename for i in infos}

        def member(name: str) -> IO[bytes]:
            try:
                raw = archive.open(name)
            except (KeyError, zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError) as exc:
                raise _bad_xlsx(f"delen {name} mangler eller er beskadiget") from exc
            return io.BufferedReader(_Counted(raw, budget, options.max_uncompressed_bytes), 1 << 16)

        sheet_path = _sheet_path(member, names, options.sheet)
        date_styles, date1904 = _styles(member, names)
        shared = _shared_strings(member, names, options) if "xl/sharedStrings.xml" in names else []
    except TabularError:
        archive.close()
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ParseError, DefusedXmlException, ValueError, KeyError) as exc:
        archive.close()
        raise _bad_xlsx(_xml_detail(exc)) from exc
    table = Table(kind="xlsx", options=options)
    rows = _xlsx_rows(member(sheet_path), table, shared, date_styles, date1904)
    table._close = archive.close
    try:
        if options.header:
            for number, cells in rows:
                if number <= options.title_lines or is_blank(cells):
                    continue
                texts = [cell_text(c).strip() for c in cells]
                if options.find_header is None or options.find_header(texts):
                    while texts and not texts[-1]:
                        texts.pop()
                    table.header = texts
                    table.header_line = number
                    break
            else:
                raise TabularError("Regnearket er tomt.")
    except TabularError:
        archive.close()
        raise
    table._rows = _xlsx_data_rows(rows, table)
    return table


def _xml_detail(exc: BaseException) -> str:
    if isinstance(exc, DefusedXmlException):
        return "XML med DOCTYPE eller entiteter afvises af sikkerhedshensyn"
    return "XML-indholdet er beskadiget"


def _iter_xml(source: IO[bytes]) -> Iterator[tuple[str, Any]]:
    return iterparse(source, events=("start", "end"), forbid_dtd=True, forbid_entities=True, forbid_external=True)


def _sheet_path(member: Callable[[str], IO[bytes]], names: set[str], index: int) -> str:
    if "xl/workbook.xml" not in names:
        raise _bad_xlsx("projektmappen (xl/workbook.xml) mangler")
    sheets: list[str] = []
    for event, elem in _iter_xml(member("xl/workbook.xml")):
        if event == "end" and elem.tag == f"{_NS_MAIN}sheet":
            sheets.append(elem.get(f"{_NS_REL}id") or "")
    if not sheets:
        raise _bad_xlsx("projektmappen har ingen ark")
    if index >= len(sheets):
        raise TabularError(f"Regnearket har kun {len(sheets)} ark.")
    targets: dict[str, str] = {}
    if "xl/_rels/workbook.xml.rels" in names:
        for event, elem in _iter_xml(member("xl/_rels/workbook.xml.rels")):
            if event == "end" and elem.tag == f"{_NS_PKG_REL}Relationship":
                targets[elem.get("Id") or ""] = elem.get("Target") or ""
    target = targets.get(sheets[index], f"worksheets/sheet{index + 1}.xml")
    path = target.lstrip("/") if target.startswith("/") else "xl/" + target
    if path not in names:
        raise _bad_xlsx(f"arket {path} mangler")
    return path


def _styles(member: Callable[[str], IO[bytes]], names: set[str]) -> tuple[set[int], bool]:
    """(indices of cell formats that show dates, whether the workbook counts from 1904)."""
    date1904 = False
    if "xl/workbook.xml" in names:
        for event, elem in _iter_xml(member("xl/workbook.xml")):
            if event == "end" and elem.tag == f"{_NS_MAIN}workbookPr":
                date1904 = (elem.get("date1904") or "").lower() in ("1", "true")
    if "xl/styles.xml" not in names:
        return set(), date1904
    custom_dates: set[int] = set()
    dates: set[int] = set()
    in_xfs = False
    xf_index = 0
    for event, elem in _iter_xml(member("xl/styles.xml")):
        tag = elem.tag
        if tag == f"{_NS_MAIN}numFmt" and event == "end":
            code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", elem.get("formatCode") or "").lower()
            if re.search(r"[dmyhs]", code) and not re.fullmatch(r"[#0.,\s%-]*(general)?", code):
                with contextlib.suppress(ValueError):
                    custom_dates.add(int(elem.get("numFmtId") or "-1"))
        elif tag == f"{_NS_MAIN}cellXfs":
            in_xfs = event == "start"
        elif tag == f"{_NS_MAIN}xf" and event == "end" and in_xfs:
            try:
                fmt = int(elem.get("numFmtId") or "0")
            except ValueError:
                fmt = 0
            if fmt in _BUILTIN_DATE_FORMATS or fmt in custom_dates:
                dates.add(xf_index)
            xf_index += 1
    return dates, date1904


def _shared_strings(member: Callable[[str], IO[bytes]], names: set[str], options: ReadOptions) -> list[str]:
    strings: list[str] = []
    parts: list[str] = []
    in_rph = 0
    for event, elem in _iter_xml(member("xl/sharedStrings.xml")):
        tag = elem.tag
        if tag == f"{_NS_MAIN}rPh":  # phonetic runs are not part of the text
            in_rph += 1 if event == "start" else -1
        elif event == "end":
            if tag == f"{_NS_MAIN}t" and not in_rph:
                parts.append(elem.text or "")
            elif tag == f"{_NS_MAIN}si":
                text = "".join(parts)
                parts.clear()
                strings.append(text[: options.max_cell_chars + 1])
                elem.clear()
    return strings


def _column_index(ref: str) -> int | None:
    match = _CELL_REF_RE.match(ref)
    if not match:
        return None
    n = 0
    for ch in match.group(1):
        n = n * 26 + ord(ch) - 64
    return n - 1


def _excel_date(serial: Decimal, date1904: bool) -> dt.date | dt.datetime:
    base = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
    if not date1904 and serial < 61:
        base += dt.timedelta(days=1)  # Excel's phantom 29-02-1900
    moment = base + dt.timedelta(days=float(serial))
    moment = moment.replace(microsecond=0)
    return moment.date() if moment.time() == dt.time(0) else moment


def _xlsx_rows(
    source: IO[bytes], table: Table, shared: list[str], date_styles: set[int], date1904: bool
) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cells) for every row element of the sheet, blank ones included."""
    main = _NS_MAIN
    row_tag, c_tag, v_tag, is_tag, t_tag = f"{main}row", f"{main}c", f"{main}v", f"{main}is", f"{main}t"
    sheet_data_tag = f"{main}sheetData"
    max_cell = table.options.max_cell_chars
    row_number = 0
    sheet_data = None
    try:
        for event, elem in _iter_xml(source):
            if event == "start":
                if elem.tag == sheet_data_tag:
                    sheet_data = elem
                continue
            if elem.tag != row_tag:
                continue
            r = elem.get("r")
            row_number = int(r) if r and r.isascii() and r.isdigit() else row_number + 1
            cells: list[Any] = []
            problem = None
            for c in elem:
                if c.tag != c_tag:
                    continue
                ref = c.get("r")
                col = _column_index(ref) if ref else len(cells)
                if col is None or col > 16_383:
                    problem = f"Cellen »{ref}« har en ugyldig reference."
                    continue
                kind = c.get("t") or "n"
                value: Any = None
                if kind == "inlineStr":
                    node = c.find(is_tag)
                    value = "".join(t.text or "" for t in node.iter(t_tag)) if node is not None else ""
                else:
                    v = c.find(v_tag)
                    raw = v.text if v is not None else None
                    if raw is None:
                        value = None
                    elif kind == "s":
                        try:
                            value = shared[int(raw)]
                        except (ValueError, IndexError):
                            problem = f"Cellen {ref or ''} henviser til en tekst, der ikke findes."
                    elif kind in ("str", "d"):
                        value = raw
                    elif kind == "b":
                        value = raw.strip() in ("1", "true")
                    elif kind == "e":
                        problem = f"Cellen {ref or ''} indeholder en fejlværdi ({raw})."
                    else:
                        try:
                            number = Decimal(raw.strip())
                            if not number.is_finite():
                                raise InvalidOperation
                        except InvalidOperation:
                            problem = f"Cellen {ref or ''} har et ugyldigt tal."
                            number = None
                        if number is not None:
                            style = c.get("s")
                            if style and style.isdigit() and int(style) in date_styles and 0 <= number < 2_958_466:
                                value = _excel_date(number, date1904)
                            else:
                                value = number
                if isinstance(value, str):
                    if len(value) > max_cell:
                        problem = f"Cellen {ref or ''} er for lang (over {_thousands(max_cell)} tegn)."
                    elif _JUNK_RE.search(value):
                        problem = f"Cellen {ref or ''} indeholder styretegn eller ugyldige tegn."
                if col >= len(cells):
                    cells.extend([None] * (col - len(cells) + 1))
                cells[col] = value
            elem.clear()
            if sheet_data is not None:
                del sheet_data[:]
            if problem:
                table.bad(row_number, problem)
                continue
            yield row_number, cells
    except (ParseError, DefusedXmlException, zipfile.BadZipFile, EOFError, OSError) as exc:
        raise _bad_xlsx(_xml_detail(exc)) from exc


def _xlsx_data_rows(rows: Iterator[tuple[int, list[Any]]], table: Table) -> Iterator[tuple[int, list[Any]]]:
    width = table.width
    options = table.options
    for number, cells in rows:
        if is_blank(cells):
            continue
        if width and len(cells) > width:
            extra = [i for i in range(width, len(cells)) if cells[i] is not None and cell_text(cells[i]).strip()]
            if extra:
                table.bad(
                    number,
                    f"Rækken har en værdi i kolonne {_column_letter(extra[0])}, uden for overskriftens "
                    f"{width} kolonner.",
                )
                continue
            cells = cells[:width]
        elif len(cells) < width:
            cells = cells + [None] * (width - len(cells))
        table.row_count += 1
        if table.row_count > options.max_rows:
            raise TabularError(f"Regnearket har for mange rækker (højst {_thousands(options.max_rows)}).")
        yield number, cells


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
