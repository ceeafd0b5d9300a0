"""Next year's budget pages: scoping per role, the consultant's writes, Danish 4xx on bad
input, the export, and query counts at two data sizes."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal as D

import pytest
import time_machine

from botilbud.models import Home
from budget.models import BudgetLine
from budget.nextyear import services
from budget.nextyear.models import BudgetDraft
from budget.rates.models import PriceIndex
from tests.visitation.conftest import make_placement
from visitation.models import Offer

TODAY = dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def budgets(org, vis):
    PriceIndex.objects.update_or_create(year=2027, defaults={"pl_pct": D("2.00"), "wage_pct": None, "price_pct": None})
    for home in (org.home_a, org.home_b, org.home_c):
        for group, amount in (("loen", "1000000"), ("drift", "200000"), ("indtaegt", "-100000")):
            BudgetLine.objects.create(home=home, year=2026, group=group, original=D(amount))
    make_placement(vis.own_108, package=vis.pkg6)
    return org


def url(home, suffix=""):
    return f"/budget/naeste-aar/botilbud/{home.pk}/{suffix}"


# role → status of home A's page (B's manager, caseworker and authority head: 404)
PAGE_STATUS = {
    "manager": 200,
    "other_manager": 404,
    "area_manager": 200,
    "consultant": 200,
    "caseworker": 404,
    "authority_head": 404,
    "department_head": 200,
    "administrator": 200,
}


@pytest.mark.parametrize("role,status", PAGE_STATUS.items())
def test_home_page_is_scoped_per_role(budgets, client_for, role, status):
    org = budgets
    services.draft_compute(home=org.home_a, year=2027, user=org.consultant)
    response = client_for(getattr(org, role)).get(url(org.home_a) + "?aar=2027")
    assert response.status_code == status
    if status == 200:
        assert "Kladde til budget 2027, ikke låst" in response.content.decode()


# role → status of computing home A's draft (scoped: another home is 404 before 403)
COMPUTE_STATUS = {
    "manager": 403,
    "other_manager": 404,
    "area_manager": 403,
    "consultant": 302,
    "caseworker": 404,
    "authority_head": 404,
    "department_head": 403,
    "administrator": 302,
}


@pytest.mark.parametrize("role,status", COMPUTE_STATUS.items())
def test_compute_is_the_consultants_and_scoped(budgets, client_for, role, status):
    org = budgets
    response = client_for(getattr(org, role)).post(url(org.home_a, "beregn/"), {"aar": "2027"})
    assert response.status_code == status
    assert BudgetDraft.objects.filter(home=org.home_a).exists() == (status == 302)


def test_consultant_gets_404_for_a_home_they_do_not_serve(budgets, client_for):
    org = budgets
    client = client_for(org.consultant)
    assert client.get(url(org.home_c) + "?aar=2027").status_code == 404
    assert client.post(url(org.home_c, "beregn/"), {"aar": "2027"}).status_code == 404
    assert client.get(f"/budget/naeste-aar/eksport/?aar=2027&botilbud={org.home_c.pk}").status_code == 404


def test_overview_lists_only_visible_homes(budgets, client_for):
    org = budgets
    page = client_for(org.consultant).get("/budget/naeste-aar/?aar=2027").content.decode()
    assert org.home_a.name in page and org.home_c.name not in page
    assert client_for(org.manager).get("/budget/naeste-aar/?aar=2027").status_code == 403
    assert client_for(org.caseworker).get("/budget/naeste-aar/?aar=2027").status_code == 403


def test_overview_computes_the_consultants_homes(budgets, client_for):
    org = budgets
    response = client_for(org.consultant).post("/budget/naeste-aar/beregn/", {"aar": "2027"})
    assert response.status_code == 302
    assert set(BudgetDraft.objects.values_list("home_id", flat=True)) == {org.home_a.pk, org.home_b.pk}


@pytest.mark.parametrize(
    "path,data,message",
    [
        ("beregn/", {"aar": "2026"}, "kommende år"),
        ("beregn/", {"aar": "abc"}, "gyldigt år"),
        ("laas/", {"aar": "2027", "version": "x"}, "versionsnummer"),
    ],
)
def test_bad_input_gets_a_danish_400(budgets, client_for, path, data, message):
    org = budgets
    services.draft_compute(home=org.home_a, year=2027, user=org.consultant)
    response = client_for(org.consultant).post(url(org.home_a, path), data)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_bad_year_on_the_page_is_a_danish_400(budgets, client_for):
    response = client_for(budgets.manager).get(url(budgets.home_a) + "?aar=²")
    assert response.status_code == 400 and "gyldigt år" in response.content.decode()


def test_adjust_lock_and_export(budgets, client_for):
    org = budgets
    client = client_for(org.consultant)
    draft = services.draft_compute(home=org.home_a, year=2027, user=org.consultant)
    line = draft.lines.get(key="drift")
    prefix = f"linje{line.pk}"
    # Bad input: a Danish 400 and nothing saved.
    for data, message in (
        ({f"{prefix}-adjustment": "12,34,5", f"{prefix}-reason": "x", f"{prefix}-version": line.version}, "tal"),
        ({f"{prefix}-adjustment": "1.000", f"{prefix}-reason": "", f"{prefix}-version": line.version}, "begrundelse"),
    ):
        response = client.post(url(org.home_a, f"linje/{line.pk}/"), data)
        assert response.status_code == 400, data
        assert message in response.content.decode().lower()
    ok = {f"{prefix}-adjustment": "-8.900", f"{prefix}-reason": "Husleje ned", f"{prefix}-version": line.version}
    assert client.post(url(org.home_a, f"linje/{line.pk}/"), ok).status_code == 302
    line.refresh_from_db()
    assert line.adjustment == D("-8900.00") and line.amount == D("195100.00")  # 200.000 × 1,02 − 8.900
    # The same form again (a stale page): 409 with the conflict message, not overwritten.
    stale = {**ok, f"{prefix}-adjustment": "5.000"}
    response = client.post(url(org.home_a, f"linje/{line.pk}/"), stale)
    assert response.status_code == 409 and "en anden har ændret" in response.content.decode()
    page = client.get(url(org.home_a) + "?aar=2027").content.decode()
    assert "Husleje ned" in page and "-8.900,00 kr." in page
    # Export before the lock: nothing locked yet.
    response = client.get("/budget/naeste-aar/eksport/?aar=2027")
    assert response.status_code == 400 and "intet låst budget" in response.content.decode()
    draft.refresh_from_db()
    assert client.post(url(org.home_a, "laas/"), {"aar": "2027", "version": draft.version}).status_code == 302
    assert BudgetLine.objects.get(home=org.home_a, year=2027, group="drift").original == D("195100.00")
    # Locked: read-only.
    response = client.post(url(org.home_a, f"linje/{line.pk}/"), {**ok, f"{prefix}-version": line.version + 1})
    assert response.status_code == 409 and "låst" in response.content.decode()
    page = client.get(url(org.home_a) + "?aar=2027").content.decode()
    assert "Låst oprindeligt budget 2027" in page and "Gem tilpasning" not in page
    # The manager sees it as locked too, with where it comes from.
    manager_page = client_for(org.manager).get(url(org.home_a) + "?aar=2027").content.decode()
    assert "Låst oprindeligt budget 2027" in manager_page and "Hvor tallet kommer fra" in manager_page
    response = client_for(org.consultant).get(f"/budget/naeste-aar/eksport/?aar=2027&botilbud={org.home_a.pk}")
    assert response.status_code == 200 and response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Omkostningssted", "Funktion", "Dranst", "Art", "Kontostreng", "Budgetår", "Beløb", "Tekst"]
    assert ["52000", "5.38.50", "1", "2.29", "5.38.50.1.2.29", "2027", "195100,00", "Egebakken: budget 2027"] in rows
    assert {r[3] for r in rows[1:]} == {"1.10", "2.29", "9.71"}


def test_export_neutralises_formulas_and_sums_per_cost_centre_and_account(budgets, client_for):
    org = budgets
    Home.objects.filter(pk=org.home_b.pk).update(name='=HYPERLINK("http://x")')
    org.home_b.refresh_from_db()
    draft = services.draft_compute(home=org.home_b, year=2027, user=org.consultant)
    draft.refresh_from_db()
    services.draft_lock(draft=draft, seen_version=draft.version, user=org.consultant)
    response = client_for(org.department_head).get("/budget/naeste-aar/eksport/?aar=2027")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 4  # header + wages, operations, other income
    assert all(r[7].startswith("'=HYPERLINK") for r in rows[1:])
    assert {r[6] for r in rows[1:]} == {"1020000,00", "204000,00", "-102000,00"}


def _more_homes(org, vis, n):
    for i in range(n):
        home = Home.objects.create(
            name=f"Ekstra {i}", area=org.area_north, capacity=10, target_group="handicap", cost_centre=f"6{i:04d}"
        )
        home.consultants.add(org.consultant)
        offer = Offer.objects.create(provider=vis.own, name=home.name, paragraph=vis.p108, home=home)
        for group, amount in (("loen", "500000"), ("drift", "50000"), ("indtaegt", "-10000")):
            BudgetLine.objects.create(home=home, year=2026, group=group, original=D(amount))
        for _ in range(3):
            make_placement(offer, package=vis.pkg9)
        services.draft_compute(home=home, year=2027, user=org.consultant)


@pytest.mark.parametrize("extra", [0, 12])
def test_pages_run_a_bounded_number_of_queries(budgets, vis, client_for, django_assert_max_num_queries, extra):
    org = budgets
    _more_homes(org, vis, extra)
    services.draft_compute(home=org.home_a, year=2027, user=org.consultant)
    client = client_for(org.consultant)
    with django_assert_max_num_queries(20):
        assert client.get(url(org.home_a) + "?aar=2027").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/budget/naeste-aar/?aar=2027").status_code == 200
    for home in Home.objects.filter(consultants=org.consultant):
        draft = BudgetDraft.objects.filter(home=home, year=2027).first() or services.draft_compute(
            home=home, year=2027, user=org.consultant
        )
        draft.refresh_from_db()
        services.draft_lock(draft=draft, seen_version=draft.version, user=org.consultant)
    with django_assert_max_num_queries(8):
        response = client.get("/budget/naeste-aar/eksport/?aar=2027")
        rows = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert len(rows) == 1 + 3 * (2 + extra)


def test_the_years_budget_page_points_to_the_draft_and_then_to_the_locked_budget(budgets, client_for):
    org = budgets
    client = client_for(org.manager)
    budget_page = f"/budget/botilbud/{org.home_a.pk}/?aar=2027"
    assert "next-year-draft" not in client.get(budget_page).content.decode()
    draft = services.draft_compute(home=org.home_a, year=2027, user=org.consultant)
    assert "er under udarbejdelse" in client.get(budget_page).content.decode()
    draft.refresh_from_db()
    services.draft_lock(draft=draft, seen_version=draft.version, user=org.consultant)
    page = client.get(budget_page).content.decode()
    assert "er lagt fra modellerne og låst 01-12-2026" in page and "se hvor tallene kommer fra" in page
    assert "1.020.000,00 kr." in page  # the locked wages are the original budget
