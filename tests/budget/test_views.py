"""Pages: scoping per role, the import flow over HTTP, methods, bounded queries."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from botilbud.models import Role
from budget.chart import ensure_default_accounts
from budget.models import Actual, ActualTotal, BudgetCorrection, BudgetLine, StaffingPlan
from budget.services import import_actuals
from onboarding.framework import parse_amount
from onboarding.models import ImportBatch
from tests.budget.helpers import bad_rows_17_and_40, xlsx_bytes
from tests.conftest import make_user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def budget_url(home, **query):
    url = reverse("budget:home_budget", args=[home.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.mark.parametrize(
    "who,status",
    [
        ("manager", 200),
        ("other_manager", 404),
        ("area_manager", 200),
        ("consultant", 200),
        ("caseworker", 404),
        ("authority_head", 404),
        ("department_head", 200),
        ("administrator", 200),
    ],
)
@pytest.mark.parametrize("name", ["budget:home_budget", "budget:staffing", "budget:allocation"])
def test_home_pages_scoped(org, client_for, who, status, name):
    client = client_for(getattr(org, who))
    assert client.get(reverse(name, args=[org.home_a.pk])).status_code == status


@pytest.mark.parametrize(
    "who,status",
    [("consultant", 200), ("administrator", 200), ("manager", 403), ("caseworker", 403), ("department_head", 403)],
)
def test_import_page_roles(org, client_for, who, status):
    assert client_for(getattr(org, who)).get(reverse("budget:actuals_import")).status_code == status


def test_manager_cannot_upload(org, client_for):
    upload = SimpleUploadedFile("maj.xlsx", xlsx_bytes([["52000", "5.38.50", "1.10", "01-05-2026", "1,00", "x"]]), XLSX)
    response = client_for(org.manager).post(reverse("budget:actuals_import"), {"file": upload})
    assert response.status_code == 403
    assert not Actual.objects.exists()


def test_methods(org, client_for):
    client = client_for(org.consultant)
    assert client.put(budget_url(org.home_a)).status_code == 405
    assert client.delete(reverse("budget:actuals_import")).status_code == 405
    assert client.get(reverse("budget:actuals_import_confirm", args=[1])).status_code == 405


def test_bad_query_parameters_are_400(org, client_for):
    client = client_for(org.manager)
    assert client.get(budget_url(org.home_a, aar="abc")).status_code == 400
    response = client.get(budget_url(org.home_a, maaned="13"))
    assert response.status_code == 400
    assert "gyldig måned" in response.content.decode()


def test_bad_upload_is_400_naming_rows(org, client_for):
    client = client_for(org.consultant)
    upload = SimpleUploadedFile("fejl.xlsx", xlsx_bytes(bad_rows_17_and_40()), XLSX)
    response = client.post(reverse("budget:actuals_import"), {"file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-row="17"' in html and 'data-row="40"' in html
    assert "Ukendt omkostningssted »99999«" in html
    assert "Intet er indlæst" in html
    assert not Actual.objects.exists()


@pytest.mark.parametrize("payload", [b"", b"garbage", b"PK\x03\x04broken zip"])
def test_garbage_upload_is_400_not_500(org, client_for, payload):
    upload = SimpleUploadedFile("x.xlsx", payload, XLSX)
    response = client_for(org.consultant).post(reverse("budget:actuals_import"), {"file": upload})
    assert response.status_code == 400


def test_wrong_extension_and_missing_file_are_400(org, client_for):
    client = client_for(org.consultant)
    assert client.post(reverse("budget:actuals_import"), {}).status_code == 400
    upload = SimpleUploadedFile("x.pdf", b"%PDF", "application/pdf")
    response = client.post(reverse("budget:actuals_import"), {"file": upload})
    assert response.status_code == 400
    assert "Filtypen" in response.content.decode()


def test_upload_preview_confirm_moves_forecast(org, client_for):
    BudgetLine.objects.create(home=org.home_a, year=2026, group="loen", original=D("1200000"))
    client = client_for(org.consultant)
    before = client.get(budget_url(org.home_a, aar=2026, maaned=5)).context["total"].forecast
    rows = [["52000", "5.38.50", "1.10", "15-05-2026", "250.000,00", "Løn maj"]]
    upload = SimpleUploadedFile("maj.xlsx", xlsx_bytes(rows), XLSX)
    response = client.post(reverse("budget:actuals_import"), {"file": upload, "month": "2026-05"})
    assert response.status_code == 200
    assert "Godkend og indlæs" in response.content.decode()
    assert not Actual.objects.exists()
    batch = response.context["batch"]
    response = client.post(reverse("budget:actuals_import_confirm", args=[batch.pk]))
    assert response.status_code == 302
    assert Actual.objects.count() == 1
    after = client.get(budget_url(org.home_a, aar=2026, maaned=5)).context["total"].forecast
    # At May: before = 0 actuals + 7/12 × 1,200,000 = 700,000; after = 250,000 + 700,000.
    assert (before, after) == (D("700000.00"), D("950000.00"))
    # Confirming twice does nothing.
    client.post(reverse("budget:actuals_import_confirm", args=[batch.pk]))
    assert Actual.objects.count() == 1


def test_other_consultant_cannot_confirm_my_batch(org, client_for):
    client = client_for(org.consultant)
    rows = [["52000", "5.38.50", "1.10", "15-05-2026", "1,00", "x"]]
    batch = client.post(
        reverse("budget:actuals_import"), {"file": SimpleUploadedFile("m.xlsx", xlsx_bytes(rows), XLSX)}
    ).context["batch"]
    other = make_user("konsulent2", Role.CONSULTANT)
    assert client_for(other).post(reverse("budget:actuals_import_confirm", args=[batch.pk])).status_code == 404


def test_corrections_only_by_consultant(org, client_for):
    line = BudgetLine.objects.create(home=org.home_a, year=2026, group="drift", original=D("100000"))
    url = reverse("budget:correction_add", args=[org.home_a.pk, line.pk])
    data = {"amount": "-12.500,00", "date": "2026-06-01", "reason": "Besparelse"}
    assert client_for(org.manager).post(url, data).status_code == 403
    assert client_for(org.other_manager).post(url, data).status_code == 404
    assert client_for(org.consultant).post(url, data).status_code == 302
    correction = BudgetCorrection.objects.get()
    assert correction.amount == D("-12500.00") and correction.created_by == org.consultant
    line.refresh_from_db()
    assert line.original == D("100000.00")  # never overwritten


def test_profile_edit(org, client_for):
    line = BudgetLine.objects.create(home=org.home_a, year=2026, group="loen", original=D("1200000"))
    url = reverse("budget:profile_edit", args=[org.home_a.pk, line.pk])
    client = client_for(org.consultant)
    data = {f"m{i}": "8" for i in range(1, 13)}
    data.update({"m5": "12", "version": line.version})
    assert client.post(url, data).status_code == 302
    line.refresh_from_db()
    assert line.profile[4] == D("12")
    bad = {**{f"m{i}": "5" for i in range(1, 13)}, "version": line.version}
    response = client.post(url, bad)
    assert response.status_code == 400
    assert "100 %" in response.content.decode()
    assert client_for(org.manager).get(url).status_code == 403


def test_staffing_plan_saved_by_manager(org, client_for):
    BudgetLine.objects.create(home=org.home_a, year=2026, group="loen", original=D("4800000"))
    client = client_for(org.manager)
    url = reverse("budget:staffing", args=[org.home_a.pk]) + "?aar=2026"
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["result"].fte == D("10.00")
    data = {
        "wage_budget": "4.800.000",
        "annual_wage_cost": "480.000",
        "annual_norm_hours": "1.924",
        "holiday_weeks": "5",
        "extra_holiday_days": "5",
        "sickness_pct": "5",
        "competence_hours": "22",
        "meeting_hours": "40",
        "other_hours": "0",
        "roster_hours_per_week": "300",
    }
    assert client.post(url, data).status_code == 302
    plan = StaffingPlan.objects.get(home=org.home_a, year=2026)
    response = client.get(url)
    assert response.context["result"].roster_hours == D("15056.90")
    assert response.context["cost"].cost == D("4973135.24")
    assert "Vis som tabel" in response.content.decode()
    # Stale version → conflict, not an overwrite.
    stale = {**data, "version": plan.version, "sickness_pct": "6"}
    client.post(url, stale)
    stale["sickness_pct"] = "7"
    assert client.post(url, stale).status_code == 409
    # A home the manager cannot write: the area manager reads but may not save.
    assert client_for(org.area_manager).post(url, data).status_code == 403
    bad = {**data, "sickness_pct": "abc", "version": StaffingPlan.objects.get().version}
    assert client_for(org.manager).post(url, bad).status_code == 400


def _actuals(home, months):
    ActualTotal.objects.bulk_create(
        [
            ActualTotal(home=home, month=dt.date(2026, m, 1), group=g, amount=D("1000"), row_count=1)
            for m in months
            for g in ("loen", "drift", "indtaegt")
        ]
    )


def test_budget_page_queries_are_bounded(org, client_for):
    client = client_for(org.consultant)
    for g in ("loen", "drift", "indtaegt"):
        BudgetLine.objects.create(home=org.home_a, year=2026, group=g, original=D("120000"))
    _actuals(org.home_a, [1])
    with CaptureQueriesContext(connection) as small:
        assert client.get(budget_url(org.home_a, aar=2026)).status_code == 200
    _actuals(org.home_a, range(2, 13))
    for line in BudgetLine.objects.filter(home=org.home_a):
        for i in range(5):
            BudgetCorrection.objects.create(
                line=line, date=dt.date(2026, 3, i + 1), amount=D("10"), reason="x", created_by=org.consultant
            )
    with CaptureQueriesContext(connection) as large:
        assert client.get(budget_url(org.home_a, aar=2026)).status_code == 200
    assert len(small) == len(large)
    assert len(large) < 25


def test_budget_import_xlsx(org, client_for):
    """The original budget goes through the staged import: preview, then confirm."""

    client = client_for(org.consultant)
    url = reverse("onboarding:upload", args=["budget"])
    header = ["Omkostningssted", "År", "Kontogruppe", "Budget"]
    good = xlsx_bytes([["52000", 2026, "Løn", 1200000], ["52000", 2026, "Indtægter", "-300.000,00"]], header)
    response = client.post(url, {"file": SimpleUploadedFile("b.xlsx", good, XLSX)})
    assert response.status_code == 302
    assert not BudgetLine.objects.exists()
    batch = ImportBatch.objects.get()
    assert client.post(reverse("onboarding:batch_confirm", args=[batch.pk])).status_code == 302
    assert BudgetLine.objects.get(home=org.home_a, group="indtaegt").original == D("-300000.00")
    bad = xlsx_bytes([["52020", 2026, "Løn", 1], ["52000", 2026, "Kaffe", 1]], header)
    response = client.post(url, {"file": SimpleUploadedFile("b.xlsx", bad, XLSX)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Du har ikke adgang til omkostningssted »52020«" in html and "Ukendt kontogruppe »Kaffe«" in html


@pytest.mark.parametrize(
    "payload",
    [
        "Omkostningssted;Funktion;Art;Bogføringsdato;Beløb\n52000;5.38.50;1.10;01-05-2026;1,00;x;y;z\n".encode(),
        'Omkostningssted;Funktion;Art;Bogføringsdato;Beløb\n52000;"5.38.50;1.10;01-05-2026;1,00\n'.encode(),
        b"\x00\x01\x02",
        "Omkostningssted;Beløb\n".encode(),
    ],
)
def test_broken_csv_is_400_not_500(org, client_for, payload):
    upload = SimpleUploadedFile("x.csv", payload, "text/csv")
    response = client_for(org.consultant).post(reverse("budget:actuals_import"), {"file": upload})
    assert response.status_code == 400
    assert "afvist" in response.content.decode() or "Filen" in response.content.decode()
    assert not Actual.objects.exists()


def test_old_budget_overview_is_the_dashboard(org, client_for):
    """/budget/oversigt/ was folded into /dashboard/ (one forecast on screen)."""
    response = client_for(org.department_head).get(reverse("budget:dashboard") + "?aar=2026&maaned=6")
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:department") + "?aar=2026"


@pytest.mark.parametrize("query", [{"aar": "²"}, {"maaned": "①"}])
def test_non_ascii_digits_get_a_danish_400(org, client_for, query):
    response = client_for(org.consultant).get(budget_url(org.home_a, **query))
    assert response.status_code == 400


def test_budget_import_refuses_amounts_beyond_the_column():
    assert parse_amount("1.234,50", "Budgettet") == (D("1234.50"), None)
    assert parse_amount("1.234,50-", "Budgettet") == (D("-1234.50"), None)
    assert parse_amount("1000000000000", "Budgettet")[1] == "Budgettet »1000000000000« er for stort"


def test_budget_page_shows_the_configured_groups_inside_their_kind(org, client_for):
    """Operations split by the chart into »Øvrig drift«, »Køb hos andre kommuner« and »Køb hos regioner«:
    the budget page shows each one's actuals to date under the kind's row, adding up to it (hand-computed)."""

    ensure_default_accounts()
    BudgetLine.objects.create(home=org.home_a, year=2026, group="drift", original=D("1200"))
    data = (
        "Omkostningssted;Funktion;Art;Bogføringsdato;Beløb;Tekst\n"
        "52000;5.38.50;2.21;05-01-2026;100,00;Varer\n"
        "52000;5.38.50;4.71;06-01-2026;30,00;Aarhus Kommune\n"
        "52000;5.38.50;4.81;07-01-2026;20,00;Region Midt\n"
        "52000;5.38.50;4.71;03-02-2026;5,25;Aarhus Kommune\n"
    ).encode()
    assert import_actuals(stream=io.BytesIO(data), file_name="f.csv", user=None, mode="apply").stage.ok
    client = client_for(org.consultant)

    def parts(month):
        html = client.get(budget_url(org.home_a, aar=2026, maaned=month)).content.decode()
        kind = re.search(r'<tr data-group="drift">.*?data-col="actuals">([^<]+)<', html, re.S).group(1)
        subs = {
            code: (label.strip(), value)
            for code, label, value in re.findall(
                r'data-subgroup="(\w+)">\s*<th scope="row">([^<]+)</th>.*?data-col="actuals">([^<]+)<', html, re.S
            )
        }
        return kind, subs

    kind, subs = parts(1)
    assert kind == "150,00 kr."  # 100 + 30 + 20
    assert subs == {
        "drift": ("heraf øvrig drift", "100,00 kr."),
        "koeb_kommuner": ("heraf køb hos andre kommuner", "30,00 kr."),
        "koeb_regioner": ("heraf køb hos regioner", "20,00 kr."),
    }
    kind, subs = parts(2)
    assert kind == "155,25 kr." and subs["koeb_kommuner"][1] == "35,25 kr."
    # Wages and income are one group each in the shipped chart: no sub-rows for them.
    assert set(subs) == {"drift", "koeb_kommuner", "koeb_regioner"}


def test_year_statement_and_its_excel_show_the_finer_groups(org, client_for):
    """The statement's »heraf« rows: the year's actuals per configured group, adding up to the kind."""

    ensure_default_accounts()
    data = (
        "Omkostningssted;Funktion;Art;Bogføringsdato;Beløb;Tekst\n"
        "52000;5.38.50;2.21;05-01-2025;100,00;Varer\n"
        "52000;5.38.50;4.71;06-03-2025;30,00;Aarhus Kommune\n"
        "52000;5.38.50;4.81;07-12-2025;20,00;Region Midt\n"
    ).encode()
    assert import_actuals(stream=io.BytesIO(data), file_name="f.csv", user=None, mode="apply").stage.ok
    client = client_for(org.consultant)
    url = reverse("budget:year_statement", args=[org.home_a.pk, 2025])
    html = client.get(url).content.decode()
    subs = dict(
        re.findall(
            r'data-subgroup="(\w+)"><th scope="row">[^<]+</th><td class="num">—</td><td class="num">([^<]+)<', html
        )
    )
    assert subs == {"drift": "100,00", "koeb_kommuner": "30,00", "koeb_regioner": "20,00"}
    rows = list(
        load_workbook(io.BytesIO(b"".join(client.get(url + "?format=xlsx").streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    heraf = {r[0]: r[2] for r in rows if r and isinstance(r[0], str) and r[0].startswith("heraf")}
    assert heraf == {
        "heraf øvrig drift": D("100"),
        "heraf køb hos andre kommuner": D("30"),
        "heraf køb hos regioner": D("20"),
    }
    assert client_for(org.other_manager).get(url).status_code == 404
