"""Import profiles: the shipped SAP/KMD Opus and Prisme layouts, formats, the reconciliation, the command."""

from __future__ import annotations

import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum

from budget import importer
from budget.importer import ImportFileError
from budget.models import Actual, ActualsImport, ImportProfile
from budget.profiles import AccountPattern, RowMapper, parse_amount, parse_date, parse_period
from budget.services import import_actuals

DEMO = Path(__file__).resolve().parents[2] / "demo"


@pytest.fixture
def homes(org):
    return org  # cost centres 52000, 52010, 52020: the sample files' homes


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        ("1.234,56", "da", "1234.56"),
        ("1.234,56-", "da", "-1234.56"),
        ("-1.234,56", "da", "-1234.56"),
        ("−12,5", "da", "-12.5"),
        ("1234", "da", "1234"),
        ("1,234.56", "en", "1234.56"),
        ("1234.56-", "en", "-1234.56"),
        ("-0.01", "en", "-0.01"),
    ],
)
def test_amounts(text, fmt, expected):
    assert parse_amount(text, fmt) == Decimal(expected)


@pytest.mark.parametrize("text", ["12,34,56", "1.23,4", "abc", "", "1.234,56--", "--1"])
def test_bad_amounts(text):
    assert parse_amount(text, "da") is None


@pytest.mark.parametrize(
    ("text", "fmt", "month"),
    [
        ("011.2026", "PPP.YYYY", 11),
        ("2026011", "YYYYPPP", 11),
        ("11.2026", "MM.YYYY", 11),
        ("2026-11", "YYYY-MM", 11),
        ("001.2026", "auto", 1),
        ("2026012", "auto", 12),
    ],
)
def test_periods(text, fmt, month):
    assert parse_period(text, fmt) == dt.date(2026, month, 1)


@pytest.mark.parametrize("text", ["013.2026", "2026000", "13.2026", "2026-13", "11-26"])
def test_bad_periods(text):
    assert parse_period(text, "auto") is None


def test_dates():
    assert parse_date("15.11.2026", "DD.MM.YYYY") == dt.date(2026, 11, 15)
    assert parse_date("31.02.2026", "auto") is None
    assert parse_date("2026-11-15", "auto") == dt.date(2026, 11, 15)


def test_account_patterns():
    assert AccountPattern.compile("FFFFF? D AA").split("538500 1 11") == ("5.38.50", "1", "1.1")
    assert AccountPattern.compile("F.FF.FF.GGG.D.AA").split("5.38.50.001.1.11") == ("5.38.50.001", "1", "1.1")
    assert AccountPattern.compile("FFFFF? D AA").split("5385 1 11") is None
    with pytest.raises(ValueError):
        AccountPattern.compile("D AA")


def _run(path: Path, profile_name: str, mode: str = "apply"):
    profile = ImportProfile.objects.get(name=profile_name)
    with path.open("rb") as stream:
        return import_actuals(stream=stream, file_name=path.name, user=None, mode=mode, profile=profile)


def test_sap_sample_through_its_profile(homes):
    outcome = _run(DEMO / "forbrug_sap_opus.csv", "KMD Opus (SAP) posteringsudtræk")
    assert outcome.stage.ok, outcome.stage.errors[:3]
    assert outcome.inserted == 60
    rec = outcome.reconciliation
    assert rec.ok and [r["cost_centre"] for r in rec.rows] == ["52000", "52010", "52020"]
    assert all(r["file_rows"] == r["staged_rows"] == r["write_rows"] == 20 for r in rec.rows)
    total = Actual.objects.aggregate(s=Sum("amount"))["s"]
    assert rec.totals()["file_amount"] == total
    # The full account string is kept, and 4.7 / 4.8 land in their own groups.
    assert set(Actual.objects.values_list("group", flat=True)) == {
        "loen",
        "drift",
        "koeb_kommuner",
        "koeb_regioner",
        "indtaegt",
    }
    assert Actual.objects.filter(account="538500 1 47").first().group == "koeb_kommuner"
    assert set(Actual.objects.values_list("month", flat=True)) == {dt.date(2026, 11, 1)}
    assert Actual.objects.filter(group="indtaegt").aggregate(s=Sum("amount"))["s"] < 0  # trailing minus read
    batch = ActualsImport.objects.get()
    assert batch.profile.name.startswith("KMD Opus") and len(batch.reconciliation) == 3


