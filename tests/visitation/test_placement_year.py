"""The placement summary (``PlacementYear``, kept by triggers) always equals
the placements themselves: each row against a Python computation from the
placements, and the dashboard's provider kinds and recipients (which read
the summary) against the same figures computed from the placements. Hand
cases for each kind of write, then random sequences of writes (hypothesis)
through the ORM, bulk updates and raw SQL."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal as D

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from botilbud.lib.dates import days_in_year
from botilbud.lib.money import to_money
from botilbud.models import Municipality, User
from budget.dashboard import selectors as dash
from tests.visitation.conftest import make_placement
from visitation.models import Placement, PlacementYear

pytestmark = pytest.mark.django_db

COUNTED = ("godkendt", "aktiv", "ophoert")
OTHER_MUNICIPALITY = 147


def expected_rows() -> dict[tuple, tuple]:
    """Every summary row computed in Python from the placements."""
    rows: dict[tuple, list] = defaultdict(lambda: [0, D(0), *([0] * 36)])
    for p in Placement.objects.all():
        last_year = (p.end_date or p.start_date).year
        for year in range(p.start_date.year, last_year + 1):
            first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
            s = 0 if p.start_date < first else p.start_date.month
            e = 13 if p.end_date is None or p.end_date > last else p.end_date.month
            at_month_end = p.end_date is not None and (p.end_date + dt.timedelta(days=1)).day == 1
            days = (min(p.end_date or last, last) - max(p.start_date, first)).days + 1
            row = rows[(year, False, p.offer_id, p.paying_municipality_id, p.status)]
            row[0] += 1
            row[1] += p.annual_price * days
            for m in range(1, 13):
                row[1 + m] += int(s <= m and (e > m or (e == m and at_month_end)))
                row[13 + m] += int(s == m)
                row[25 + m] += int(e == m)
        if p.end_date is None:  # the tail: every year after the first, whole years
            row = rows[(p.start_date.year + 1, True, p.offer_id, p.paying_municipality_id, p.status)]
            row[0] += 1
            row[1] += p.annual_price
            for m in range(1, 13):
                row[1 + m] += 1
    return {k: tuple(v) for k, v in rows.items()}


def summary_rows() -> dict[tuple, tuple]:
    values = ["placements", "price_days"] + [f"{k}{m:02d}" for k in "tio" for m in range(1, 13)]
    result = {}
    for r in PlacementYear.objects.values("year", "open_tail", "offer_id", "paying_municipality_id", "status", *values):
        key = (r["year"], r["open_tail"], r["offer_id"], r["paying_municipality_id"], r["status"])
        row = tuple(r[v] for v in values)
        if r["placements"] == 0:
            # A row whose placements all left has nothing left in it.
            assert row[1] == 0 and not any(row[2:]), (key, row)
            continue
        result[key] = row
    return result


def raw_dashboard(years: list[int]) -> tuple[dict, dict]:
    """Provider kinds' cost per year and recipients per paragraph and month, straight from the placements."""
    own = Municipality.own_code()
    placements = list(
        Placement.objects.filter(paying_municipality_id=own, status__in=COUNTED).select_related(
            "offer__provider", "offer__paragraph"
        )
    )
    cost: dict[tuple[str, int], D] = defaultdict(D)
    recipients: dict[tuple[str, int], list[int]] = {}
    for year in years:
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        for p in placements:
            if p.start_date > last or (p.end_date is not None and p.end_date < first):
                continue
            days = (min(p.end_date or last, last) - max(p.start_date, first)).days + 1
            cost[(p.offer.provider.kind, year)] += p.annual_price * days / days_in_year(year)
            counts = recipients.setdefault((p.offer.paragraph.code, year), [0] * 36)
            for m in range(1, 13):
                month_end = dt.date(year, m, 1) + dt.timedelta(days=32)
                month_end = month_end.replace(day=1) - dt.timedelta(days=1)
                counts[m - 1] += int(p.start_date <= month_end and (p.end_date is None or p.end_date >= month_end))
                counts[11 + m] += int(p.start_date.year == year and p.start_date.month == m)
                counts[23 + m] += int(p.end_date is not None and p.end_date.year == year and p.end_date.month == m)
    return (
        {k: to_money(v) for k, v in cost.items()},
        recipients,
    )


def assert_exact(user: User, years=(2024, 2025, 2026, 2027)) -> None:
    assert summary_rows() == expected_rows()
    cost, recipients = raw_dashboard(list(years))
    filters = dash.Filters(year=max(years))
    spending = dash.spending_by_provider_kind(user, filters, years=len(years))
    assert spending["years"] == list(years)
    for kind in spending["kinds"]:
        for year, amount in zip(years, kind["per_year"], strict=True):
            assert amount == cost.get((kind["kind"], year), D("0.00")), (kind["kind"], year)
    for year in years:
        got = dash.recipients_by_paragraph(user, dash.Filters(year=year), 12)
        assert {p["code"]: p["total"] + p["inflow"] + p["outflow"] for p in got["paragraphs"]} == {
            code: counts for (code, y), counts in recipients.items() if y == year
        }


