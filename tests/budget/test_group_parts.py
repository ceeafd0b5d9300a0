"""The finer groups' actuals to date (»heraf«, ``group_parts_for_homes``) equal
the raw sum of the postings per home and group, for every month: the kind's
own part is derived from ``ActualYear`` minus the finer parts (read through
the partial index), and an odd chart that lists a kind's code under another
kind falls back to summing every part from the postings."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal as D

import pytest
from django.db.models import Sum

from budget.chart import ensure_default_accounts
from budget.models import Actual, GroupDefinition
from budget.selectors import group_parts_for_homes
from budget.services import import_actuals

pytestmark = pytest.mark.django_db

ROWS = [
    # cost centre, function, art, posting date, amount: drift (2.21), koeb_kommuner (4.71), koeb_regioner (4.81), loen (1.x)
    ("52000", "5.38.50", "2.21", "05-01-2026", "100,00"),
    ("52000", "5.38.50", "4.71", "06-01-2026", "30,00"),
    ("52000", "5.38.50", "4.81", "07-01-2026", "20,00"),
    ("52000", "5.38.50", "4.71", "03-02-2026", "5,25"),
    ("52000", "5.38.50", "1.11", "03-02-2026", "40.000,00"),
    ("52010", "5.38.50", "4.81", "03-03-2026", "-7,10"),
    ("52010", "5.38.50", "2.21", "03-03-2026", "12,34"),
    ("52010", "5.38.50", "2.21", "03-12-2025", "999,00"),  # another year
    ("52020", "5.38.50", "1.11", "03-04-2026", "1.000,00"),  # wages only
]


def _import() -> None:
    ensure_default_accounts()
    data = "Omkostningssted;Funktion;Art;Bogføringsdato;Beløb;Tekst\n" + "".join(
        f"{cc};{fn};{art};{day};{amount};Tekst\n" for cc, fn, art, day, amount in ROWS
    )
    assert import_actuals(stream=io.BytesIO(data.encode()), file_name="f.csv", user=None, mode="apply").stage.ok


def _raw(home_ids: list[int], year: int, month: int) -> dict[int, dict[str, list[tuple[str, D]]]]:
    sums: dict[tuple[int, str], D] = defaultdict(lambda: D("0.00"))
    for r in (
        Actual.objects.filter(home_id__in=home_ids, month__gte=dt.date(year, 1, 1), month__lte=dt.date(year, month, 1))
        .values("home_id", "group")
        .annotate(total=Sum("amount"))
    ):
        sums[(r["home_id"], r["group"])] = r["total"]
    by_kind: dict[str, list[GroupDefinition]] = defaultdict(list)
    for g in GroupDefinition.objects.order_by("order", "code"):
        by_kind[g.kind].append(g)
    return {
        h: {kind: [(g.code, sums[(h, g.code)]) for g in groups] for kind, groups in by_kind.items() if len(groups) > 1}
        for h in home_ids
    }


def _parts(home_ids: list[int], year: int, month: int) -> dict[int, dict[str, list[tuple[str, D]]]]:
    return {
        h: {kind: [(p.code, p.actuals_to_date) for p in parts] for kind, parts in kinds.items()}
        for h, kinds in group_parts_for_homes(home_ids, year, month).items()
    }


def test_parts_equal_the_raw_postings_every_month(org):
    _import()
    homes = [org.home_a.pk, org.home_b.pk, org.home_c.pk]
    for month in range(1, 13):
        assert _parts(homes, 2026, month) == _raw(homes, 2026, month)
    before_january = _parts(homes, 2026, 0)
    assert all(amount == 0 for kinds in before_january.values() for parts in kinds.values() for _, amount in parts)
    # Hand-computed: January's operations 150,00 = 100,00 own + 30,00 + 20,00; February adds 5,25 to the municipalities.
    jan = _parts([org.home_a.pk], 2026, 1)[org.home_a.pk]["drift"]
    assert jan == [("drift", D("100.00")), ("koeb_kommuner", D("30.00")), ("koeb_regioner", D("20.00"))]
    assert _parts([org.home_b.pk], 2026, 3)[org.home_b.pk]["drift"] == [
        ("drift", D("12.34")),
        ("koeb_kommuner", D("0.00")),
        ("koeb_regioner", D("-7.10")),
    ]
    assert _parts([org.home_b.pk], 2025, 12)[org.home_b.pk]["drift"][0] == ("drift", D("999.00"))


def test_an_odd_chart_sums_every_part_from_the_postings(org):
    _import()
    # A kind's own code listed under another kind: its postings belong to that kind, not its own.
    GroupDefinition.objects.filter(code="loen").update(kind="drift")
    GroupDefinition.objects.create(code="loen_fast", name="Fast løn", kind="loen", order=11)
    GroupDefinition.objects.create(code="loen_vikar", name="Vikarer", kind="loen", order=12)
    homes = [org.home_a.pk, org.home_b.pk, org.home_c.pk]
    for month in (1, 2, 4, 12):
        assert _parts(homes, 2026, month) == _raw(homes, 2026, month)
    assert ("loen", D("40000.00")) in _parts([org.home_a.pk], 2026, 2)[org.home_a.pk]["drift"]