def test_prisme_sample_through_its_profile(homes):
    outcome = _run(DEMO / "forbrug_prisme.txt", "Prisme posteringsudtræk")
    assert outcome.stage.ok, outcome.stage.errors[:3]
    assert outcome.inserted == 40 and outcome.reconciliation.ok
    assert Actual.objects.filter(function_code="5.38.50.002").exists()  # gruppering kept


def test_sap_file_with_two_bad_lines_is_refused_naming_both(homes):
    outcome = _run(DEMO / "forbrug_sap_opus_med_fejl.csv", "KMD Opus (SAP) posteringsudtræk")
    assert not outcome.stage.ok
    by_row = {e.row: " ".join(e.reasons) for e in outcome.stage.errors}
    assert set(by_row) == {11, 21}
    assert "6 felter" in by_row[11]
    assert "12,34,56" in by_row[21]
    assert not Actual.objects.exists() and not ActualsImport.objects.exists()


def test_wrong_profile_for_the_file_is_refused_in_danish(homes):
    with pytest.raises(ImportFileError, match="blev ikke fundet"):
        _run(DEMO / "forbrug_prisme.txt", "KMD Opus (SAP) posteringsudtræk")


def test_command_with_profile(homes, capsys):
    call_command("import_actuals", str(DEMO / "forbrug_sap_opus.csv"), "--profile", "KMD Opus (SAP) posteringsudtræk")
    assert Actual.objects.count() == 60
    with pytest.raises(CommandError, match="findes ikke"):
        call_command("import_actuals", str(DEMO / "forbrug_sap_opus.csv"), "--profile", "Nej")


def test_sign_flip(homes):
    profile = ImportProfile.objects.get(name="Prisme posteringsudtræk")
    profile.pk = None
    profile.name, profile.sign = "Prisme vendt", "flip"
    profile.save()
    outcome = _run(DEMO / "forbrug_prisme.txt", "Prisme vendt", mode="dry-run")
    flipped = outcome.reconciliation.totals()["file_amount"]
    outcome = _run(DEMO / "forbrug_prisme.txt", "Prisme posteringsudtræk", mode="dry-run")
    assert outcome.reconciliation.totals()["file_amount"] == -flipped


# The import's set-based path must read every cell as the live preview's RowMapper does.
_TRICKY = [
    # (cost centre, account, period, date, amount, text)
    ("52000", "538500 1 11", "011.2026", "01.11.2026", "1.234,56", "plain"),
    ("52000", "538500 1 77", "011.2026", "02.11.2026", "1.234,56-", "SAP trailing minus"),
    ("52010", "538500 1 22", "011.2026", "03.11.2026", "−12,5", "unicode minus, one decimal"),
    ("52010", "538500 1 22", "011.2026", "04.11.2026", " 1 234,56 kr. ", "spaces and kr."),
    ("52020", "538500 1 47", "011.2026", "05.11.2026", "7", "integer"),
    ("52020", "538500 1 48", "011.2026", "", "0,005", "half øre, no date"),
    (" 52000 ", "538500 1 11", "011.2026", "06.11.2026", "+10,00", "padded cost centre, plus sign"),
]
_BAD = [
    ("52000", "538500 1 11", "011.2026", "07.11.2026", "12,34,56", "bad amount"),
    ("52000", "538500 1 11", "011.2026", "07.11.2026", "-1,00-", "two signs"),
    ("52000", "53850 1 11", "011.2026", "07.11.2026", "1,00", "pattern mismatch"),
    ("52000", "538500 1 11", "013.2026", "07.11.2026", "1,00", "special period"),
    ("52000", "538500 1 11", "011.2026", "31.02.2026", "1,00", "no such date"),
    ("99999", "538500 1 11", "011.2026", "07.11.2026", "1,00", "unknown cost centre"),
    ("52000", "538500 1 81", "011.2026", "07.11.2026", "1,00", "art 8 is not in the chart"),
    ("52000", "538500 1 11", "011.2026", "07.11.2026", "1e5", "exponent"),
    ("52000", "538500 1 11", "011.2026", "07.11.2026", "", "no amount"),
    ("52000", "538500 1 11", "011.2026", "07.11.2026", "1234567890123,00", "too big"),
]


