"""Year-end close and carry-over on hand-computed numbers: at, under and over the cap,
a deficit, activity-funded cap base, the actuals lock and the reopen, booking on next year."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from botilbud.models import Home
from budget import yearend
from budget.models import ActualTotal, BudgetCorrection, BudgetLine, CarryOver, CorrectionKind, YearEnd
from budget.selectors import corrected_budgets
from tests.budget.helpers import xlsx_bytes

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2027, 1, 15, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("budget", "actual", "proposed", "lapsed"),
    [
        # 5 % of 1.000.000 = 50.000.
        ("1000000", "960000", "40000.00", "0.00"),  # surplus under the cap: carried in full
        ("1000000", "950000", "50000.00", "0.00"),  # exactly at the cap: carried in full
        ("1000000", "950000.01", "49999.99", "0.00"),  # one øre under the cap
        ("1000000", "930000", "50000.00", "20000.00"),  # over the cap: 50.000 carried, 20.000 lapses
        ("1000000", "1080000", "-80000.00", "0.00"),  # deficit: carried in full
        ("1000000", "1000000", "0.00", "0.00"),  # balance
    ],
)
def test_carry_over_rule(budget, actual, proposed, lapsed):
    rule = yearend.carry_over_rule(budget=D(budget), actual=D(actual), cap_base=D(budget), cap_pct=D("5"))
    assert rule.cap == D("50000.00")
    assert rule.proposed == D(proposed) and rule.lapsed == D(lapsed)


def test_cap_is_configurable():
    rule = yearend.carry_over_rule(budget=D("200000"), actual=D("180000"), cap_base=D("200000"), cap_pct=D("2.5"))
    assert (rule.result, rule.cap, rule.proposed, rule.lapsed) == (D("20000"), D("5000"), D("5000"), D("15000"))


def _year(home, year, loen, drift, indtaegt, actual: dict):
    for group, original in (("loen", loen), ("drift", drift), ("indtaegt", indtaegt)):
        BudgetLine.objects.create(home=home, year=year, group=group, original=D(original))
    for group, amount in actual.items():
        ActualTotal.objects.create(home=home, month=dt.date(year, 6, 1), group=group, amount=D(amount), row_count=1)


@pytest.fixture
def year_2026(org):
    # home_b (frame-funded): net budget 1.000.000 − 200.000 = 800.000; actual 700.000 → surplus 100.000,
    # cap 5 % × 800.000 = 40.000 → 40.000 carried, 60.000 lapses.
    _year(org.home_b, 2026, "900000", "100000", "-200000", {"loen": "650000", "drift": "250000", "indtaegt": "-200000"})
    # home_a (activity-funded): gross expenditure 2.000.000 (cap 100.000), net 50.000; actual 150.000 → deficit.
    _year(
        org.home_a,
        2026,
        "1600000",
        "400000",
        "-1950000",
        {"loen": "1700000", "drift": "400000", "indtaegt": "-1950000"},
    )
    return 2026


def test_close_proposes_and_approval_books_on_next_year(org, year_2026):
    ye = yearend.year_close(year=2026, user=org.consultant, now=NOW)
    b = CarryOver.objects.get(home=org.home_b)
    assert (b.budget, b.actual, b.result, b.cap, b.proposed, b.lapsed) == (
        D("800000"),
        D("700000"),
        D("100000"),
        D("40000"),
        D("40000"),
        D("60000"),
    )
    a = CarryOver.objects.get(home=org.home_a)
    assert (a.cap_base, a.cap, a.result, a.proposed) == (D("2000000"), D("100000"), D("-100000"), D("-100000"))
    assert "bortfalder: 60.000,00 kr" in b.computation
    # Nothing is booked before the department head approves.
    assert not BudgetCorrection.objects.filter(kind=CorrectionKind.CARRY_OVER).exists()
    with pytest.raises(yearend.YearEndError):
        yearend.carry_over_approve(carry_over=b, user=org.consultant, seen_version=b.version)
    yearend.approve_all(year_end=ye, user=org.department_head, home_ids=[org.home_a.pk, org.home_b.pk])
    booked = {c.line.home_id: c for c in BudgetCorrection.objects.filter(kind=CorrectionKind.CARRY_OVER)}
    assert booked[org.home_b.pk].amount == D("40000") and booked[org.home_b.pk].line.year == 2027
    assert booked[org.home_b.pk].line.group == "drift" and "Overskud" in booked[org.home_b.pk].computation
    assert booked[org.home_a.pk].amount == D("-100000")
    line_b = booked[org.home_b.pk].line
    assert corrected_budgets([line_b.pk])[line_b.pk] == D("40000")  # next year's line created with original 0


def test_decided_otherwise_needs_a_note(org, year_2026):
    yearend.year_close(year=2026, user=org.consultant, now=NOW)
    b = CarryOver.objects.get(home=org.home_b)
    with pytest.raises(yearend.YearEndError):
        yearend.carry_over_approve(carry_over=b, user=org.department_head, seen_version=b.version, amount=D("100000"))
    yearend.carry_over_approve(
        carry_over=b, user=org.department_head, seen_version=b.version, amount=D("100000"), note="Byrådet 20-01"
    )
    b.refresh_from_db()
    assert b.amount == D("100000") and b.lapsed == 0
    assert BudgetCorrection.objects.get(kind=CorrectionKind.CARRY_OVER).amount == D("100000")


def test_closed_year_refuses_reimport_until_reopened(org, year_2026, client_for):
    yearend.year_close(year=2026, user=org.consultant, now=NOW)
    rows = [
        ["52010", "5.38.50", "1.10", "15-05-2026", "1.000,00", "Løn"],
        ["52010", "5.38.50", "1.10", "15-01-2027", "5,00", "Løn"],
    ]
    upload = SimpleUploadedFile("m.xlsx", xlsx_bytes(rows))
    response = client_for(org.consultant).post(reverse("budget:actuals_import"), {"file": upload})
    assert response.status_code == 400
    errors = response.context["stage"].errors
    assert [e.row for e in errors] == [2] and "lukket" in errors[0].reasons[0]
    ye = YearEnd.objects.get(year=2026)
    with pytest.raises(yearend.YearEndError):
        yearend.year_reopen(year_end=ye, user=org.consultant, reason=" ", seen_version=ye.version)
    yearend.year_reopen(year_end=ye, user=org.consultant, reason="Rettet fejlpostering", seen_version=ye.version)
    upload = SimpleUploadedFile("m.xlsx", xlsx_bytes(rows))
    response = client_for(org.consultant).post(reverse("budget:actuals_import"), {"file": upload})
    assert response.status_code == 200 and response.context["batch"]


def test_reclose_books_only_the_difference(org, year_2026):
    ye = yearend.year_close(year=2026, user=org.consultant, now=NOW)
    yearend.approve_all(year_end=ye, user=org.department_head, home_ids=[org.home_b.pk])
    ye = yearend.year_reopen(year_end=ye, user=org.consultant, reason="Sen faktura", seen_version=ye.version)
    # A late invoice of 70.000 lowers home_b's surplus to 30.000 (under the cap of 40.000).
    ActualTotal.objects.filter(home=org.home_b, group="drift").update(amount=D("320000"))
    yearend.year_close(year=2026, user=org.consultant, now=NOW)
    b = CarryOver.objects.get(home=org.home_b)
    assert (b.status, b.proposed, b.booked) == (CarryOver.Status.PROPOSED, D("30000"), D("40000"))
    yearend.carry_over_approve(carry_over=b, user=org.department_head, seen_version=b.version)
    amounts = sorted(
        BudgetCorrection.objects.filter(kind=CorrectionKind.CARRY_OVER, line__home=org.home_b).values_list(
            "amount", flat=True
        )
    )
    assert amounts == [D("-10000"), D("40000")]  # the first booking is never overwritten


def test_only_past_years_close_and_only_consultants(org, year_2026):
    with pytest.raises(yearend.YearEndError):
        yearend.year_close(year=2027, user=org.consultant, now=NOW)
    for user in (org.manager, org.department_head, org.area_manager):
        with pytest.raises(yearend.YearEndError):
            yearend.year_close(year=2026, user=user, now=NOW)
    assert Home.objects.count() == 3


# --- Pages ---------------------------------------------------------------------------


def test_year_pages_flow_and_scoping(org, year_2026, client_for, settings):
    with time_machine.travel(dt.datetime(2027, 2, 1, 10, tzinfo=dt.UTC)):
        consultant = client_for(org.consultant)
        assert consultant.get(reverse("budget:year_list")).status_code == 200
        detail = reverse("budget:year_detail", args=[2026])
        assert "Luk 2026" in consultant.get(detail).content.decode()
        assert consultant.post(reverse("budget:year_close", args=[2026]), {"cap_pct": "5,00"}).status_code == 302
        assert YearEnd.objects.get(year=2026).is_closed
        html = consultant.get(detail).content.decode()
        assert "Egebakken" in html and "Lindehuset" in html and "Godkend alle" not in html
        for user in (org.manager, org.area_manager, org.caseworker):
            assert client_for(user).get(detail).status_code == 403
            assert client_for(user).post(reverse("budget:year_close", args=[2026]), {"cap_pct": "5"}).status_code == 403
        b = CarryOver.objects.get(home=org.home_b)
        approve = reverse("budget:carry_over_approve", args=[2026, b.pk])
        assert client_for(org.consultant).post(approve, {"version": b.version}).status_code == 403
        head = client_for(org.department_head)
        assert head.post(approve, {"version": b.version}).status_code == 302
        b.refresh_from_db()
        assert b.status == CarryOver.Status.APPROVED
        assert head.post(reverse("budget:carry_over_approve_all", args=[2026])).status_code == 302
        assert CarryOver.objects.filter(status=CarryOver.Status.PROPOSED).count() == 0
        # Next year's budget page shows the carry-over with its computation, to the home's manager too.
        page = client_for(org.manager).get(reverse("budget:home_budget", args=[org.home_b.pk]) + "?aar=2027")
        html = page.content.decode()
        assert "Overførsel fra sidste år" in html and "40.000,00" in html and "Beregning" in html
        # The year-end statement: the manager of the home, not another home's manager.
        statement = reverse("budget:year_statement", args=[org.home_b.pk, 2026])
        assert "60.000" in client_for(org.manager).get(statement).content.decode()  # lapses
        assert client_for(org.other_manager).get(statement).status_code == 404
        xlsx = client_for(org.manager).get(statement + "?format=xlsx")
        assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")
        # A closed year's budget can no longer be corrected.
        line = BudgetLine.objects.get(home=org.home_b, year=2026, group="drift")
        client_for(org.consultant).post(
            reverse("budget:correction_add", args=[org.home_b.pk, line.pk]),
            {"kind": "teknisk", "amount": "1", "date": "2026-12-31", "reason": "x"},
        )
        assert not BudgetCorrection.objects.filter(line=line).exists()
        # Reopen needs a reason, through the page too.
        ye = YearEnd.objects.get(year=2026)
        client_for(org.consultant).post(
            reverse("budget:year_reopen", args=[2026]), {"reason": "", "version": ye.version}
        )
        assert YearEnd.objects.get(year=2026).is_closed
        client_for(org.consultant).post(
            reverse("budget:year_reopen", args=[2026]), {"reason": "Sen faktura", "version": ye.version}
        )
        assert YearEnd.objects.get(year=2026).status == YearEnd.Status.REOPENED


def test_year_statement_xlsx_neutralises_text(org, year_2026, client_for):
    Home.objects.filter(pk=org.home_b.pk).update(name="=HYPERLINK(1)")
    yearend.year_close(year=2026, user=org.consultant, now=NOW)
    response = client_for(org.manager).get(
        reverse("budget:year_statement", args=[org.home_b.pk, 2026]) + "?format=xlsx"
    )
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = [c.value for row in wb.active.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(v.startswith("=") for v in values)


def test_year_detail_query_count_is_bounded(org, year_2026, client_for, django_assert_max_num_queries):
    yearend.year_close(year=2026, user=org.consultant, now=NOW)
    client = client_for(org.department_head)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("budget:year_detail", args=[2026])).status_code == 200
    for i in range(5):
        home = Home.objects.create(
            name=f"Ekstra {i}", area=org.area_north, capacity=5, target_group="handicap", cost_centre=f"6{i}"
        )
        _year(home, 2026, "1", "1", "0", {})
    YearEnd.objects.filter(year=2026).update(status=YearEnd.Status.REOPENED)
    yearend.year_close(year=2026, user=org.consultant, now=NOW)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("budget:year_detail", args=[2026])).status_code == 200
        assert client.get(reverse("budget:year_list")).status_code == 200
