"""Bounded input: text lengths, decimals, the CPR guard (Danish messages, 4xx)."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from botilbud.lib.validators import contains_cpr, validate_no_cpr
from budget.models import BudgetLine
from disponering.models import LedgerEntry
from tests.disponering.test_views import entry_post


@pytest.mark.parametrize(
    "text",
    ["010190-1234", "0101901234", "Borger 311299-4321 flytter", "290200-1234", "cpr: 010190 1234"],
)
def test_cpr_like_numbers_are_found(text):
    assert contains_cpr(text)
    with pytest.raises(ValidationError) as refused:
        validate_no_cpr(text)
    assert "CPR-nummer" in refused.value.messages[0]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Sag 2026-0042",
        "320190-1234",  # day 32 is no date
        "011390-1234",  # month 13
        "290201-1234",  # 29 February 2001/1901 does not exist
        "12345678901",  # eleven digits: not a CPR number
        "01019012345",
        "Beløb 1.234.567,89 kr.",
        "52000",
    ],
)
def test_other_numbers_pass(text):
    assert not contains_cpr(text)
    validate_no_cpr(text)


def test_a_huge_ledger_comment_is_refused_in_danish(org, client_for):
    url = reverse("disponering:entry_create", args=[org.home_a.pk])
    response = client_for(org.manager).post(url, entry_post(comment="x" * 100_000))
    assert response.status_code == 422  # the ledger's form error status
    assert "4000 tegn" in response.content.decode()
    assert not LedgerEntry.objects.exists()


def test_a_cpr_number_in_a_ledger_title_is_refused(org, client_for):
    url = reverse("disponering:entry_create", args=[org.home_a.pk])
    response = client_for(org.manager).post(url, entry_post(title="Vikar for 010190-1234"))
    assert response.status_code == 422
    assert "CPR-nummer" in response.content.decode()
    assert not LedgerEntry.objects.exists()


def test_a_cpr_number_as_case_number_is_refused(org):
    from visitation.forms import PlacementForm

    form = PlacementForm(data={"case_number": "010190-1234", "initials": "AB"})
    assert not form.is_valid()
    assert "CPR-nummer" in " ".join(form.errors["case_number"])


def test_budget_profile_percentage_is_bounded(org, client_for):
    line = BudgetLine.objects.create(home=org.home_a, year=2026, group="loen", original=D("1200000"))
    url = reverse("budget:profile_edit", args=[org.home_a.pk, line.pk])
    data = {f"m{i}": "0" for i in range(1, 13)}
    data.update({"m1": "1e25", "version": line.version})
    response = client_for(org.consultant).post(url, data)
    assert response.status_code == 400
    line.refresh_from_db()
    assert line.profile == []


def test_model_validation_bounds_text_too():
    from budget.followup.models import Explanation

    explanation = Explanation(followup_id=1, group="loen", text="x" * 4001)
    with pytest.raises(ValidationError) as refused:
        explanation.full_clean(exclude=["followup"])
    assert "højst 4000 tegn" in " ".join(refused.value.messages)
