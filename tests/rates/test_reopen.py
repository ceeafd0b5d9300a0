"""Reopening an approved rate: a reason, audited, the approved version kept in the history;
the approved figures stay in force (they price sales) until the rate is approved again.
And the rate page's group labels come from the chart of accounts' group data."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from botilbud.lib.locking import VersionConflict
from budget.models import GroupDefinition
from budget.rates import selectors, services
from budget.rates.models import RateCalculation
from tests.rates.test_rate_model import _calc, budget_2027  # noqa: F401 - fixture


@pytest.fixture
def approved(budget_2027, org):  # noqa: F811
    calc = _calc(budget_2027)
    return services.approve(calc=calc, user=org.consultant, seen_version=calc.version)


def test_reopen_needs_a_reason_keeps_the_rate_in_force_and_the_history(approved, org, client_for):
    c = client_for(org.consultant)
    page = reverse("rates:home_rate", args=[org.home_a.pk]) + "?aar=2027"
    url = reverse("rates:reopen", args=[org.home_a.pk])
    assert "Genåbn taksten for 2027" in c.get(page).content.decode()
    r = c.post(url, {"aar": "2027", "version": approved.version, "reason": "  "})
    assert r.status_code == 302
    approved.refresh_from_db()
    assert approved.is_approved  # refused without a reason
    assert "Skriv hvorfor" in c.get(page).content.decode()
    r = c.post(url, {"aar": "2027", "version": approved.version, "reason": "Ny normering fra 1. marts"})
    assert r.status_code == 302
    calc = RateCalculation.objects.get(pk=approved.pk)
    assert (calc.status, calc.reopened_by, calc.reopen_reason) == (
        "genaabnet",
        org.consultant,
        "Ny normering fra 1. marts",
    )
    # The last approved rate stays in force while reopened.
    assert selectors.approved_rate(org.home_a, 2027).annual == D("553126.32")
    body = c.get(page).content.decode()
    assert "Genåbnet af" in body and "gælder den senest godkendte takst" in body
    assert "Gem kladde og beregn" in body  # editable again
    # The history lists the approval and the reopening.
    rows = selectors.approvals(calc)
    assert [(r["status"], r["approved_annual"]) for r in rows][:1] == [("godkendt", D("553126.32"))]
    assert [r["status"] for r in rows] == ["godkendt", "genaabnet"]
    assert rows[1]["reopen_reason"] == "Ny normering fra 1. marts"
    # Approve again with a changed input: the new figures replace the old; both approvals are kept.
    RateCalculation.objects.filter(pk=calc.pk).update(capital_costs=D("390000"))
    calc.refresh_from_db()
    services.approve(calc=calc, user=org.consultant, seen_version=calc.version)
    calc.refresh_from_db()
    assert calc.is_approved and calc.reopen_reason == ""
    # Capital costs also enter 2025's result: 8.400.000 × 1,03 + 390.000 = 9.042.000 − income 8.400.000
    # = deficit 642.000; limit 5 % = 452.100; 189.900 enters the rate.
    # (10.000.000 + 300.000 + 390.000 + 189.900) ÷ 19 = 572.626,315… → 572.626,32
    assert calc.approved_annual == D("572626.32")
    assert [r["status"] for r in selectors.approvals(calc)] == ["godkendt", "genaabnet", "godkendt"]
    assert "553.126,32 kr." in c.get(page).content.decode()  # the first approval, in the history table


def test_reopen_is_for_rate_writers_and_refuses_stale_or_unapproved(approved, org, client_for):
    url = reverse("rates:reopen", args=[org.home_a.pk])
    data = {"aar": "2027", "version": approved.version, "reason": "x"}
    assert client_for(org.manager).post(url, data).status_code == 403
    assert client_for(org.other_manager).post(url, data).status_code == 404  # another home

    with pytest.raises(VersionConflict):
        services.reopen(calc=approved, user=org.consultant, seen_version=approved.version - 1, reason="x")
    services.reopen(calc=approved, user=org.consultant, seen_version=approved.version, reason="x")
    approved.refresh_from_db()
    with pytest.raises(services.ReopenError, match="ikke godkendt"):
        services.reopen(calc=approved, user=org.consultant, seen_version=approved.version, reason="x")
    assert client_for(org.consultant).post(url, {"aar": "2027", "version": "abc"}).status_code == 400


def test_group_labels_come_from_the_group_data(db):
    GroupDefinition.objects.filter(code="drift").update(name="Øvrig drift (varer og tjenesteydelser)")
    labels = selectors.group_labels()
    assert labels["drift"] == "Øvrig drift (varer og tjenesteydelser)"
    assert set(labels) == {"loen", "drift", "indtaegt"}
