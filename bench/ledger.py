"""Benchmark: one home's ledger page with 1,000 entries in the year.

    .venv/bin/python bench/ledger.py [--entries 1000] [--runs 20]

Run ``seed_demo`` first. The script gives the first active home ``--entries``
entries of its own (through the ledger's service, as a user would), commits
them and VACUUMs the ledger's tables, then times the ledger page for its
manager with the test client (the whole request); at the end (also after an
error, and at the start for an interrupted run's leftovers) it deletes its
entries and their history rows again. Target (issue #17): the page opens in
≤ 50 ms (p95) with 1,000 entries; it renders at most 100 rows.

Why committed: the ledger's month summary (``LedgerMonthTotal``) is updated
by a trigger on every entry. Inside one open transaction its rows carry
every one of the 1,000 row versions the bench itself wrote (not yet prunable),
and the grid's 30-row read visited ~2,000 buffers (10–19 ms). A home whose
entries were written over weeks, by committed requests, has none of that.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "botilbud.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from botilbud.models import AccountGroup, Home, Role, User  # noqa: E402
from disponering import services  # noqa: E402
from disponering.models import Category, LedgerEntry  # noqa: E402

TARGET_MS = 50.0


FLOOR_URL = "/__bench_floor__/"


def install_floor_view() -> None:
    """A bare ``HttpResponse("ok")`` behind the same middleware: how fast the
    machine is right now (the machine may be shared)."""
    from django.conf import settings
    from django.http import HttpResponse
    from django.urls import clear_url_caches, path
    from django.utils.module_loading import import_string

    urlconf = import_string(settings.ROOT_URLCONF + ".urlpatterns")
    urlconf.insert(0, path(FLOOR_URL.strip("/") + "/", lambda request: HttpResponse("ok"), name="bench_floor"))
    clear_url_caches()


MARK = "Benchmark (bench/ledger.py)"
LEDGER_TABLES = ("disponering_ledgerentry", "disponering_ledgerentrymonth", "disponering_ledgermonthtotal")


def remove_bench_entries(home: Home) -> int:
    """Delete this script's entries of ``home`` and their history events."""
    with transaction.atomic():
        ids = list(LedgerEntry.objects.filter(home=home, title__startswith=MARK).values_list("pk", flat=True))
        if ids:
            LedgerEntry.pgh_event_model.objects.filter(pgh_obj_id__in=ids).delete()
            LedgerEntry.objects.filter(pk__in=ids).delete()
    return len(ids)


def vacuum() -> None:
    with connection.cursor() as cursor:
        for table in LEDGER_TABLES:
            cursor.execute(f"VACUUM (ANALYZE) {table}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    install_floor_view()
    year = timezone.localdate().year
    manager = User.objects.filter(role=Role.HOME_MANAGER, managed_homes__is_active=True).first()
    if manager is None:
        sys.exit("No home manager: run `manage.py seed_demo` first.")
    home = Home.objects.visible_to(manager).filter(is_active=True).order_by("pk").first()
    if left := remove_bench_entries(home):
        print(f"({left} disponeringer fra en afbrudt kørsel slettet)")
    try:
        existing = LedgerEntry.objects.filter(home=home).overlapping_year(year).count()
        t0 = time.perf_counter()
        with transaction.atomic():
            for i in range(max(0, args.entries - existing)):
                month = 1 + i % 12
                services.entry_create(
                    home=home,
                    user=manager,
                    category=Category.HIRE,
                    account_group=AccountGroup.WAGES,
                    title=f"{MARK} {i}",
                    amount=Decimal(1200 + i),
                    start_date=dt.date(year, month, 1),
                    end_date=dt.date(year, 12, 31),
                )
        vacuum()
        total = LedgerEntry.objects.filter(home=home).overlapping_year(year).count()
        print(f"{home}: {total} disponeringer i {year} ({time.perf_counter() - t0:.1f} s at oprette og VACUUM)")
        measure(home, manager, year, args.runs)
    finally:
        remove_bench_entries(home)
        vacuum()


def measure(home: Home, manager: User, year: int, runs: int) -> None:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(manager)
    url = reverse("disponering:ledger", args=[home.pk]) + f"?aar={year}"
    client.get(url)  # warm up
    times, sql_ms = [], []
    for _ in range(runs):
        queries: list[float] = []

        def timed(execute, sql, *rest, queries=queries):  # noqa: ANN001, ANN202 - Django's wrapper protocol
            start = time.perf_counter()
            try:
                return execute(sql, *rest)
            finally:
                queries.append((time.perf_counter() - start) * 1000)

        with connection.execute_wrapper(timed):
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        sql_ms.append(sum(queries))
    html = response.content.decode()
    floor = []
    client.get(FLOOR_URL)
    for _ in range(runs):
        start = time.perf_counter()
        client.get(FLOOR_URL)
        floor.append((time.perf_counter() - start) * 1000)
    rows = html.count('<tr id="post-')
    p95 = statistics.quantiles(times, n=20, method="inclusive")[18]
    print(
        f"Gulv (bar Django-visning bag samme middleware, samme kørsel): median {statistics.median(floor):.1f} ms; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(f"{'mål':>10} {'median':>8} {'p95':>8} {'SQL-tid':>8} {'SQL':>5} {'rækker':>7} {'KB':>6}")
    print(
        f"{f'≤ {TARGET_MS:.0f} ms':>10} {statistics.median(times):>6.1f}ms {p95:>6.1f}ms "
        f"{statistics.median(sql_ms):>6.1f}ms {len(queries):>5} "
        f"{rows:>7} {len(html) / 1024:>6.0f}  {'ok' if p95 <= TARGET_MS else 'IKKE OK'}"
    )


if __name__ == "__main__":
    main()
