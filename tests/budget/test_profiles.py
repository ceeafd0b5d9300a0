"""Import profiles: the shipped SAP/KMD Opus and Prisme layouts, formats, the reconciliation, the command."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum

from budget.models import Actual, ActualsImport, ImportProfile
from budget.profiles import AccountPattern, parse_amount, parse_date, parse_period
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
    from budget.importer import ImportFileError

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
