"""Set-based writes of the demo seeders (botilbud.lib.bulk) and the planner hint (botilbud.lib.planner)."""

import datetime as dt
import math
from decimal import Decimal as D

import pytest
from django.db import IntegrityError, connection, transaction

from botilbud.lib.bulk import ChangedTables, copy_create, copy_values, foreign_keys_checked_at_end, update_rows
from botilbud.lib.planner import joins_in_written_order
from botilbud.models import Home, HourPrice, Paragraph
from visitation.models import Citizen, Decision, Offer, Placement, Provider

pytestmark = pytest.mark.django_db


def _foreign_keys(table: str) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid = %s::regclass ORDER BY conname",
            [table],
        )
        return cursor.fetchall()


def test_update_rows_writes_each_rows_own_values_and_the_audit_trail(org):
    a, b, c = org.home_a, org.home_b, org.home_c
    a.capacity, a.area, a.name = 21, org.area_south, "Egebakken II"
    b.capacity, b.area, b.name = 0, org.area_north, "Lindehuset"
    events_before = Home.pgh_event_model.objects.count()

    assert update_rows(Home, [a, b], ["capacity", "area", "name"]) == 2

    rows = {h.pk: (h.capacity, h.area_id, h.name) for h in Home.objects.all()}
    assert rows[a.pk] == (21, org.area_south.pk, "Egebakken II")
    assert rows[b.pk] == (0, org.area_north.pk, "Lindehuset")
    assert rows[c.pk] == (16, org.area_south.pk, "Birkelund")  # not in the list: untouched
    # The audit trigger fires per row, as for save(): b's row is written, unchanged.
    assert Home.pgh_event_model.objects.count() - events_before >= 1
    assert update_rows(Home, [], ["capacity"]) == 0


def test_update_rows_writes_none_dates_and_decimals(org):
    price = HourPrice.objects.get(home=org.home_a, year=2026)
    price.hour_price = "412.50"
    assert update_rows(HourPrice, [price], ["hour_price"]) == 1
    assert str(HourPrice.objects.get(pk=price.pk).hour_price) == "412.50"
    citizens = [Citizen.objects.create(case_number=f"2026-{i}", initials="AB", birth_year=1990) for i in range(3)]
    citizens[0].birth_year, citizens[1].birth_year = None, 1960
    citizens[2].anonymised_at = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)
    update_rows(Citizen, citizens, ["birth_year", "anonymised_at"])
    assert [(c.birth_year, c.anonymised_at) for c in Citizen.objects.order_by("pk")] == [
        (None, None),
        (1960, None),
        (1990, dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)),
    ]


def test_foreign_keys_come_back_the_same_and_are_checked_at_the_end(org):
    table = HourPrice._meta.db_table
    before = _foreign_keys(table)
    assert before
    with transaction.atomic(), foreign_keys_checked_at_end([table]):
        assert _foreign_keys(table) == []
        HourPrice.objects.create(home=org.home_b, year=2026, hour_price="300.00")
    assert _foreign_keys(table) == before

    with pytest.raises(IntegrityError), transaction.atomic(), foreign_keys_checked_at_end([table]):
        HourPrice.objects.create(home_id=987654, year=2026, hour_price="300.00")  # no such home
    assert _foreign_keys(table) == before
    assert not HourPrice.objects.filter(home_id=987654).exists()


def test_changed_tables_names_the_tables_written_since_the_last_call(org):
    tables = [Home._meta.db_table, HourPrice._meta.db_table]
    changed = ChangedTables(tables)
    changed.since_last()
    assert changed.since_last() == []
    HourPrice.objects.create(home=org.home_b, year=2025, hour_price="300.00")
    assert changed.since_last() == [HourPrice._meta.db_table]
    assert changed.since_last() == []


