"""Typed corrections: technical (approved at once), tillægsbevilling (council decision, the
department head approves), omplacering (both sides, one decision), scoping per role."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse

from budget import corrections
from budget.models import BudgetCorrection, BudgetLine, CorrectionKind, CorrectionStatus
from budget.selectors import corrected_budgets, forecast

pytestmark = pytest.mark.django_db


@pytest.fixture
def lines(org):
    return {
        "a_drift": BudgetLine.objects.create(home=org.home_a, year=2026, group="drift", original=D("100000")),
        "a_loen": BudgetLine.objects.create(home=org.home_a, year=2026, group="loen", original=D("900000")),
        "b_drift": BudgetLine.objects.create(home=org.home_b, year=2026, group="drift", original=D("50000")),
    }


def test_technical_correction_counts_at_once(org, lines, client_for):
    url = reverse("budget:correction_add", args=[org.home_a.pk, lines["a_drift"].pk])
    data = {"kind": "teknisk", "amount": "-12.500,00", "date": "2026-06-01", "reason": "Fejl i budgetfil"}
    assert client_for(org.consultant).post(url, data).status_code == 302
    c = BudgetCorrection.objects.get()
    assert (c.kind, c.status, c.decided_by) == (CorrectionKind.TECHNICAL, CorrectionStatus.APPROVED, org.consultant)
    assert corrected_budgets([lines["a_drift"].pk])[lines["a_drift"].pk] == D("87500.00")


def test_supplementary_needs_council_decision_and_department_head(org, lines, client_for):
    url = reverse("budget:correction_add", args=[org.home_a.pk, lines["a_drift"].pk])
    data = {"kind": "tillaegsbevilling", "amount": "30.000", "date": "2026-06-01", "reason": "Ny afdeling"}
    client = client_for(org.consultant)
    client.post(url, data)
    assert not BudgetCorrection.objects.exists()  # refused: no council decision
    client.post(url, {**data, "council_decision": "Byrådet, punkt 12", "council_date": "2026-05-28"})
    c = BudgetCorrection.objects.get()
    assert c.status == CorrectionStatus.PROPOSED and c.council_decision == "Byrådet, punkt 12"
    # A proposed correction does not count yet, neither in the corrected budget nor in the forecast.
    assert corrected_budgets([lines["a_drift"].pk])[lines["a_drift"].pk] == D("100000.00")
    assert forecast(org.home_a, 2026, 0)["drift"].corrected_budget == D("100000.00")
    decide = reverse("budget:correction_decide", args=[c.pk])
    assert client.post(decide, {"decision": "approve", "version": c.version}).status_code == 403
    assert (
        client_for(org.department_head).post(decide, {"decision": "approve", "version": c.version}).status_code == 302
    )
    c.refresh_from_db()
    assert c.status == CorrectionStatus.APPROVED and c.decided_by == org.department_head
    assert forecast(org.home_a, 2026, 0)["drift"].corrected_budget == D("130000.00")
    # Decided once: a second decision is refused and changes nothing.
    with pytest.raises(corrections.CorrectionError):
        corrections.correction_decide(correction=c, user=org.department_head, approve=False, seen_version=c.version)


def test_reallocation_writes_both_sides_and_is_decided_together(org, lines, client_for):
    url = reverse("budget:reallocation_add", args=[org.home_a.pk, 2026])
    data = {
        "source_group": "drift",
        "target_home": org.home_b.pk,
        "target_group": "drift",
        "amount": "20.000,00",
        "date": "2026-06-01",
        "reason": "Fælles vikarkorps",
    }
    assert client_for(org.consultant).post(url, data).status_code == 302
    source, target = BudgetCorrection.objects.order_by("pk")
    assert (source.line, source.amount) == (lines["a_drift"], D("-20000.00"))
    assert (target.line, target.amount) == (lines["b_drift"], D("20000.00"))
    assert source.transfer == target.transfer and source.kind == CorrectionKind.REALLOCATION
    assert source.amount + target.amount == 0
    corrections.correction_decide(correction=target, user=org.department_head, approve=True, seen_version=1)
    ids = [lines["a_drift"].pk, lines["b_drift"].pk]
    assert corrected_budgets(ids) == {ids[0]: D("80000.00"), ids[1]: D("70000.00")}
    assert set(BudgetCorrection.objects.values_list("status", flat=True)) == {CorrectionStatus.APPROVED}


def test_reallocation_between_groups_creates_the_missing_line(org, lines):
    corrections.reallocation_register(
        source=lines["a_loen"],
        target_home=org.home_a,
        target_group="indtaegt",
        amount=D("1000"),
        reason="x",
        date=lines["a_loen"].line_date if hasattr(lines["a_loen"], "line_date") else dt.date(2026, 1, 1),
        user=org.consultant,
    )
    assert BudgetLine.objects.get(home=org.home_a, year=2026, group="indtaegt").original == 0


def test_reallocation_refused_to_a_home_the_consultant_does_not_serve(org, lines, client_for):
    BudgetLine.objects.create(home=org.home_c, year=2026, group="drift", original=D("1"))
    url = reverse("budget:reallocation_add", args=[org.home_a.pk, 2026])
    data = {
        "source_group": "drift",
        "target_home": org.home_c.pk,
        "target_group": "drift",
        "amount": "1",
        "date": "2026-06-01",
        "reason": "x",
    }
    client_for(org.consultant).post(url, data)
    assert not BudgetCorrection.objects.exists()
    assert client_for(org.manager).post(url, data).status_code == 403
    assert client_for(org.other_manager).post(url, data).status_code == 404


def test_reject_needs_a_reason_and_rejected_never_counts(org, lines):
    (c,) = [
        corrections.correction_register(
            line=lines["a_drift"],
            kind="tillaegsbevilling",
            amount=D("5"),
            reason="r",
            date=dt.date(2026, 3, 1),
            user=org.consultant,
            council_decision="Byrådet",
            council_date=dt.date(2026, 2, 1),
        )
    ]
    with pytest.raises(corrections.CorrectionError):
        corrections.correction_decide(correction=c, user=org.department_head, approve=False, seen_version=1)
    corrections.correction_decide(correction=c, user=org.department_head, approve=False, seen_version=1, note="Nej")
    assert corrected_budgets([lines["a_drift"].pk])[lines["a_drift"].pk] == D("100000.00")


def test_queue_is_scoped(org, lines, client_for):
    BudgetLine.objects.create(home=org.home_c, year=2026, group="drift", original=D("1"))
    for line in (lines["a_drift"], BudgetLine.objects.get(home=org.home_c)):
        corrections.correction_register(
            line=line,
            kind="tillaegsbevilling",
            amount=D("5"),
            reason=f"r{line.home.name}",
            date=dt.date(2026, 3, 1),
            user=org.administrator,
            council_decision="Byrådet",
            council_date=dt.date(2026, 2, 1),
        )
    url = reverse("budget:correction_queue")
    page = client_for(org.consultant).get(url).content.decode()
    assert "rEgebakken" in page and "rBirkelund" not in page
    page = client_for(org.department_head).get(url).content.decode()
    assert "rEgebakken" in page and "rBirkelund" in page and "Godkend" in page
    for user in (org.manager, org.area_manager, org.caseworker):
        assert client_for(user).get(url).status_code == 403
    c_other = BudgetCorrection.objects.get(line__home=org.home_c)
    # The consultant cannot reach a correction on a home outside their homes.
    assert (
        client_for(org.consultant)
        .post(reverse("budget:correction_decide", args=[c_other.pk]), {"decision": "approve", "version": 1})
        .status_code
        == 404
    )


def test_budget_page_shows_type_and_status(org, lines, client_for):
    corrections.correction_register(
        line=lines["a_drift"],
        kind="tillaegsbevilling",
        amount=D("30000"),
        reason="Ny afdeling",
        date=dt.date(2026, 3, 1),
        user=org.consultant,
        council_decision="Byrådet, punkt 12",
        council_date=dt.date(2026, 2, 1),
    )
    page = client_for(org.manager).get(reverse("budget:home_budget", args=[org.home_a.pk]) + "?aar=2026")
    html = page.content.decode()
    assert "Tillægsbevilling" in html and "Afventer godkendelse" in html and "Byrådet, punkt 12" in html
