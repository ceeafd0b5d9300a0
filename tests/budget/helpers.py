"""Builders for import files (Danish format) used by the budget tests."""

from __future__ import annotations

import io

from openpyxl import Workbook

HEADER = ["Omkostningssted", "Funktion", "Art", "Bogføringsdato", "Beløb", "Tekst"]


def xlsx_bytes(rows: list[list], header: list[str] = HEADER) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(rows: list[list], header: list[str] = HEADER, encoding: str = "utf-8") -> bytes:
    lines = [";".join(header)] + [";".join(str(c) for c in row) for row in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def bad_rows_17_and_40(cost_centre: str = "52000") -> list[list]:
    """45 data rows (rows 2–46 of the sheet); row 17 has a bad amount, row 40 an unknown cost centre."""
    rows = []
    for sheet_row in range(2, 47):
        cc, amount = cost_centre, "1.000,00"
        if sheet_row == 17:
            amount = "12,34,5"
        if sheet_row == 40:
            cc = "99999"
        rows.append([cc, "5.38.50", "1.10", "15-05-2026", amount, f"Række {sheet_row}"])
    return rows