def _sap_bytes(rows):
    lines = ["KMD Opus - test", "", "", "Omkostningssted;PSP-element;Artskonto;Periode;Bogf.dato;Beløb;Tekst"]
    lines += [f"{cc};;{acc};{per};{day};{amount};{text}" for cc, acc, per, day, amount, text in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _sap_utf8_profile():
    profile = ImportProfile.objects.get(name="KMD Opus (SAP) posteringsudtræk")
    profile.pk, profile.name, profile.encoding = None, "SAP i UTF-8", "utf-8"
    profile.save()
    return profile


@pytest.fixture(params=["copy", "reader"])
def read_path(request, monkeypatch):
    """Each file read both ways: Postgres's COPY (``importer._copy_stage``, the fast path; ``used`` records
    whether it took the file) and the Python reader alone."""
    used: list[bool] = []
    real = importer._copy_stage

    def spy(*args):  # noqa: ANN002, ANN202
        used.append(real(*args))
        return used[-1]

    monkeypatch.setattr(importer, "_copy_stage", spy if request.param == "copy" else (lambda *args: False))
    return SimpleNamespace(name=request.param, used=used)


def test_set_based_path_reads_cells_as_the_preview_does(homes, read_path):
    profile = _sap_utf8_profile()
    header = ["Omkostningssted", "PSP-element", "Artskonto", "Periode", "Bogf.dato", "Beløb", "Tekst"]
    mapper = RowMapper(profile, header)
    outcome = import_actuals(
        stream=io.BytesIO(_sap_bytes(_TRICKY)), file_name="x.csv", user=None, mode="apply", profile=profile
    )
    assert outcome.stage.ok, outcome.stage.errors
    written = sorted(Actual.objects.values_list("text", "cost_centre", "amount", "posting_date", "account"))
    expected = []
    for cc, acc, per, day, amount, text in _TRICKY:
        values, reasons = mapper.map([cc, "", acc, per, day, amount, text])
        assert not reasons
        expected.append(
            (
                text,
                values[0],
                Decimal(values[7].replace(",", ".")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
                dt.datetime.strptime(values[5], "%d-%m-%Y").date() if values[5] else None,
                values[4],
            )
        )
    assert written == sorted(expected)
    # Hand-computed: 1.234,56 − 1.234,56 − 12,50 + 1.234,56 + 7 + 0,01 (0,005 rounds half up) + 10.
    assert outcome.reconciliation.totals()["file_amount"] == Decimal("1239.07")
    assert outcome.reconciliation.totals()["write_amount"] == Decimal("1239.07")
    assert read_path.used == ([True] if read_path.name == "copy" else [])


def test_set_based_path_names_every_bad_row_with_the_previews_reasons(homes, read_path):
    profile = _sap_utf8_profile()
    mapper = RowMapper(
        profile, ["Omkostningssted", "PSP-element", "Artskonto", "Periode", "Bogf.dato", "Beløb", "Tekst"]
    )
    outcome = import_actuals(
        stream=io.BytesIO(_sap_bytes(_TRICKY + _BAD)), file_name="x.csv", user=None, mode="apply", profile=profile
    )
    assert not outcome.stage.ok
    by_line = {e.row: e.reasons for e in outcome.stage.errors}
    first_bad = 5 + len(_TRICKY)  # 3 title lines + header, then the good rows
    assert sorted(by_line) == list(range(first_bad, first_bad + len(_BAD)))
    for offset, (cc, acc, per, day, amount, text) in enumerate(_BAD):
        _, reasons = mapper.map([cc, "", acc, per, day, amount, text])
        if reasons:  # the preview's own reasons, in its order
            assert by_line[first_bad + offset] == reasons, text
    assert by_line[first_bad + 5] == ["Ukendt omkostningssted »99999«"]
    assert "findes ikke i kontoplanen" in by_line[first_bad + 6][0]
    assert not Actual.objects.exists() and not ActualsImport.objects.exists()
    # The COPY path read the file, found bad rows, and the reader read it again to name them.
    assert read_path.used == ([True] if read_path.name == "copy" else [])


_WRITTEN = ["home_id", "cost_centre", "month", "group", "function_code", "dranst", "art_code", "account"]
_WRITTEN += ["posting_date", "amount", "text"]


@pytest.mark.parametrize(
    ("name", "profile_name"),
    [("forbrug_sap_opus.csv", "KMD Opus (SAP) posteringsudtræk"), ("forbrug_eksempel.csv", "Botilbud standard")],
)
def test_the_copy_path_writes_what_the_reader_writes(homes, monkeypatch, name, profile_name):
    used: list[bool] = []
    real = importer._copy_stage
    monkeypatch.setattr(importer, "_copy_stage", lambda *args: used.append(real(*args)) or used[-1])
    fast = _run(DEMO / name, profile_name)
    assert used == [True] and fast.stage.ok
    copied = sorted(Actual.objects.values_list(*_WRITTEN))
    monkeypatch.setattr(importer, "_copy_stage", lambda *args: False)
    read = _run(DEMO / name, profile_name)  # replaces the same months for the same cost centres
    assert read.stage.ok and read.inserted == fast.inserted == len(copied) > 0
    assert sorted(Actual.objects.values_list(*_WRITTEN)) == copied
    keys = ["cost_centre", "home", "file_rows", "file_amount", "staged_rows", "staged_amount", "write_rows"]
    keys += ["write_amount", "ok"]
    assert [{k: r[k] for k in keys} for r in read.reconciliation.rows] == [
        {k: r[k] for k in keys} for r in fast.reconciliation.rows
    ]


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ('52000;;538500 1 11;011.2026;01.11.2026;"1,00";quoted\r\n', "a quote character"),
        ("52000;;538500 1 11;011.2026;01.11.2026;1,00;a\r\n\r\n52000;;538500 1 11;011.2026;;2,00;b\r\n", "blank line"),
        ("52000;;538500 1 11;011.2026;01.11.2026;1,00;a;extra\r\n", "an extra field"),
        ("52000;;538500 1 11;011.2026;01.11.2026;1,00\r\n", "a missing field"),
        ("52000;;538500 1 11;011.2026;01.11.2026;1,00;a\n52000;;538500 1 11;011.2026;;2,00;b\r\n", "mixed line ends"),
        ("52000;;538500 1 11;011.2026;01.11.2026;1,00;a\x01\r\n", "a control character"),
    ],
)
def test_the_copy_path_leaves_odd_files_to_the_reader(homes, monkeypatch, body, why):
    used: list[bool] = []
    real = importer._copy_stage
    monkeypatch.setattr(importer, "_copy_stage", lambda *args: used.append(real(*args)) or used[-1])
    head = "KMD Opus - test\r\n\r\n\r\nOmkostningssted;PSP-element;Artskonto;Periode;Bogf.dato;Beløb;Tekst\r\n"
    outcome = import_actuals(
        stream=io.BytesIO((head + body).encode("utf-8")),
        file_name="x.csv",
        user=None,
        mode="dry-run",
        profile=_sap_utf8_profile(),
    )
    assert used == [False], why
    assert outcome.reconciliation is not None


