"""Bounded input: text lengths, decimals, the CPR guard (Danish messages, 4xx)."""

import importlib
import inspect
from decimal import Decimal as D

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from botilbud.lib.validators import TextLengthValidator, contains_cpr, validate_no_cpr
from botilbud.sso.models import GroupMapping
from budget.followup.models import Explanation
from budget.models import BudgetCorrection, BudgetLine, CarryOver, ImportProfile, YearEnd
from budget.rates.models import RateCalculation
from disponering.models import LedgerEntry
from tests.disponering.test_views import entry_post
from visitation.forms import PlacementForm


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
    explanation = Explanation(followup_id=1, group="loen", text="x" * 4001)
    with pytest.raises(ValidationError) as refused:
        explanation.full_clean(exclude=["followup"])
    assert "højst 4000 tegn" in " ".join(refused.value.messages)


# --- Every text field is bounded (a walk over all models and forms) --------
# Machine-written text no user types (a computation's explanation the code
# composes, a scope summary the mapping derives), with the reason.
# A large import's distinct key and period cells (budget.importer._keep_raw), never typed in a form:
# each is a file cell as COPY read it, already bounded by the reader's line and cell limits
# (botilbud.lib.tabular.DEFAULT_MAX_CELL_CHARS), and matched to the raw rows' cells as they are.
RAW_CELL = "written by the importer: a file cell as read, bounded by the reader's line and cell limits"
UNBOUNDED_TEXT_OK = {
    ("budget", "BudgetCorrection", "computation"): "written by the code: the correction's computation",
    ("budget", "CarryOver", "computation"): "written by the code: the carry-over's computation",
    ("sso", "GroupMapping", "scope"): "written by the code: a summary of the mapping's homes and areas (not editable)",
    ("budget", "ActualRawKey", "cc"): RAW_CELL,
    ("budget", "ActualRawKey", "fn"): RAW_CELL,
    ("budget", "ActualRawKey", "dr"): RAW_CELL,
    ("budget", "ActualRawKey", "art"): RAW_CELL,
    ("budget", "ActualRawKey", "acct"): RAW_CELL,
    ("budget", "ActualRawPeriod", "period"): RAW_CELL,
    ("budget", "ActualRawPeriod", "pdate"): RAW_CELL,
}
WIDE_DECIMAL_OK = {
    # Written only by its triggers, never typed: Σ annual price (14 digits) × days in the year (≤ 366).
    ("visitation", "PlacementYear", "price_days"): "a trigger-kept sum of annual price × days",
}
PROJECT_APPS = ("botilbud", "visitation", "disponering", "budget", "onboarding")


def _project_models():
    for model in apps.get_models():
        if not model.__module__.startswith(PROJECT_APPS):
            continue
        if getattr(model, "pgh_tracked_model", None) is not None:
            continue  # an audit event mirrors its model's fields
        yield model


def test_every_text_field_in_every_model_is_bounded():
    unbounded = []
    for model in _project_models():
        for f in model._meta.concrete_fields:
            key = (model._meta.app_label, model.__name__, f.name)
            if isinstance(f, models.TextField) and key not in UNBOUNDED_TEXT_OK:
                if not f.max_length or not any(isinstance(v, TextLengthValidator) for v in f.validators):
                    unbounded.append(key)
            elif isinstance(f, models.CharField):
                assert f.max_length and f.max_length <= 1000, key
            elif isinstance(f, models.DecimalField) and key not in WIDE_DECIMAL_OK:
                assert f.max_digits and f.max_digits <= 16, key
    assert not unbounded, f"TextField without a max length (use botilbud.lib.validators.free_text): {unbounded}"


def _project_form_classes():
    for name in (
        "botilbud.forms",
        "botilbud.sso.forms",
        "visitation.forms",
        "disponering.forms",
        "budget.forms",
        "budget.followup.forms",
        "budget.rates.forms",
        "onboarding.forms",
    ):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


def test_every_text_and_number_field_in_every_form_is_bounded():
    found = 0
    unbounded = []
    for cls in _project_form_classes():
        for name, f in cls.base_fields.items():
            found += 1
            where = f"{cls.__module__}.{cls.__name__}.{name}"
            if isinstance(f, forms.CharField) and f.max_length is None and not isinstance(f.widget, forms.HiddenInput):
                unbounded.append(where)
            if isinstance(f, forms.DecimalField) and f.max_digits is None and f.max_value is None:
                unbounded.append(where)
            if getattr(f, "max_abs", "") is None:  # a Danish number field: bounded by size too
                unbounded.append(where)
    assert found > 50
    assert not unbounded, f"Form fields without a bound: {unbounded}"


def test_free_text_typed_in_the_newer_apps_refuses_cpr_numbers():
    for model, name in [
        (BudgetCorrection, "decision_note"),
        (YearEnd, "reopen_reason"),
        (CarryOver, "note"),
        (RateCalculation, "override_reason"),
        (ImportProfile, "description"),
        (GroupMapping, "description"),
    ]:
        field = model._meta.get_field(name)
        assert validate_no_cpr in field.validators, (model.__name__, name)
