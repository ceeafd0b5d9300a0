"""The finer account groups (»heraf«) in the follow-up: summed in the roll-ups, never half-summed."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from budget.followup.selectors import rollup


def _numbers(parts: list[tuple[str, str]] | None) -> dict:
    row = {
        "group": "drift",
        "label": "Øvrig drift",
        **dict.fromkeys(("corrected_budget", "budget_to_date", "actuals_to_date", "forecast", "deviation"), "100.00"),
    }
    if parts is not None:
        row["parts"] = [{"code": c, "name": c.title(), "actuals_to_date": a} for c, a in parts]
    return {
        "month": "2026-11-01",
        "economy": [row],
        "totals": {"corrected_budget": "100.00"},
        "steering_budget": "100.00",
        "activity": {"places": 1, "residents": 1, "resident_days": 30},
    }


def _fu(pk: int, numbers: dict) -> SimpleNamespace:
    return SimpleNamespace(
        home_id=pk, is_frozen=True, snapshot=numbers, home=SimpleNamespace(name=f"H{pk}"), actions_count=0
    )


def test_rollup_sums_the_parts_by_group():
    a = _fu(1, _numbers([("drift", "60.00"), ("koeb_kommuner", "40.00")]))
    b = _fu(2, _numbers([("drift", "75.50"), ("koeb_kommuner", "24.50")]))
    drift = rollup([a, b], {})["economy"][1]
    assert drift["group"] == "drift" and Decimal(drift["actuals_to_date"]) == Decimal("200.00")
    assert {p["code"]: Decimal(p["actuals_to_date"]) for p in drift["parts"]} == {
        "drift": Decimal("135.50"),
        "koeb_kommuner": Decimal("64.50"),
    }


def test_rollup_shows_no_parts_when_a_snapshot_lacks_them():
    """A follow-up frozen before the parts were kept: the sum of the others would not add up to the kind."""
    a = _fu(1, _numbers([("drift", "60.00"), ("koeb_kommuner", "40.00")]))
    old = _fu(2, _numbers(None))
    assert rollup([a, old], {})["economy"][1]["parts"] == []
