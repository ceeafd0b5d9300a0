"""Chart of accounts in KL's structure: the mapping (function/dranst/art → group), more than three groups,
regrouping history consistently, several cost centres per home."""

from __future__ import annotations

import io
from decimal import Decimal

from django.db.models import Sum

from budget.chart import regroup_actuals, resolve_group
from budget.models import Account, Actual, ActualTotal, CostCentre, GroupDefinition
from budget.services import import_actuals
from tests.budget.helpers import csv_bytes

HEADER = ["Omkostningssted", "Funktion", "Dranst", "Art", "Bogføringsdato", "Beløb", "Tekst"]


def _apply(rows):
    return import_actuals(stream=io.BytesIO(csv_bytes(rows, HEADER)), file_name="f.csv", user=None, mode="apply")


def test_shipped_mapping_resolves_most_specific(org):
    assert resolve_group("5.38.50", "1", "1.10") == "loen"
    assert resolve_group("5.38.50", "1", "4.00") == "drift"
    assert resolve_group("5.38.50", "1", "4.71") == "koeb_kommuner"
    assert resolve_group("5.38.59", "1", "4.81") == "koeb_regioner"  # a function only the "5.38" rows cover
    assert resolve_group("5.38.50.001", "1", "7.71") == "indtaegt"  # with gruppering
    assert resolve_group("5.38.50", "2", "8.60") == "indtaegt"  # statsrefusion
    assert resolve_group("6.45.51", "1", "1.10") is None  # outside the adult area


def test_fine_groups_are_kept_and_totals_use_the_kind(org):
    outcome = _apply(
        [
            ["52000", "5.38.50", "1", "4.71", "05-05-2026", "1.000,00", "Køb Aarhus Kommune"],
            ["52000", "5.38.50", "1", "4.81", "05-05-2026", "500,00", "Køb Region Midt"],
            ["52000", "5.38.50", "1", "2.21", "05-05-2026", "250,00", "Fødevarer"],
        ]
    )
    assert outcome.stage.ok, outcome.stage.errors
    groups = dict(Actual.objects.values_list("text", "group"))
    assert groups == {"Køb Aarhus Kommune": "koeb_kommuner", "Køb Region Midt": "koeb_regioner", "Fødevarer": "drift"}
    totals = dict(ActualTotal.objects.values_list("group", "amount"))
    assert totals == {"drift": Decimal("1750.00")}
    assert set(Actual.objects.values_list("account", flat=True)) == {
        "5.38.50.1.4.71",
        "5.38.50.1.4.81",
        "5.38.50.1.2.21",
    }
    assert set(Actual.objects.values_list("cost_centre", flat=True)) == {"52000"}


def test_changing_the_mapping_regroups_history_consistently(org):
    _apply(
        [
            ["52000", "5.38.50", "1", "4.71", "05-04-2026", "1.000,00", "april"],
            ["52000", "5.38.50", "1", "4.71", "05-05-2026", "2.000,00", "maj"],
        ]
    )
    # The consultant decides purchases from municipalities count as income-side (a contrived but visible move).
    GroupDefinition.objects.create(code="koeb_andre", name="Køb andre", kind="indtaegt", order=90)
    Account.objects.filter(art_prefix="4.7").update(group="koeb_andre")
    moved, _ = regroup_actuals()
    assert moved == 2
    assert set(Actual.objects.values_list("group", flat=True)) == {"koeb_andre"}
    assert dict(ActualTotal.objects.values_list("month__month", "group")) == {4: "indtaegt", 5: "indtaegt"}
    assert ActualTotal.objects.aggregate(s=Sum("amount"))["s"] == Decimal("3000.00")


def test_several_cost_centres_per_home_replace_separately(org):
    CostCentre.objects.create(code="52001", home=org.home_a, name="Nattevagt")
    _apply(
        [
            ["52000", "5.38.50", "1", "1.10", "05-05-2026", "100,00", "main"],
            ["52001", "5.38.50", "1", "1.10", "05-05-2026", "10,00", "extra"],
        ]
    )
    assert Actual.objects.filter(home=org.home_a).count() == 2
    # Re-importing only the extra cost centre replaces only its rows.
    _apply([["52001", "5.38.50", "1", "1.10", "06-05-2026", "20,00", "extra again"]])
    assert sorted(Actual.objects.filter(home=org.home_a).values_list("text", flat=True)) == ["extra again", "main"]
    assert ActualTotal.objects.get(home=org.home_a).amount == Decimal("120.00")


def test_bad_dranst_is_named(org):
    outcome = _apply([["52000", "5.38.50", "9", "1.10", "05-05-2026", "100,00", "x"]])
    assert not outcome.stage.ok
    assert "Dranst »9«" in outcome.stage.errors[0].reasons[0]