def test_the_copy_path_drops_blank_lines_at_the_end(homes, monkeypatch):
    used: list[bool] = []
    real = importer._copy_stage
    monkeypatch.setattr(importer, "_copy_stage", lambda *args: used.append(real(*args)) or used[-1])
    body = "52000;;538500 1 11;011.2026;01.11.2026;1.000,00-;a\r\n52010;;538500 1 22;011.2026;;2,50;b\r\n\r\n\r\n"
    head = "KMD Opus - test\r\n\r\n\r\nOmkostningssted;PSP-element;Artskonto;Periode;Bogf.dato;Beløb;Tekst\r\n"
    outcome = import_actuals(
        stream=io.BytesIO((head + body).encode("utf-8")),
        file_name="x.csv",
        user=None,
        mode="apply",
        profile=_sap_utf8_profile(),
    )
    assert used == [True] and outcome.stage.ok and outcome.inserted == 2
    assert sorted(Actual.objects.values_list("text", "amount")) == [("a", Decimal("-1000.00")), ("b", Decimal("2.50"))]


@pytest.mark.parametrize("path", ["reader", "copy"])
def test_a_write_that_differs_from_the_check_is_rolled_back(homes, monkeypatch, path):
    before = Actual.objects.count()
    if path == "reader":
        real = importer._profile_rows_sql

        def lossy() -> str:  # drops one row between the check and the write
            return real().replace("FROM budget_actuals_praw r", "FROM (SELECT * FROM budget_actuals_praw OFFSET 1) r")

        monkeypatch.setattr(importer, "_copy_stage", lambda *args: False)
        monkeypatch.setattr(importer, "_profile_rows_sql", lossy)
    else:
        real_fast = importer._fast_rows_sql

        def lossy_fast(fast, cursor):  # noqa: ANN001, ANN202
            numbered, write = real_fast(fast, cursor)
            raw = importer.FAST_RAW
            return numbered, write.replace(f"FROM {raw} f", f"FROM (SELECT * FROM {raw} OFFSET 1) f")

        monkeypatch.setattr(importer, "_fast_rows_sql", lossy_fast)
    with pytest.raises(importer.WriteMismatchError):
        _run(DEMO / "forbrug_sap_opus.csv", "KMD Opus (SAP) posteringsudtræk")
    assert Actual.objects.count() == before and not ActualsImport.objects.exists()
