"""Monthly settlement per paying municipality (hand-computed).

Gladsaxe's (159) citizen in Egebakken from 17 March 2027 at level "Let", 1.200 kr./day
(the approved 2027 rate, see test_sales).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from botilbud.models import Municipality
from budget.rates import settlement
from budget.rates.models import Statement, StatementLine
from disponering.models import LedgerEntryMonth
from tests.rates.test_sales import _sale, rate_2027  # noqa: F401
from visitation import services
from visitation.models import Citizen

MARCH = dt.date(2027, 3, 1)
APRIL = dt.date(2027, 4, 1)


def test_statement_lists_the_citizen_with_days_and_amount(org, vis, rate_2027):  # noqa: F811
    p = _sale(org, vis, dt.date(2027, 3, 17))
    view = settlement.statement(org.home_a.pk, 159, MARCH)
    assert [
        (ln.case_number, ln.initials, ln.period_start, ln.period_end, ln.days, ln.day_rate, ln.amount)
        for ln in view.lines
    ] == [("GLA-1", "GL", dt.date(2027, 3, 17), dt.date(2027, 3, 31), 15, D("1200.00"), D("18000.00"))]
    # The statement's total is the home's sales income in the ledger for the month.
    ledger = LedgerEntryMonth.objects.get(entry__placement=p, month=MARCH).amount
    assert view.total == -ledger == D("18000.00")
    rows = settlement.overview([org.home_a.pk, org.home_b.pk], MARCH)
    assert [(r["municipality"], r["days"], r["income"], r["sent"]) for r in rows] == [
        ("Gladsaxe", 15, D("18000.00"), None)
    ]


def test_sent_statement_is_frozen_and_a_later_change_is_corrected_next_month(org, vis, rate_2027):  # noqa: F811
    """Sent for March (15 days = 18.000). Then the placement is ended back-dated on 25 March:
    March now costs 9 days × 1.200 = 10.800, so April's statement corrects March by −7.200."""
    p = _sale(org, vis, dt.date(2027, 3, 17))
    sent = settlement.send(home=org.home_a, municipality_code=159, month=MARCH, user=org.consultant)
    assert sent.total == D("18000.00") and sent.lines.count() == 1
    with pytest.raises(settlement.SettlementError, match="allerede sendt"):
        settlement.send(home=org.home_a, municipality_code=159, month=MARCH, user=org.consultant)
    services.placement_end(placement=p, end_date=dt.date(2027, 3, 25), user=org.caseworker)
    march = settlement.statement(org.home_a.pk, 159, MARCH)
    assert march.sent is not None and march.total == D("18000.00")  # never rewritten
    april = settlement.statement(org.home_a.pk, 159, APRIL)
    assert [(ln.kind, ln.corrects_month, ln.days, ln.amount) for ln in april.lines] == [
        (StatementLine.Kind.CORRECTION, MARCH, 9, D("-7200.00"))
    ]
    settlement.send(home=org.home_a, municipality_code=159, month=APRIL, user=org.consultant)
    # Corrected once: May has nothing more to correct.
    assert settlement.statement(org.home_a.pk, 159, dt.date(2027, 5, 1)).lines == []


def test_statement_pages_excel_and_roles(org, vis, rate_2027, client_for):  # noqa: F811
    _sale(org, vis, dt.date(2027, 3, 17))
    url = reverse("rates:statement", args=[org.home_a.pk, 159, "2027-03"])
    c = client_for(org.consultant)
    body = c.get(url).content.decode()
    assert "GLA-1" in body and "17-03-2027" in body and "18.000,00 kr." in body and "Markér som sendt" in body
    assert "Gladsaxe (159)" in c.get(reverse("rates:settlement") + "?maaned=2027-03").content.decode()
    r = c.get(url + "?format=xlsx")
    rows = list(load_workbook(io.BytesIO(b"".join(r.streaming_content))).active.iter_rows(values_only=True))
    assert rows[5][:7] == ("Sagsnummer", "Initialer", "Art", "Niveau", "Fra", "Til", "Dage")
    assert rows[6][0] == "GLA-1" and rows[6][6] == 15 and D(str(rows[6][8])) == D("18000")
    # A home manager reads but does not send; outsiders and the authority get 404.
    m = client_for(org.manager)
    assert m.get(url).status_code == 200
    assert m.post(reverse("rates:statement_send", args=[org.home_a.pk, 159, "2027-03"])).status_code == 403
    assert not Statement.objects.exists()
    for who in ("other_manager", "caseworker", "authority_head"):
        assert client_for(getattr(org, who)).get(url).status_code == 404
    assert client_for(org.caseworker).get(reverse("rates:settlement")).status_code == 404
    c = client_for(org.consultant)
    assert c.post(reverse("rates:statement_send", args=[org.home_a.pk, 159, "2027-03"])).status_code == 302
    assert Statement.objects.get().total == D("18000.00")
    assert "Sendt af" in c.get(url).content.decode()
    overview = c.get(reverse("rates:settlement") + "?maaned=2027-03").content.decode()
    sent_at = Statement.objects.get().sent_at
    assert f"Sendt {timezone.localtime(sent_at):%d-%m-%Y %H:%M} (18.000,00 kr.)" in overview
    assert f'<a href="{url}">Gladsaxe (159)</a>' in overview
    # Bad input: 400, never 500.
    assert c.get(reverse("rates:statement", args=[org.home_a.pk, 159, "2027-13"])).status_code == 400
    assert c.get(reverse("rates:statement", args=[org.home_a.pk, 159, "²027-03"])).status_code == 400
    assert c.get(reverse("rates:statement", args=[org.home_a.pk, 101, "2027-03"])).status_code == 404
    assert c.get(reverse("rates:settlement") + "?maaned=abc").status_code == 400


@pytest.mark.parametrize("n", [1, 6])
def test_settlement_overview_queries_are_bounded(org, vis, rate_2027, client_for, django_assert_max_num_queries, n):  # noqa: F811
    for i in range(n):
        p = services.placement_create(
            citizen=Citizen.objects.create(case_number=f"S-{i}", initials="AB"),
            offer=vis.own_85,
            package=vis.pkg6,
            start_date=dt.date(2027, 3, 1 + i),
            user=org.caseworker,
            paying_municipality=Municipality.objects.get(pk=[147, 159, 167][i % 3]),
        )
        p.status = "aktiv"
        p.save()
    c = client_for(org.consultant)
    with django_assert_max_num_queries(16):
        assert c.get(reverse("rates:settlement") + "?maaned=2027-03").status_code == 200
