"""The actuals import: refusal names every bad row and writes nothing; re-import replaces."""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum

from botilbud.demo import DemoContext
from budget.demo import seed_budget
from budget.importer import ImportFileError
from budget.models import Actual, ActualsImport, ActualTotal, BudgetLine
from budget.selectors import forecast_for_homes
from budget.services import confirm_import, import_actuals
from tests.budget.helpers import bad_rows_17_and_40, csv_bytes, xlsx_bytes

MAY_ROWS = [
    ["52000", "5.38.50", "1.10", "05-05-2026", "100.000,00", "Løn"],
    ["52000", "5.38.50", "2.29", "10-05-2026", "5.000,50", "Varer"],
    ["52000", "5.38.50", "7.71", "12-05-2026", "-20.000,00", "Salg"],
    ["52010", "5.38.50", "1.10", "12-05-2026", "50.000,00", "Løn"],
]


def _apply(data: bytes, name: str, user=None):
    return import_actuals(stream=io.BytesIO(data), file_name=name, user=user, mode="apply")


@pytest.mark.parametrize("builder,name", [(xlsx_bytes, "forbrug.xlsx"), (csv_bytes, "forbrug.csv")])
def test_bad_file_is_refused_naming_rows_17_and_40(org, builder, name):
    outcome = _apply(builder(bad_rows_17_and_40()), name)
    assert not outcome.stage.ok
    by_row = {e.row: e.reasons for e in outcome.stage.errors}
    assert set(by_row) == {17, 40}
    assert "Beløbet »12,34,5« er ikke et gyldigt tal" in by_row[17][0]
    assert by_row[40] == ["Ukendt omkostningssted »99999«"]
    assert not Actual.objects.exists()
    assert not ActualTotal.objects.exists()
    assert not ActualsImport.objects.exists()


def test_import_groups_by_account_and_reimport_replaces(org):
    first = _apply(xlsx_bytes(MAY_ROWS), "maj.xlsx")
    assert first.stage.ok and first.inserted == 4 and first.replaced == 0
    totals = {(t.home_id, t.group): t.amount for t in ActualTotal.objects.all()}
    assert totals == {
        (org.home_a.pk, "loen"): Decimal("100000.00"),
        (org.home_a.pk, "drift"): Decimal("5000.50"),
        (org.home_a.pk, "indtaegt"): Decimal("-20000.00"),
        (org.home_b.pk, "loen"): Decimal("50000.00"),
    }
    second = _apply(xlsx_bytes(MAY_ROWS), "maj.xlsx")
    assert second.inserted == 4 and second.replaced == 4
    assert Actual.objects.count() == 4
    assert Actual.objects.aggregate(s=Sum("amount"))["s"] == Decimal("135000.50")
    assert {(t.home_id, t.group): t.amount for t in ActualTotal.objects.all()} == totals


def test_reimport_of_one_cost_centre_keeps_the_others(org):
    _apply(csv_bytes(MAY_ROWS), "maj.csv")
    corrected = [["52000", "5.38.50", "1.10", "05-05-2026", "90.000,00", "Løn rettet"]]
    _apply(csv_bytes(corrected), "maj-rettet.csv")
    assert Actual.objects.filter(home=org.home_a).aggregate(s=Sum("amount"))["s"] == Decimal("90000.00")
    assert Actual.objects.filter(home=org.home_b).aggregate(s=Sum("amount"))["s"] == Decimal("50000.00")


def test_preview_then_confirm(org):
    outcome = import_actuals(
        stream=io.BytesIO(xlsx_bytes(MAY_ROWS)), file_name="maj.xlsx", user=org.consultant, mode="preview"
    )
    assert outcome.stage.ok and outcome.batch is not None
    assert [(p.cost_centre, p.rows, p.total) for p in outcome.preview] == [
        ("52000", 3, Decimal("85000.50")),
        ("52010", 1, Decimal("50000.00")),
    ]
    assert not Actual.objects.exists()
    inserted, replaced = confirm_import(batch=outcome.batch, user=org.consultant)
    assert (inserted, replaced) == (4, 0)
    assert Actual.objects.count() == 4


def test_consultant_cannot_import_other_homes(org):
    rows = [["52020", "5.38.50", "1.10", "05-05-2026", "1,00", "x"]]
    outcome = import_actuals(stream=io.BytesIO(csv_bytes(rows)), file_name="x.csv", user=org.consultant, mode="preview")
    assert outcome.stage.errors[0].reasons == ["Du har ikke adgang til omkostningssted »52020«"]


def test_windows_1252_csv(org):
    rows = [["52000", "5.38.50", "1.10", "05-05-2026", "1,00", "Løn æøå"]]
    outcome = _apply(csv_bytes(rows, encoding="cp1252"), "x.csv")
    assert outcome.stage.ok
    assert Actual.objects.get().text == "Løn æøå"


