"""Demo ledger entries: maternity leaves, sickness, hires, temps, one-offs…

Registered as ``demo_seeder(30, "disponering", seed)``. Uses bulk inserts so
``large`` (tens of thousands of entries) stays fast.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pgtrigger
from django.db import connection
from django.utils import timezone

from botilbud.demo import DemoContext
from botilbud.lib.dates import add_months, month_end
from botilbud.lib.money import format_kr, to_money
from botilbud.models import AccountGroup, Home
from disponering.models import Category, LedgerEntry, LedgerEntryMonth, Spread, Status
from disponering.services import leave_effect, spread_amounts

PER_HOME_YEAR = {"small": 8, "medium": 12, "large": 28}
INITIALS = "ABCDEFGHIJKLMNOPRSTUVW"
ROLES = ["Pædagog", "Social- og sundhedsassistent", "Pædagogmedhjælper", "Nattevagt", "Ergoterapeut"]
ONE_OFFS = [
    ("Nye senge til to værelser", Category.ONE_OFF, 18_000, 45_000),
    ("Hjælpemidler (lift)", Category.ONE_OFF, 25_000, 80_000),
    ("Udskiftning af køkken", Category.BUILDING, 60_000, 180_000),
    ("Maling af fællesarealer", Category.BUILDING, 20_000, 70_000),
    ("Kursus i konflikthåndtering", Category.OTHER, 8_000, 30_000),
    ("Ny bus til ture", Category.ONE_OFF, 90_000, 250_000),
]


def _date_in(rng: random.Random, year: int) -> dt.date:
    return dt.date(year, rng.randint(1, 12), rng.choice([1, 1, 1, 15, rng.randint(2, 28)]))


def _who(rng: random.Random) -> str:
    if rng.random() < 0.6:
        return "".join(rng.sample(INITIALS, 2))
    role: str = rng.choice(ROLES)
    return role


def seed(ctx: DemoContext) -> None:
    rng = ctx.rng
    per = PER_HOME_YEAR.get(ctx.scale, 8)
    writers: dict[int, list[int | None]] = {}  # a home without writers: registered by nobody (None)
    for home_id, user_id in Home.managers.through.objects.values_list("home_id", "user_id"):
        writers.setdefault(home_id, []).append(user_id)
    for home_id, user_id in Home.consultants.through.objects.values_list("home_id", "user_id"):
        writers.setdefault(home_id, []).append(user_id)

    # Each entry's column values (a dict, not a model instance: 24,000 of them at ``large``).
    entries: list[dict[str, Any]] = []
    month_plans: list[list[tuple[dt.date, Decimal]]] = []

    def add(home: Home, year: int, **kw: Any) -> None:
        start: dt.date = kw["start_date"]
        end: dt.date = kw["end_date"]
        monthly = kw.pop("monthly", None)
        months = spread_amounts(
            amount=kw["amount"], start_date=start, end_date=end, spread=kw["spread"], monthly=monthly
        )
        if kw["spread"] == Spread.MONTHLY:
            kw["amount"] = sum((a for _, a in months), Decimal("0.00"))
        status = kw.pop("status", None)  # given: follow the line it belongs to
        if status is None:
            if end < ctx.today.replace(day=1):
                status = Status.CONFIRMED
            else:
                status = rng.choice([Status.EXPECTED, Status.EXPECTED, Status.CONFIRMED])
            if rng.random() < 0.05:
                status = Status.CANCELLED
        who = writers.get(home.pk) or [None]
        entries.append({"home_id": home.pk, "status": status, "registered_by_id": rng.choice(who), **kw})
        month_plans.append(months)

    for home in ctx.homes:
        for year in ctx.years:
            for _ in range(per):
                kind = rng.choices(
                    ["barsel", "sygdom", "ansaet", "opsig", "vikar", "overtid", "engang", "indflyt"],
                    weights=[14, 18, 14, 10, 14, 8, 14, 8],
                )[0]
                start = _date_in(rng, year)
                wage = Decimal(rng.randrange(29_000, 42_000, 500))
                if kind in ("barsel", "sygdom"):
                    length = rng.randint(6, 11) if kind == "barsel" else rng.randint(2, 6)
                    end = month_end(add_months(start, length - 1))
                    pct = Decimal(rng.choice([0, 50, 80, 80, 90]))
                    refund = Decimal(rng.randrange(12_000, 19_000, 500)) if kind == "barsel" else Decimal(0)
                    effect = leave_effect(
                        monthly_wage=wage, start_date=start, end_date=end, temp_percent=pct, monthly_refund=refund
                    )
                    category = Category.MATERNITY if kind == "barsel" else Category.SICKNESS
                    title = _who(rng)
                    add(
                        home,
                        year,
                        category=category,
                        account_group=AccountGroup.WAGES,
                        title=title,
                        amount=effect.total,
                        start_date=start,
                        end_date=end,
                        spread=Spread.MONTHLY,
                        monthly=dict(effect.months),
                        comment=f"Månedsløn {format_kr(wage)}, vikardækning {pct} %.",
                    )
                    if effect.refund_months:
                        add(
                            home,
                            year,
                            category=category,
                            account_group=AccountGroup.INCOME,
                            title=f"{title} – refusion",
                            amount=effect.refund_total,
                            start_date=start,
                            end_date=end,
                            spread=Spread.MONTHLY,
                            monthly=dict(effect.refund_months),
                            comment="Barselsrefusion.",
                            status=entries[-1]["status"],
                        )
                elif kind in ("ansaet", "opsig", "vikar"):
                    end = dt.date(year, 12, 31)
                    months_left = 13 - start.month
                    sign = -1 if kind == "opsig" else 1
                    if kind == "vikar":
                        end = month_end(add_months(start, rng.randint(0, 3)))
                        months_left = (end.year - start.year) * 12 + end.month - start.month + 1
                    category = {"ansaet": Category.HIRE, "opsig": Category.RESIGNATION, "vikar": Category.TEMP}[kind]
                    add(
                        home,
                        year,
                        category=category,
                        account_group=AccountGroup.WAGES,
                        title=_who(rng),
                        amount=to_money(wage * months_left * sign),
                        start_date=start,
                        end_date=end,
                        spread=Spread.EVEN,
                        comment="",
                    )
                elif kind == "overtid":
                    add(
                        home,
                        year,
                        category=Category.OVERTIME,
                        account_group=AccountGroup.WAGES,
                        title="Overarbejde ved underbemanding",
                        amount=Decimal(rng.randrange(5_000, 40_000, 250)),
                        start_date=start,
                        end_date=start,
                        spread=Spread.ONE_OFF,
                        comment="",
                    )
                elif kind == "engang":
                    text, category, low, high = rng.choice(ONE_OFFS)
                    add(
                        home,
                        year,
                        category=category,
                        account_group=AccountGroup.OPERATIONS,
                        title=text,
                        amount=Decimal(rng.randrange(low, high, 500)),
                        start_date=start,
                        end_date=start,
                        spread=Spread.ONE_OFF,
                        comment=rng.choice(["", "Aftalt med områdelederen.", "Tilbud indhentet."]),
                    )
                else:
                    moving_in = rng.random() < 0.6
                    add(
                        home,
                        year,
                        category=Category.MOVE_IN if moving_in else Category.MOVE_OUT,
                        account_group=AccountGroup.INCOME,
                        title=f"Borger {''.join(rng.sample(INITIALS, 2))}",
                        amount=to_money(
                            Decimal(rng.randrange(40_000, 70_000, 1000)) * (13 - start.month) * (-1 if moving_in else 1)
                        ),
                        start_date=start,
                        end_date=dt.date(year, 12, 31),
                        spread=Spread.EVEN,
                        comment="",
                    )

    # The audit trigger costs about a millisecond a row; at ``large`` that is
    # most of the time. Skip it and write the same "created" events in one
    # set-based statement instead.
    with pgtrigger.ignore("disponering.LedgerEntry:insert_insert"):
        count = _copy_rows(entries, month_plans)
    _insert_created_events([e["id"] for e in entries])
    ctx.log.append(f"{len(entries)} disponeringer ({count} månedsbeløb)")


ENTRY_COLUMNS = [
    "id",
    "home_id",
    "category",
    "account_group",
    "title",
    "amount",
    "start_date",
    "end_date",
    "spread",
    "status",
    "comment",
    "registered_by_id",
    "created_at",
    "updated_at",
    "generated",
    "generated_key",
    "generated_data",
    "version",
]


EVENT_FIELDS = [
    "account_group",
    "amount",
    "category",
    "comment",
    "end_date",
    "generated",
    "generated_key",
    "home_id",
    "id",
    "placement_id",
    "registered_by_id",
    "spread",
    "start_date",
    "status",
    "title",
    "version",
]


def _insert_created_events(ids: list[int]) -> None:
    """What the pghistory insert trigger writes, for many rows at once."""
    event_table = LedgerEntry.pgh_event_models["insert"]._meta.db_table  # type: ignore[attr-defined]  # pghistory adds pgh_event_models at run time
    columns = ", ".join(f'"{c}"' for c in EVENT_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{event_table}" ({columns}, "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id") '
            f'SELECT {columns}, NULL, NOW(), \'insert\', "id" FROM "{LedgerEntry._meta.db_table}" '
            'WHERE "id" = ANY(%s)',
            [ids],
        )


def _registered_at(pk: int, start_date: dt.date, now: dt.datetime) -> dt.datetime:
    """A plausible registration time: one to eight weeks before the entry
    starts (never in the future), so "this month's changes" look real."""
    days_before = 7 + (pk * 37) % 50
    day = start_date - dt.timedelta(days=days_before)
    registered = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
    return min(registered, now)


def _copy_rows(entries: list[dict[str, Any]], month_plans: list[list[tuple[dt.date, Decimal]]]) -> int:
    """COPY the entries (ids taken from the sequence first; each entry's ``id`` is
    set) and their months: several times faster than INSERT at ``large``. The
    months (120,000 at ``large``) go in as COPY text made here, as ``write_row``
    would write them (ids, a group's value, ISO dates, decimals as ``str``)."""
    entry_table = LedgerEntry._meta.db_table
    month_table = LedgerEntryMonth._meta.db_table
    now = timezone.now()
    count = 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [entry_table, len(entries)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        raw = cursor.connection.cursor()
        with raw.copy(f"COPY {entry_table} ({', '.join(ENTRY_COLUMNS)}) FROM STDIN") as copy:
            for pk, e in zip(ids, entries, strict=True):
                e["id"] = pk
                registered = _registered_at(pk, e["start_date"], now)
                copy.write_row(
                    (
                        pk,
                        e["home_id"],
                        e["category"],
                        e["account_group"],
                        e["title"],
                        e["amount"],
                        e["start_date"],
                        e["end_date"],
                        e["spread"],
                        e["status"],
                        e["comment"],
                        e["registered_by_id"],
                        registered,
                        registered,
                        False,
                        "",
                        "{}",
                        1,
                    )
                )
        with raw.copy(f"COPY {month_table} (entry_id, home_id, account_group, month, amount) FROM STDIN") as copy:
            lines: list[str] = []
            for entry, plan in zip(entries, month_plans, strict=True):
                head = f"{entry['id']}\t{entry['home_id']}\t{AccountGroup(entry['account_group']).value}\t"
                for month, amount in plan:
                    if amount:
                        lines.append(f"{head}{month.isoformat()}\t{amount}\n")
                if len(lines) >= 10_000:
                    copy.write("".join(lines))
                    count += len(lines)
                    lines.clear()
            copy.write("".join(lines))
            count += len(lines)
    return count
