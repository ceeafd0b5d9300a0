"""The shared tabular reader (botilbud.lib.tabular): CSV and .xlsx, every bad line named, limits."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook

from botilbud.lib.tabular import ReadOptions, TabularError, cell_text, open_table, preview_rows


def read(data: bytes, name: str = "f.csv", **options):
    with open_table(io.BytesIO(data), name, ReadOptions(**options)) as table:
        rows = list(table.rows())
    return table, rows


def xlsx(rows: list[list], *, sheet_xml_edit=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    if sheet_xml_edit is None:
        return buf.getvalue()
    # Rewrite one part of the package (to forge what a bad file declares).
    source = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml_edit(data)
            target.writestr(info.filename, data)
    return out.getvalue()


# --- CSV ---------------------------------------------------------------------


def test_csv_line_numbers_count_title_and_blank_lines():
    data = b"Forbrugsrapport maj\n\nA;B;C\n1;2;3\n\n4;5;6\n"
    table, rows = read(data, find_header=lambda cells: "A" in cells)
    assert table.header == ["A", "B", "C"]
    assert table.header_line == 3
    assert rows == [(4, ["1", "2", "3"]), (6, ["4", "5", "6"])]
    assert table.row_count == 2 and table.bad_lines == []


def test_csv_title_lines_option():
    table, rows = read(b"Titel;x\nA;B\n1;2\n", title_lines=1)
    assert table.header == ["A", "B"] and rows == [(3, ["1", "2"])]


def test_csv_collects_every_bad_line_and_goes_on():
    data = (
        b"A;B;C\n"  # 1
        b"1;2;3\n"  # 2
        b"1;2\n"  # 3 too few
        b"1;2;3;4\n"  # 4 too many
        b"1;\x00;3\n"  # 5 NUL
        b'"x"y;2;3\n'  # 6 bad quoting
        b"1;\x07bell;3\n"  # 7 control character
        b'"a\nb";2;3\n'  # 8-9 a quoted line break is fine
        b"7;8;9\n"  # 10
        b'"open;2;3\n'  # 11 quote never closed
        b"9;9;9\n"  # 12
    )
    table, rows = read(data)
    assert [line for line, _ in rows] == [2, 8, 10, 12]
    assert rows[1][1] == ["a\nb", "2", "3"]
    bad = {b.line: b.reason for b in table.bad_lines}
    assert sorted(bad) == [3, 4, 5, 6, 7, 11]
    assert "2 felter" in bad[3] and "overskriften har 3" in bad[3]
    assert "4 felter" in bad[4]
    assert "NUL" in bad[5]
    assert "anførselstegn" in bad[6].lower()
    assert "styretegn" in bad[7]
    assert "lukkes ikke" in bad[11]
    assert table.bad_line_count == 6


def test_csv_trailing_separator_and_separator_only_lines_are_fine():
    table, rows = read(b"A;B\n1;2;\n;;\n3;4\n")
    assert rows == [(2, ["1", "2"]), (4, ["3", "4"])] and not table.bad_lines


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8"), ("cp1252", "cp1252"), ("utf-16", "utf-16")],
)
def test_csv_encodings_are_detected(encoding, expected):
    data = "Omkostningssted;Tekst\n52000;Løn, særlig ydelse æøå\n".encode(encoding)
    table, rows = read(data)
    assert table.encoding == expected
    assert table.header == ["Omkostningssted", "Tekst"]
    assert rows == [(2, ["52000", "Løn, særlig ydelse æøå"])]


def test_csv_explicit_encoding_and_invalid_bytes_named():
    data = "A;B\n1;æ\n".encode() + b"2;\x81\x8d\n"
    table, rows = read(data, encoding="utf-8")
    assert rows == [(2, ["1", "æ"])]
    assert [b.line for b in table.bad_lines] == [3]
    assert "UTF-8" in table.bad_lines[0].reason


@pytest.mark.parametrize(("sep", "name"), [(";", "semikolon"), ("\t", "tabulator"), (",", "komma"), ("|", "lodret")])
def test_csv_separator_detected(sep, name):
    table, rows = read(sep.join(["A", "B", "C"]).encode() + b"\n" + sep.join("123").encode() + b"\n")
    assert table.separator == sep and rows == [(2, ["1", "2", "3"])]
    assert name in table.description


def test_csv_configured_separator_wins():
    table, rows = read(b"A,B;C\n1,2;3\n", separator=";")
    assert table.header == ["A,B", "C"] and rows == [(2, ["1,2", "3"])]


def test_csv_limits():
    with pytest.raises(TabularError, match="for stor"):
        read(b"A;B\n" + b"1;2\n" * 100, max_upload_bytes=100)
    table, rows = read(b"A;B\n1;" + b"x" * 50 + b"\n2;3\n", max_cell_chars=20)
    assert rows == [(3, ["2", "3"])] and "for langt" in table.bad_lines[0].reason
    with pytest.raises(TabularError, match="for mange rækker"):
        read(b"A;B\n" + b"1;2\n" * 11, max_rows=10)


def test_csv_binary_junk_is_named_line_by_line():
    junk = bytes(range(256)) * 3
    table, rows = read(b"A;B\n1;2\n" + junk + b"\n3;4\n")
    assert [r[0] for r in rows] == [2, rows[-1][0]] and rows[-1][1] == ["3", "4"]
    assert table.bad_lines and all(b.line > 2 for b in table.bad_lines)


def test_refusals_in_danish():
    with pytest.raises(TabularError, match="tom"):
        read(b"")
    with pytest.raises(TabularError, match="tom"):
        read(b"\n\n ;;\n")
    with pytest.raises(TabularError, match="gamle Excel-format"):
        read(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "f.xls")
    with pytest.raises(TabularError, match="ikke en zip"):
        read(b"A;B\n1;2\n", "f.xlsx")
    with pytest.raises(TabularError, match="ikke fundet"):
        read(b"x\ny\n", find_header=lambda cells: "A" in cells)


def test_preview_rows_reads_only_the_first():
    data = b"A;B\n" + b"1;2\n" * 1000
    table, rows = preview_rows(io.BytesIO(data), "f.csv", n=5)
    assert len(rows) == 5 and table.header == ["A", "B"]


# --- XLSX --------------------------------------------------------------------


def test_xlsx_typed_cells_and_row_numbers():
    data = xlsx(
        [
            ["Rapport"],
            [],
            ["A", "B", "C", "D"],
            [52000, 1234.56, dt.date(2026, 5, 3), "tekst"],
            [None, None, None, None],
            ["x", -7, dt.datetime(2026, 5, 3, 12, 30), True],
        ]
    )
    table, rows = read(data, "f.xlsx", title_lines=1)
    assert table.header == ["A", "B", "C", "D"] and table.header_line == 3
    assert rows[0] == (4, [Decimal("52000"), Decimal("1234.56"), dt.date(2026, 5, 3), "tekst"])
    assert rows[1] == (6, ["x", Decimal("-7"), dt.datetime(2026, 5, 3, 12, 30), True])
    assert cell_text(rows[0][1][1]) == "1234.56" and cell_text(rows[0][1][2]) == "03-05-2026"


def test_xlsx_ignores_an_understated_dimension():
    rows = [["A", "B"]] + [[i, f"r{i}"] for i in range(2, 43)]
    data = xlsx(rows, sheet_xml_edit=lambda x: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:B9"', x))
    assert b"A1:B9" in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    table, read_rows = read(data, "f.xlsx")
    assert len(read_rows) == 41 and read_rows[-1][0] == 42


def test_xlsx_refuses_doctype_and_entities():
    def add_doctype(x: bytes) -> bytes:
        return b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>' + x

    data = xlsx([["A"], [1]], sheet_xml_edit=add_doctype)
    with pytest.raises(TabularError, match="DOCTYPE"):
        read(data, "f.xlsx")


def test_xlsx_uncompressed_limit_checked_before_unpacking():
    data = xlsx([["A"]] + [["x" * 100] for _ in range(200)])
    with pytest.raises(TabularError, match="udpakket"):
        read(data, "f.xlsx", max_uncompressed_bytes=5000)


def test_xlsx_lying_declared_size_is_caught_while_inflating():
    data = xlsx([["A"]] + [[f"row {i}"] for i in range(2000)])
    # Forge the central directory: claim every part is 1 byte.
    forged = bytearray(data)
    start = forged.find(b"PK\x01\x02")
    while start != -1:
        forged[start + 24 : start + 28] = (1).to_bytes(4, "little")
        start = forged.find(b"PK\x01\x02", start + 4)
    with pytest.raises(TabularError):
        read(bytes(forged), "f.xlsx", max_uncompressed_bytes=20_000)


def test_xlsx_bad_cells_named_by_row():
    data = xlsx([["A", "B"], [1, 2], [3, 4, "stray"], ["x" * 40, 1], [5, 6]])
    table, rows = read(data, "f.xlsx", max_cell_chars=30)
    assert [r[0] for r in rows] == [2, 5]
    assert {b.line for b in table.bad_lines} == {3, 4}
    assert "kolonne C" in table.bad_lines[0].reason


def test_xlsx_row_limit():
    with pytest.raises(TabularError, match="for mange rækker"):
        read(xlsx([["A"]] + [[i] for i in range(20)]), "f.xlsx", max_rows=10)


def test_xlsx_garbage_zip_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "no workbook here")
    with pytest.raises(TabularError, match="Excel-regneark"):
        read(out.getvalue(), "f.xlsx")
    with pytest.raises(TabularError, match="zip"):
        read(b"PK\x03\x04" + b"\xff" * 200, "f.xlsx")


def test_xlsx_broken_xml_refused():
    data = xlsx([["A"], [1]], sheet_xml_edit=lambda x: x[: len(x) // 2])
    with pytest.raises(TabularError, match="beskadiget"):
        read(data, "f.xlsx")


def test_utf16_profile_reads_a_file_without_bom():
    """A profile that says UTF-16, a file without its BOM: read as little-endian (Windows' order), not a 500."""
    data = "Omkostningssted\tBeløb\r\n52000\t1.00\r\n".encode("utf-16-le")
    table = open_table(io.BytesIO(data), "x.txt", ReadOptions(encoding="utf-16", separator="\t"))
    with table:
        assert table.header == ["Omkostningssted", "Beløb"]
        assert [cells for _, cells in table.rows()] == [["52000", "1.00"]]
    # Bytes that are no UTF-16 at all (an odd count): a Danish refusal naming the line, never a UnicodeError.
    with pytest.raises(TabularError):
        table = open_table(io.BytesIO(b"\x00\x00\x41"), "x.txt", ReadOptions(encoding="utf-16"))
        with table:
            list(table.rows())