def test_copy_create_writes_what_bulk_create_writes(org):
    made = HourPrice.objects.bulk_create([HourPrice(home=org.home_b, year=1990, hour_price="301.50")])
    copied = copy_create(
        HourPrice,
        [
            HourPrice(home=org.home_b, year=1991, hour_price="302.25"),
            HourPrice(home=org.home_b, year=1992, hour_price="303.00"),
        ],
    )
    assert [p.pk for p in copied] == [made[0].pk + 1, made[0].pk + 2]  # the ids an INSERT would take next
    stored = {p.year: p for p in HourPrice.objects.filter(year__in=[1990, 1991, 1992])}
    assert stored[1991].hour_price == D("302.25") and stored[1991].home_id == org.home_b.pk
    assert stored[1992].version == stored[1990].version == 1
    # Row triggers fire as for INSERT: each copied row has its audit event.
    events = HourPrice.pgh_event_model.objects.filter(pgh_obj_id__in=[p.pk for p in copied])
    assert events.count() == 2
    with pytest.raises(ValueError):
        copy_create(HourPrice, copied)  # already saved


def test_copy_values_writes_what_bulk_create_writes_with_the_defaults(org):
    made = Citizen.objects.bulk_create([Citizen(case_number="2026-900", initials="AB")])
    ids = copy_values(Citizen, ["case_number", "initials"], [("2026-901", "CD"), ("2026-902", "EF")])
    assert ids == [made[0].pk + 1, made[0].pk + 2]  # the ids an INSERT would take next
    by_case = {c.case_number: c for c in Citizen.objects.filter(pk__in=[made[0].pk, *ids])}
    assert by_case["2026-901"].pk == ids[0] and by_case["2026-902"].initials == "EF"
    # The other columns get the fields' defaults, as bulk_create gives them.
    assert (by_case["2026-901"].version, by_case["2026-901"].birth_year) == (by_case["2026-900"].version, None)
    provider = Provider.objects.create(name="Egne botilbud", kind=Provider.Kind.OWN)
    offer = Offer.objects.create(
        provider=provider, name="Egebakken", paragraph=Paragraph.objects.get(code="§108"), home=org.home_a
    )
    placement = Placement.objects.create(
        citizen_id=ids[0],
        offer=offer,
        start_date=dt.date(2026, 1, 1),
        annual_price=D("1.00"),
        required_level="sagsbehandler",
    )
    [decision_id] = copy_values(
        Decision,
        ["placement_id", "level", "outcome", "decided_by_id"],
        [(placement.pk, "sagsbehandler", Decision.Outcome.APPROVED, org.caseworker.pk)],
    )
    decision = Decision.objects.get(pk=decision_id)
    assert decision.note == "" and decision.meeting_date is None and decision.decided_at is not None
    # Row triggers fire as for INSERT: each copied row has its audit event.
    assert Citizen.pgh_event_model.objects.filter(pgh_obj_id__in=ids).count() == 2
    assert copy_values(Citizen, ["initials"], []) == []
    with pytest.raises(ValueError):
        copy_values(Citizen, ["id", "initials"], [(1, "AB")])  # the ids come from the sequence


def test_changed_tables_needing_statistics_follows_autovacuums_rule(org):
    table = HourPrice._meta.db_table
    changed = ChangedTables([Home._meta.db_table, table])
    changed.needing_statistics()
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        rows = cursor.fetchone()[0]
    threshold = math.ceil(50 + 0.1 * max(rows, 0))  # rows written that make the statistics stale
    years = iter(range(1000, 3000))
    HourPrice.objects.bulk_create(
        [HourPrice(home=org.home_b, year=next(years), hour_price="300.00") for _ in range(threshold - 1)]
    )
    assert changed.needing_statistics() == []  # a few rows: the statistics still describe the table
    HourPrice.objects.bulk_create(
        [HourPrice(home=org.home_b, year=next(years), hour_price="300.00") for _ in range(threshold)]
    )
    assert changed.needing_statistics() == [table]
    assert changed.needing_statistics() == []


def _join_collapse_limit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW join_collapse_limit")
        return cursor.fetchone()[0]


def test_joins_in_written_order_sets_the_planner_for_the_block_only():
    default = _join_collapse_limit()
    with joins_in_written_order():
        assert _join_collapse_limit() == "1"
    assert _join_collapse_limit() == default
