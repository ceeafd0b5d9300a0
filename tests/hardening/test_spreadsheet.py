"""The one Excel writer: formulas neutralised, Copenhagen time, cut texts say so."""

import datetime as dt
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook, load_workbook

from botilbud.lib.spreadsheet import EXCEL_CELL_LIMIT, clean_cell, streaming_sheet, xlsx_response
from budget.followup import services
from tests.followup.conftest import make_march


def _read(response):
    return load_workbook(BytesIO(b"".join(response.streaming_content)))


def test_every_text_cell_is_neutralised_even_if_the_builder_forgot():
    wb = Workbook()
    ws = wb.active
    ws.append(['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "Almindelig tekst", 12])
    ws.oddHeader.center.text = "=1+1"
    book = _read(xlsx_response(wb, "t.xlsx"))
    values = [c.value for c in book.active[1]]
    assert values == ['\'=HYPERLINK("http://x")', "'+1", "'-2+3", "'@SUM(A1)", "Almindelig tekst", 12]
    assert all(c.data_type != "f" for c in book.active[1])


def test_times_are_written_in_copenhagen_time():
    signed = dt.datetime(2026, 4, 10, 7, 30, tzinfo=dt.UTC)  # 09:30 in Copenhagen (summer time)
    winter = dt.datetime(2026, 1, 10, 7, 30, tzinfo=ZoneInfo("UTC"))  # 08:30
    wb = Workbook()
    wb.active.append([signed, winter])
    book = _read(xlsx_response(wb, "t.xlsx"))
    a, b = book.active[1]
    assert a.value == dt.datetime(2026, 4, 10, 9, 30)
    assert b.value == dt.datetime(2026, 1, 10, 8, 30)
    assert a.number_format == "dd-mm-yyyy hh:mm"


def test_a_text_longer_than_excel_allows_is_cut_and_says_so():
    text = "a" * 40_000
    cleaned = clean_cell(text)
    assert len(cleaned) == EXCEL_CELL_LIMIT
    assert cleaned.endswith("[afkortet: 40.000 tegn i alt]")
    wb = Workbook()
    wb.active.append([text])
    book = _read(xlsx_response(wb, "t.xlsx"))
    # A builder that forgot safe_text: openpyxl cuts silently; the writer says so.
    assert len(book.active["A1"].value) == EXCEL_CELL_LIMIT
    assert book.active["A1"].value.endswith("[afkortet ved Excels grænse på 32.767 tegn]")


def test_write_only_sheets_are_cleaned_row_by_row_and_must_use_the_helper():
    wb = Workbook(write_only=True)
    ws = streaming_sheet(wb, "Ark")
    ws.append(["=cmd|' /C calc'!A0", dt.datetime(2026, 4, 10, 7, 30, tzinfo=dt.UTC)])
    book = _read(xlsx_response(wb, "t.xlsx"))
    row = [c.value for c in book["Ark"][1]]
    assert row == ["'=cmd|' /C calc'!A0", dt.datetime(2026, 4, 10, 9, 30)]

    raw = Workbook(write_only=True)
    raw.create_sheet("Rå").append(["=1+1"])
    with pytest.raises(ValueError, match="streaming_sheet"):
        xlsx_response(raw, "t.xlsx")


def test_department_export_neutralises_an_area_name_and_signoff_times_are_local(org, client_for):
    org.area_north.name = '=HYPERLINK("http://angriber")'
    org.area_north.save()
    march = make_march(org)
    fu = services.followups_for_round(round_=march, homes=[org.home_a])[0]
    services.followup_prepare(followup=fu, user=org.consultant, note="", seen_version=fu.version)
    response = client_for(org.department_head).get(f"/opfoelgning/{march.pk}/forvaltning/excel/")
    assert response.status_code == 200
    book = _read(response)
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.value for c in cells if c.data_type == "f"]
    assert '\'=HYPERLINK("http://angriber")' in [c.value for c in cells]

    home = client_for(org.consultant).get(f"/opfoelgning/{march.pk}/botilbud/{org.home_a.pk}/excel/")
    book = _read(home)
    fu.refresh_from_db()
    local = fu.prepared_at.astimezone(ZoneInfo("Europe/Copenhagen")).replace(tzinfo=None, microsecond=0)
    times = [
        c.value.replace(microsecond=0)
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, dt.datetime)
    ]
    assert local in times