def test_command_dry_run_and_month(org, tmp_path, capsys):
    path = tmp_path / "maj.csv"
    path.write_bytes(csv_bytes(MAY_ROWS))
    call_command("import_actuals", str(path), "--month", "2026-05", "--dry-run")
    assert not Actual.objects.exists()
    with pytest.raises(CommandError, match="afvist"):
        call_command("import_actuals", str(path), "--month", "2026-04")
    assert not Actual.objects.exists()
    call_command("import_actuals", str(path))
    assert Actual.objects.count() == 4


def test_unreadable_files(org):
    with pytest.raises(ImportFileError):
        _apply(b"not a zip", "x.xlsx")
    with pytest.raises(ImportFileError, match="mangler"):
        _apply(b"a;b;c\n1;2;3\n", "x.csv")


def test_demo_sample_files(org):
    """The committed sample files under demo/: the good one validates, the bad one names rows 17 and 40."""

    demo = Path(__file__).resolve().parents[2] / "demo"
    for name in ("forbrug_eksempel.xlsx", "forbrug_eksempel.csv"):
        with (demo / name).open("rb") as f:
            outcome = import_actuals(stream=f, file_name=name, user=None, mode="dry-run")
        assert outcome.stage.ok, outcome.stage.errors
    with (demo / "forbrug_med_fejl.xlsx").open("rb") as f:
        outcome = import_actuals(stream=f, file_name="forbrug_med_fejl.xlsx", user=None, mode="apply")
    assert [e.row for e in outcome.stage.errors] == [17, 40]
    assert not Actual.objects.exists()


def test_demo_seeder(org):
    ctx = DemoContext(rng=random.Random(1), scale="small", today=dt.date(2026, 11, 23), years=[2025, 2026])
    ctx.homes = [org.home_a, org.home_b, org.home_c]
    ctx.users = {"konsulent": org.consultant}
    seed_budget(ctx)
    assert BudgetLine.objects.count() == 3 * 3 * 2
    # Actuals through October 2026: 22 months × 3 homes × 24 rows.
    assert Actual.objects.count() == 22 * 3 * 24
    assert ActualTotal.objects.filter(month=dt.date(2026, 10, 1)).count() == 9
    assert not ActualTotal.objects.filter(month=dt.date(2026, 11, 1)).exists()
    wages = BudgetLine.objects.get(home=org.home_a, year=2026, group="loen")
    assert wages.shares()[4] > wages.shares()[0]  # holiday pay in May
    rows = forecast_for_homes([h.pk for h in ctx.homes], 2026, 10)
    assert len(rows) == 9


def test_structural_and_value_errors_are_all_named_by_file_line(org):
    """A title line, a wrong field count and a NUL byte (reader) plus a bad amount (SQL): all four named."""
    lines = [
        "Forbrug maj 2026",  # 1: title line
        "Omkostningssted;Funktion;Art;Bogføringsdato;Beløb;Tekst",  # 2: header
        "52000;5.38.50;1.10;05-05-2026;100,00;ok",  # 3
        "52000;5.38.50;1.10;05-05-2026;100,00",  # 4: five fields
        "52000;5.38.50;1.10;05-05-2026;1x0,00;bad amount",  # 5
        "52000;5.38.50;1.10;05-05-2026;100,00;nul\x00",  # 6
        "52000;5.38.50;1.10;05-05-2026;100,00;ok",  # 7
    ]
    outcome = _apply(("\r\n".join(lines) + "\r\n").encode(), "forbrug.csv")
    assert not outcome.stage.ok
    by_row = {e.row: " ".join(e.reasons) for e in outcome.stage.errors}
    assert set(by_row) == {4, 5, 6}
    assert "5 felter" in by_row[4]
    assert "1x0,00" in by_row[5]
    assert "NUL" in by_row[6]
    assert outcome.stage.bad_row_count == 3 and outcome.stage.row_count == 5
    assert not Actual.objects.exists() and not ActualsImport.objects.exists()


def test_xlsx_with_understated_dimension_imports_every_row(org):
    rows = [["52000", "5.38.50", "1.10", "05-05-2026", "10,00", f"r{i}"] for i in range(41)]
    data = xlsx_bytes(rows)
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in src.infolist():
            part = src.read(info.filename)
            if info.filename.endswith("sheet1.xml"):
                part = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:F9"', part)
            z.writestr(info.filename, part)
    outcome = _apply(out.getvalue(), "forbrug.xlsx")
    assert outcome.stage.ok and outcome.inserted == 41
    assert Actual.objects.aggregate(s=Sum("amount"))["s"] == Decimal("410.00")
