"""The ledger page and its actions: access, HTMX branches, conflicts, queries."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from botilbud.models import AccountGroup
from disponering import selectors, services
from disponering.models import Category, LeaveRules, LedgerEntry, Spread, Status
from disponering.selectors import expected_changes

HX = {"HTTP_HX_REQUEST": "true"}


def ledger_url(home, year=2026, **extra):
    query = "&".join(f"{k}={v}" for k, v in {"aar": year, **extra}.items())
    return reverse("disponering:ledger", args=[home.pk]) + "?" + query


def make(org, home=None, **kw):
    data = {
        "home": home or org.home_a,
        "user": org.manager,
        "category": Category.HIRE,
        "account_group": AccountGroup.WAGES,
        "title": "AB",
        "amount": D("12000"),
        "start_date": dt.date(2026, 1, 1),
        "end_date": dt.date(2026, 12, 31),
        "spread": Spread.EVEN,
    }
    data.update(kw)
    return services.entry_create(**data)


def entry_post(**overrides):
    data = {
        "aar": "2026",
        "category": Category.ONE_OFF,
        "title": "Nye senge",
        "account_group": AccountGroup.OPERATIONS,
        "kind": "udgift",
        "amount_input": "24.000,00",
        "start_date": "2026-03-01",
        "end_date": "2026-03-01",
        "spread": Spread.ONE_OFF,
        "status": Status.EXPECTED,
        "comment": '=HYPERLINK("x")',
    }
    data.update(overrides)
    return data


# --- Access ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("manager", 200),
        ("consultant", 200),
        ("area_manager", 200),
        ("department_head", 200),
        ("administrator", 200),
        ("other_manager", 404),
        ("caseworker", 404),
        ("authority_head", 404),
    ],
)
def test_ledger_page_access(org, client_for, persona, status):
    make(org)
    response = client_for(getattr(org, persona)).get(ledger_url(org.home_a))
    assert response.status_code == status


def test_anonymous_redirected_to_login(org, client):
    response = client.get(ledger_url(org.home_a))
    assert response.status_code == 302
    assert "/log-ind/" in response["Location"]


@pytest.mark.parametrize(("persona", "status"), [("manager", 302), ("consultant", 302)])
def test_writers_may_create(org, client_for, persona, status):
    response = client_for(getattr(org, persona)).post(
        reverse("disponering:entry_create", args=[org.home_a.pk]), entry_post()
    )
    assert response.status_code == status
    entry = LedgerEntry.objects.get()
    assert entry.registered_by == getattr(org, persona)
    assert entry.amount == D("24000.00")
    assert expected_changes(org.home_a, 2026) == {(dt.date(2026, 3, 1), "drift"): D("24000.00")}


@pytest.mark.parametrize(
    ("persona", "status"), [("area_manager", 403), ("department_head", 403), ("administrator", 403)]
)
def test_readers_get_403_on_writes(org, client_for, persona, status):
    entry = make(org)
    client = client_for(getattr(org, persona))
    assert client.post(reverse("disponering:entry_create", args=[org.home_a.pk]), entry_post()).status_code == status
    assert client.post(reverse("disponering:entry_cancel", args=[entry.pk]), {"version": 1}).status_code == status
    assert client.post(reverse("disponering:entry_confirm", args=[entry.pk]), {"version": 1}).status_code == status
    assert client.get(reverse("disponering:entry_edit", args=[entry.pk])).status_code == status
    assert client.get(reverse("disponering:entry_create", args=[org.home_a.pk])).status_code == status
    assert client.get(reverse("disponering:leave_create", args=[org.home_a.pk]), **HX).status_code == status
    entry.refresh_from_db()
    assert entry.status == Status.EXPECTED
    assert LedgerEntry.objects.count() == 1


@pytest.mark.parametrize("persona", ["other_manager", "caseworker"])
def test_outsiders_get_404_everywhere(org, client_for, persona):
    entry = make(org)
    client = client_for(getattr(org, persona))
    assert client.post(reverse("disponering:entry_create", args=[org.home_a.pk]), entry_post()).status_code == 404
    assert client.post(reverse("disponering:entry_cancel", args=[entry.pk]), {"version": 1}).status_code == 404
    assert client.get(reverse("disponering:entry_edit", args=[entry.pk])).status_code == 404
    assert client.get(reverse("history", args=["disponering", entry.pk])).status_code == 404
    assert client.get(reverse("disponering:export", args=[org.home_a.pk])).status_code == 404


def test_wrong_method_405(org, client_for):
    entry = make(org)
    client = client_for(org.manager)
    assert client.put(reverse("disponering:entry_create", args=[org.home_a.pk])).status_code == 405
    assert client.get(reverse("disponering:entry_confirm", args=[entry.pk])).status_code == 405
    assert client.get(reverse("disponering:entry_cancel", args=[entry.pk])).status_code == 405
    assert client.post(ledger_url(org.home_a)).status_code == 405
    assert client.delete(reverse("disponering:entry_edit", args=[entry.pk])).status_code == 405


# --- Page, filters, HTMX ----------------------------------------------------------


def test_page_shows_grid_and_entries_with_filters(org, client_for):
    make(org, title="Nyansat pædagog")
    cancelled = make(org, title="Aflyst køb", category=Category.ONE_OFF, account_group=AccountGroup.OPERATIONS)
    services.entry_cancel(entry=cancelled, seen_version=1)
    client = client_for(org.consultant)
    html = client.get(ledger_url(org.home_a)).content.decode()
    assert "Nyansat pædagog" in html and "Aflyst køb" in html
    assert 'class="cancelled-row"' in html
    assert "1.000" in html  # 12,000 evenly → 1.000 per month in the grid
    assert reverse("history", args=["disponering", cancelled.pk]) in html
    filtered = client.get(ledger_url(org.home_a, kategori="nyansaettelse")).content.decode()
    assert "Nyansat pædagog" in filtered and "Aflyst køb" not in filtered
    by_status = client.get(ledger_url(org.home_a, status="annulleret")).content.decode()
    assert "Aflyst køb" in by_status and "Nyansat pædagog" not in by_status
    # Unknown filter values and years fall back instead of failing.
    assert client.get(ledger_url(org.home_a, year="abc", kategori="x", status="y")).status_code == 200


def test_reader_sees_no_forms(org, client_for):
    make(org)
    html = client_for(org.area_manager).get(ledger_url(org.home_a)).content.decode()
    assert 'id="entry-form"' not in html and "Ny disponering" not in html
    assert 'id="ledger-row-action"' not in html and "Bekræft<" not in html
    assert "Ret<" not in html


def test_forms_are_fetched_on_demand(org, client_for):
    """The page carries no form for a new entry and none per row: the create
    forms come from a GET when opened (HTMX, or a page of their own without
    JavaScript), the edit form from "Ret", and the row buttons submit one
    shared form."""
    entry = make(org)
    client = client_for(org.manager)
    html = client.get(ledger_url(org.home_a)).content.decode()
    assert 'id="entry-form"' not in html and 'id="leave-form"' not in html
    assert html.count("<form") == 3  # log-out, filters, the shared row-action form
    assert 'id="konsekvens_hours_to"' not in html
    create = reverse("disponering:entry_create", args=[org.home_a.pk])
    leave = reverse("disponering:leave_create", args=[org.home_a.pk])
    consequence = reverse("disponering:consequence", args=[org.home_a.pk])
    assert f'href="{create}?aar=2026"' in html and f'href="{leave}?aar=2026"' in html
    assert f'hx-get="{consequence}?aar=2026"' in html and f'href="{consequence}?aar=2026"' in html
    # The income-consequence form: a fragment for HTMX, a page of its own without, both unbound (200, no errors).
    fragment = client.get(consequence + "?aar=2027", **HX)
    assert fragment.status_code == 200
    text = fragment.content.decode()
    assert text.strip().startswith("<form") and "<html" not in text and 'id="consequence"' in text
    assert 'id="konsekvens_from_date"' in text and 'value="2027-07-01"' in text and "Ret felterne" not in text
    page = client.get(consequence + "?aar=2026")
    assert (
        page.status_code == 200 and "<html" in page.content.decode() and 'value="2026-07-01"' in page.content.decode()
    )
    assert f'form="ledger-row-action" formaction="{reverse("disponering:entry_confirm", args=[entry.pk])}"' in html
    partial = client.get(create + "?aar=2026", **HX).content.decode()
    assert partial.strip().startswith('<form id="entry-form"') and "<html" not in partial
    assert 'value="2026"' in partial
    page = client.get(create + "?aar=2026").content.decode()
    assert "<html" in page and 'id="entry-form"' in page and "ikke gemt" not in page
    leave_partial = client.get(leave + "?aar=2026", **HX).content.decode()
    assert leave_partial.strip().startswith('<form id="leave-form"') and "barselsrefusion" in leave_partial
    assert 'id="leave-form"' in client.get(leave + "?aar=2026").content.decode()


def test_row_buttons_work_without_javascript(org, client_for):
    """A row's button posts the shared form (CSRF token and year) with the
    version as its own value: a plain POST confirms and redirects back."""
    entry = make(org)
    client = client_for(org.manager)
    response = client.post(reverse("disponering:entry_confirm", args=[entry.pk]), {"version": "1", "aar": "2026"})
    assert response.status_code == 302 and response["Location"].startswith(ledger_url(org.home_a).split("?")[0])
    entry.refresh_from_db()
    assert entry.status == Status.CONFIRMED


def test_htmx_grid_partial(org, client_for):
    make(org)
    response = client_for(org.manager).get(ledger_url(org.home_a, **{"del": "grid"}), **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith('<section id="ledger-grid"')
    assert "<html" not in html


def test_htmx_create_triggers_refresh(org, client_for):
    response = client_for(org.manager).post(
        reverse("disponering:entry_create", args=[org.home_a.pk]), entry_post(), **HX
    )
    assert response.status_code == 200
    assert "ledgerChanged" in response["HX-Trigger"]
    assert "entryAdded" in response["HX-Trigger"]
    assert 'id="entry-form"' in response.content.decode()


@pytest.mark.parametrize(
    ("kind", "group", "typed", "stored"),
    [
        ("udgift", AccountGroup.OPERATIONS, "-5.000", D("-5000.00")),  # a saving with its natural minus
        ("besparelse", AccountGroup.OPERATIONS, "5.000", D("-5000.00")),  # or positive with its kind
        ("besparelse", AccountGroup.OPERATIONS, "−5.000", D("-5000.00")),  # the typographic minus too
        ("udgift", AccountGroup.OPERATIONS, "5.000", D("5000.00")),
        ("indtaegt", AccountGroup.INCOME, "-1.250,50", D("-1250.50")),
        ("udgift", AccountGroup.OPERATIONS, "-0,01", D("-0.01")),  # boundary: the smallest saving
    ],
)
def test_a_saving_can_be_typed_with_a_minus_sign(org, client_for, kind, group, typed, stored):
    url = reverse("disponering:entry_create", args=[org.home_a.pk])
    response = client_for(org.manager).post(url, entry_post(kind=kind, account_group=group, amount_input=typed), **HX)
    assert response.status_code == 200, response.content.decode()[:500]
    assert LedgerEntry.objects.get().amount == stored


def test_invalid_input_gives_danish_message_and_4xx(org, client_for):
    client = client_for(org.manager)
    url = reverse("disponering:entry_create", args=[org.home_a.pk])
    response = client.post(url, entry_post(amount_input="tolv"), **HX)
    assert response.status_code == 422
    assert "er ikke et gyldigt tal" in response.content.decode()
    response = client.post(url, entry_post(start_date="31-02-2026", spread=Spread.EVEN))
    assert response.status_code == 422
    assert "gyldig dato" in response.content.decode()
    response = client.post(url, entry_post(kind="indtaegt"))
    assert response.status_code == 422
    assert "Indtægter" in response.content.decode()
    response = client.post(url, entry_post(spread=Spread.EVEN, start_date="2026-05-01", end_date="2026-04-01"))
    assert response.status_code == 422
    assert "før startdatoen" in response.content.decode()
    response = client.post(url, entry_post(spread=Spread.EVEN, start_date="2026-01-01", end_date="9999-12-31"))
    assert response.status_code == 422
    assert "højst være fem år" in response.content.decode()
    response = client.post(url, entry_post(amount_input="99.999.999.999"))
    assert response.status_code == 422
    assert "for stort" in response.content.decode()
    response = client.post(url, entry_post(category="ukendt"))
    assert response.status_code == 422
    assert LedgerEntry.objects.count() == 0


def test_income_is_stored_negative(org, client_for):
    client_for(org.manager).post(
        reverse("disponering:entry_create", args=[org.home_a.pk]),
        entry_post(
            account_group=AccountGroup.INCOME,
            kind="indtaegt",
            category=Category.MOVE_IN,
            spread=Spread.EVEN,
            start_date="2026-07-01",
            end_date="2026-12-31",
            amount_input="60.000",
        ),
    )
    entry = LedgerEntry.objects.get()
    assert entry.amount == D("-60000.00")
    assert expected_changes(org.home_a, 2026)[(dt.date(2026, 7, 1), "indtaegt")] == D("-10000.00")


def test_typed_months_through_form(org, client_for):
    client_for(org.manager).post(
        reverse("disponering:entry_create", args=[org.home_a.pk]),
        entry_post(
            spread=Spread.MONTHLY,
            start_date="2026-01-01",
            end_date="2026-03-31",
            amount_input="",
            kind="besparelse",
            account_group=AccountGroup.WAGES,
            category=Category.RESIGNATION,
            m_2026_01="1.000",
            m_2026_03="2.500,50",
        ),
    )
    entry = LedgerEntry.objects.get()
    assert entry.amount == D("-3500.50")
    assert expected_changes(org.home_a, 2026) == {
        (dt.date(2026, 1, 1), "loen"): D("-1000.00"),
        (dt.date(2026, 3, 1), "loen"): D("-2500.50"),
    }


def test_leave_helper_creates_net_and_refund_lines(org, client_for):
    LeaveRules.objects.update_or_create(pk=1, defaults={"maternity_refund_to_home": True})
    response = client_for(org.manager).post(
        reverse("disponering:leave_create", args=[org.home_a.pk]),
        {
            "aar": "2026",
            "category": Category.MATERNITY,
            "title": "AB",
            "monthly_wage": "35.000",
            "start_date": "2026-03-01",
            "end_date": "2026-12-31",
            "temp_percent": "80",
            "monthly_refund": "4.000",
            "with_pay": "0",
            "status": Status.EXPECTED,
        },
        **HX,
    )
    assert response.status_code == 200
    changes = expected_changes(org.home_a, 2026)
    assert changes[(dt.date(2026, 3, 1), "loen")] == D("-7000.00")
    assert changes[(dt.date(2026, 12, 1), "loen")] == D("-7000.00")
    assert changes[(dt.date(2026, 3, 1), "indtaegt")] == D("-4000.00")
    assert (dt.date(2026, 2, 1), "loen") not in changes
    assert LedgerEntry.objects.count() == 2


def test_paid_maternity_leave_with_refund_to_central_pool(org, client_for):
    """The typical case: paid maternity leave, 80 % temp, the refund goes to the
    central pool (the default rule): +28.000 kr. a month for the home, no refund line."""
    response = client_for(org.manager).post(
        reverse("disponering:leave_create", args=[org.home_a.pk]),
        {
            "aar": "2026",
            "category": Category.MATERNITY,
            "title": "CD",
            "monthly_wage": "35.000",
            "with_pay": "1",
            "start_date": "2026-03-01",
            "end_date": "2026-04-30",
            "temp_percent": "80",
            "monthly_refund": "20.000",
            "status": Status.EXPECTED,
        },
        **HX,
    )
    assert response.status_code == 200
    changes = expected_changes(org.home_a, 2026)
    assert changes == {(dt.date(2026, 3, 1), "loen"): D("28000.00"), (dt.date(2026, 4, 1), "loen"): D("28000.00")}
    entry = LedgerEntry.objects.get()
    assert "central" in entry.comment


def test_leave_preview_and_consequence_preview_save_nothing(org, client_for):
    client = client_for(org.manager)
    response = client.post(
        reverse("disponering:leave_preview", args=[org.home_a.pk]),
        {
            "aar": "2026",
            "category": "barsel",
            "title": "AB",
            "monthly_wage": "35000",
            "start_date": "2026-03-01",
            "end_date": "2026-12-31",
            "temp_percent": "80",
            "with_pay": "0",
            "status": "forventet",
        },
        **HX,
    )
    assert "-7.000,00 kr." in response.content.decode()
    response = client.get(
        reverse("disponering:consequence", args=[org.home_a.pk]),
        {"hours_from": "6", "hours_to": "10", "from_date": "2026-07-01"},
        **HX,
    )
    html = response.content.decode()
    assert "-7.085,71 kr." in html and "-42.057,12 kr." in html
    assert LedgerEntry.objects.count() == 0
    bad = client.get(reverse("disponering:consequence", args=[org.home_a.pk]), {"hours_to": "x"})
    assert bad.status_code == 422


def test_confirm_and_cancel(org, client_for):
    entry = make(org)
    client = client_for(org.consultant)
    response = client.post(reverse("disponering:entry_confirm", args=[entry.pk]), {"version": 1, "aar": 2026}, **HX)
    assert response.status_code == 200 and "ledgerChanged" in response["HX-Trigger"]
    response = client.post(reverse("disponering:entry_cancel", args=[entry.pk]), {"version": 2, "aar": 2026})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == Status.CANCELLED and entry.version == 3
    assert expected_changes(org.home_a, 2026) == {}
    assert client.post(reverse("disponering:entry_cancel", args=[entry.pk]), {"aar": 2026}).status_code == 302


def test_history_shows_who_changed_what(org, client_for):
    entry = make(org)
    client = client_for(org.manager)
    client.post(
        reverse("disponering:entry_edit", args=[entry.pk]),
        entry_post(
            version=1,
            spread=Spread.EVEN,
            start_date="2026-01-01",
            end_date="2026-12-31",
            category=Category.HIRE,
            account_group="loen",
            title="AB",
        ),
    )
    html = client_for(org.consultant).get(reverse("history", args=["disponering", entry.pk])).content.decode()
    assert "Leder Testesen" in html
    assert "24.000,00" in html and "12.000,00" in html


# --- No lost update ---------------------------------------------------------------


def test_two_users_editing_same_entry_second_is_refused(org):
    entry = make(org)
    manager, consultant = Client(), Client()
    manager.force_login(org.manager)
    consultant.force_login(org.consultant)
    url = reverse("disponering:entry_edit", args=[entry.pk])
    # Both open the form at version 1.
    assert 'name="version" value="1"' in manager.get(url).content.decode()
    assert 'name="version" value="1"' in consultant.get(url, **HX).content.decode()
    common = {
        "category": Category.HIRE,
        "account_group": "loen",
        "title": "AB",
        "spread": Spread.EVEN,
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "version": "1",
    }
    first = manager.post(url, entry_post(**common, amount_input="24.000"))
    assert first.status_code == 302
    second = consultant.post(url, entry_post(**common, amount_input="36.000"), **HX)
    assert second.status_code == 409
    html = second.content.decode()
    assert "Din ændring er ikke gemt" in html
    assert "Leder Testesen" in html  # who changed it
    assert "12.000,00 → 24.000,00" in html  # what they changed
    assert 'name="version" value="2"' in html  # the fresh form to retry from
    entry.refresh_from_db()
    assert entry.amount == D("24000.00")
    # Without HTMX: the same refusal in the full page.
    third = consultant.post(url, entry_post(**common, amount_input="48.000"))
    assert third.status_code == 409
    assert "Din ændring er ikke gemt" in third.content.decode()


def test_stale_cancel_is_refused(org, client_for):
    entry = make(org)
    services.entry_update(entry=entry, seen_version=1, amount=D("600"))
    client = client_for(org.consultant)
    response = client.post(reverse("disponering:entry_cancel", args=[entry.pk]), {"version": 1, "aar": 2026}, **HX)
    assert response.status_code == 409
    assert "Din ændring er ikke gemt" in response.content.decode()
    entry.refresh_from_db()
    assert entry.status == Status.EXPECTED


# --- Export -----------------------------------------------------------------------


def test_excel_export(org, client_for):
    make(org, comment="=1+1")
    response = client_for(org.area_manager).get(reverse("disponering:export", args=[org.home_a.pk]) + "?aar=2026")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.getvalue()))
    assert wb.sheetnames == ["Oversigt", "Poster"]
    overview = wb["Oversigt"]
    assert overview["A5"].value == "Løn" and overview["B5"].value == 1000
    posts = wb["Poster"]
    assert posts["C2"].value == "AB"
    assert posts.cell(row=2, column=posts.max_column).value == "'=1+1"


# --- Queries ------------------------------------------------------------------------


def _bulk(org, n):
    for i in range(n):
        make(org, title=f"P{i}", amount=D(1200 + i), start_date=dt.date(2026, 1 + i % 12, 1))


@pytest.mark.parametrize("n", [2, 150])
def test_ledger_page_fixed_queries(org, client_for, django_assert_max_num_queries, n):
    _bulk(org, n)
    client = client_for(org.manager)
    client.get(ledger_url(org.home_a))  # warm the session
    with django_assert_max_num_queries(8):
        response = client.get(ledger_url(org.home_a))
    assert response.status_code == 200
    assert response.content.decode().count('<tr id="post-') == min(n, 100)


def test_ledger_page_shows_100_rows_a_page_and_filters_by_month(org, client_for):
    _bulk(org, 130)
    # Ends in February, so it touches January and February only.
    make(org, title="Vinter", start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 2, 28))
    client = client_for(org.manager)
    html = client.get(ledger_url(org.home_a)).content.decode()
    assert html.count('<tr id="post-') == 100
    assert "131 disponeringer, viser 1–100" in html
    assert "Side 1 af 2" in html and "side=2" in html
    second = client.get(ledger_url(org.home_a, side=2)).content.decode()
    assert second.count('<tr id="post-') == 31
    # Every _bulk entry runs from its start month to December: in March that
    # is the ones starting January-March (11 + 11 + 11, of 130 round-robin).
    march = client.get(ledger_url(org.home_a, maaned=3, status="forventet")).content.decode()
    assert march.count('<tr id="post-') == 33
    assert "Vinter" not in march
    assert '<option value="3" selected>Marts</option>' in march
    february = client.get(ledger_url(org.home_a, maaned=2)).content.decode()
    assert "Vinter" in february
    # A bad month or page is ignored, never a 500.
    assert client.get(ledger_url(org.home_a, maaned="13", side="x")).status_code == 200


def test_admin_pages(org, client_for):
    entry = make(org)
    client = client_for(org.administrator)
    assert client.get(reverse("admin:disponering_ledgerentry_changelist")).status_code == 200
    assert client.get(reverse("admin:disponering_ledgerentry_change", args=[entry.pk])).status_code == 200


def test_home_tab_links_to_ledger(org, client_for):
    html = client_for(org.manager).get(reverse("home_detail", args=[org.home_a.pk])).content.decode()
    assert reverse("disponering:ledger", args=[org.home_a.pk]) in html
    html = client_for(org.caseworker).get(reverse("home_detail", args=[org.home_a.pk]))
    assert html.status_code == 404


def test_start_page_section_for_writers(org, client_for):
    year = timezone.localdate().year
    make(org, start_date=dt.date(year, 1, 1), end_date=dt.date(year, 12, 31), amount=D("120000"))
    html = client_for(org.manager).get(reverse("start")).content.decode()
    assert f"Disponering {year}" in html
    assert reverse("disponering:ledger", args=[org.home_a.pk]) in html
    assert "120.000" in html
    html = client_for(org.caseworker).get(reverse("start")).content.decode()
    assert "Disponering" not in html


def test_a_date_in_year_9999_is_a_danish_error_not_a_crash(org, client_for):
    client = client_for(org.manager)
    far = {"start_date": "9999-12-05", "end_date": "9999-12-31", "spread": Spread.MONTHLY}
    response = client.post(reverse("disponering:entry_create", args=[org.home_a.pk]), entry_post(**far))
    assert response.status_code == 422
    assert "Året skal ligge mellem 2000 og 2100" in response.content.decode()
    assert not LedgerEntry.objects.exists()
    preview = client.get(
        reverse("disponering:consequence", args=[org.home_a.pk]),
        {"hours_from": "6", "hours_to": "10", "from_date": "9999-12-05"},
    )
    assert preview.status_code < 500


def test_admin_cannot_add_or_move_entries(org, client_for):
    entry = make(org)
    admin = client_for(org.administrator)
    assert admin.get("/admin/disponering/ledgerentry/add/").status_code == 403
    page = admin.get(f"/admin/disponering/ledgerentry/{entry.pk}/change/").content.decode()
    assert 'name="home"' not in page


def test_expected_changes_after_counts_only_later_months(org):
    # 1.200 kr. a month, January-December.
    make(org, amount=D("14400"))
    wages = AccountGroup.WAGES.value
    after = selectors.expected_changes_after([org.home_a.pk], 2026, 0)
    assert after[(org.home_a.pk, wages)] == D("14400.00")
    assert selectors.expected_changes_after([org.home_a.pk], 2026, 11)[(org.home_a.pk, wages)] == D("1200.00")
    assert selectors.expected_changes_after([org.home_a.pk], 2026, 12) == {}


def test_row_text_is_escaped(org, client_for):
    """The rows are f-strings (issue #17): every value from the database is escaped, quotes too."""
    LedgerEntry.objects.create(
        home=org.home_a,
        category=Category.ONE_OFF,
        account_group=AccountGroup.OPERATIONS,
        title='<script>alert(1)</script>" onmouseover="x',
        comment="<b>fed</b>",
        amount=D("1000"),
        start_date=dt.date(2026, 3, 1),
        end_date=dt.date(2026, 3, 31),
        registered_by=org.manager,
    )
    html = client_for(org.manager).get(reverse("disponering:ledger", args=[org.home_a.pk]) + "?aar=2026")
    text = html.content.decode()
    assert "<script>alert(1)" not in text and '" onmouseover="x' not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot; onmouseover=&quot;x" in text
    assert "<b>fed</b>" not in text