def test_writes_of_every_kind(org, vis):
    user = org.department_head
    a = make_placement(vis.own_108, start_date=dt.date(2025, 3, 15), price="365000.00")  # open-ended
    b = make_placement(
        vis.ext_108, start_date=dt.date(2024, 11, 1), end_date=dt.date(2026, 4, 30), price="600000.00"
    )  # ends on a month's last day
    make_placement(vis.ext_107, start_date=dt.date(2026, 2, 1), end_date=dt.date(2026, 2, 14), price="870000.00")
    make_placement(vis.own_85, start_date=dt.date(2026, 1, 1), status=Placement.Status.PROPOSED)  # not counted
    make_placement(vis.own_107_c, start_date=dt.date(2025, 1, 1), paying_municipality_id=OTHER_MUNICIPALITY)  # a sale
    assert_exact(user)
    # 2026: a is a whole year (tail) 365.000; b 120 days of 600.000 = 197.260,27; c 14 days of 870.000 = 33.369,86.
    spending = dash.spending_by_provider_kind(user, dash.Filters(year=2026), years=1)
    by_kind = {k["kind"]: k["per_year"][0] for k in spending["kinds"]}
    assert by_kind == {"egen": D("365000.00"), "privat": D("197260.27"), "region": D("33369.86"), "anden_kommune": 0}

    a.end_date = dt.date(2026, 6, 30)
    a.save()
    assert_exact(user)
    b.status = Placement.Status.ENDED
    b.annual_price = D("610000.00")
    b.offer = vis.ext_107
    b.save()
    assert_exact(user)
    Placement.objects.filter(status=Placement.Status.PROPOSED).update(status=Placement.Status.APPROVED)
    assert_exact(user)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE visitation_placement SET end_date = NULL, start_date = start_date - 400")
    assert_exact(user)
    a.delete()
    assert_exact(user)
    Placement.objects.all().delete()
    assert summary_rows() == {} == expected_rows()


def test_a_years_cost_rounds_half_up_to_ore(org, vis):
    """2028 has 366 days: 600.000,01 kr. a year for 1 January–1 July (183 days)
    is 600.000,01 × 183 / 366 = 300.000,005 kr., which rounds half up to
    300.000,01 (half-even would give 300.000,00). The external share is
    300.000,01 of 300.000,01 = 100,0 %."""
    make_placement(vis.ext_108, start_date=dt.date(2028, 1, 1), end_date=dt.date(2028, 7, 1), price="600000.01")
    spending = dash.spending_by_provider_kind(org.department_head, dash.Filters(year=2028), years=1)
    by_kind = {k["kind"]: k["per_year"][0] for k in spending["kinds"]}
    assert by_kind["privat"] == D("300000.01")
    assert spending["totals"] == [D("300000.01")]
    assert spending["external_share"] == [D("100.0")]


OPS = st.lists(
    st.tuples(
        st.sampled_from(["create", "create", "end", "reopen", "move", "status", "price", "offer", "delete", "bulk"]),
        st.integers(min_value=0, max_value=9),  # which placement / offer / status
        st.integers(min_value=0, max_value=1200),  # start: days from 2024-06-01
        st.one_of(st.none(), st.integers(min_value=0, max_value=800)),  # length in days (None = open-ended)
        st.integers(min_value=0, max_value=2_000_000),  # annual price, whole kroner
    ),
    min_size=1,
    max_size=10,
)
STATUSES = [s.value for s in Placement.Status]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_random_writes_keep_the_summary_exact(org, vis, ops):
    offers = [vis.own_108, vis.own_85, vis.own_107_c, vis.ext_108, vis.ext_107]
    for op, which, start, length, price in ops:
        existing = list(Placement.objects.order_by("pk"))
        start_date = dt.date(2024, 6, 1) + dt.timedelta(days=start)
        end_date = None if length is None else start_date + dt.timedelta(days=length)
        if op == "create" or not existing:
            make_placement(
                offers[which % 5],
                start_date=start_date,
                end_date=end_date,
                price=f"{price}.{which}5",
                status=STATUSES[which % len(STATUSES)],
                paying_municipality_id=OTHER_MUNICIPALITY if which == 9 else Municipality.own_code(),
            )
            continue
        p = existing[which % len(existing)]
        if op == "end":
            p.end_date = max(p.start_date, end_date or start_date)
        elif op == "reopen":
            p.end_date = None
        elif op == "move":
            p.start_date, p.end_date = start_date, end_date
        elif op == "status":
            p.status = STATUSES[which % len(STATUSES)]
        elif op == "price":
            p.annual_price = D(price)
        elif op == "offer":
            p.offer = offers[which % 5]
        elif op == "delete":
            p.delete()
            continue
        elif op == "bulk":
            Placement.objects.filter(pk__in=[x.pk for x in existing[::2]]).update(annual_price=D(price))
            continue
        p.save()
    assert_exact(org.department_head)
