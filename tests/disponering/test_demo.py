"""The demo seeder: realistic entries per home and year, consistent months."""

from __future__ import annotations

import datetime as dt
import os
import random
import time

import pghistory
import pytest
from django.apps import apps
from django.db import connection
from django.db.models import F, Sum
from django.urls import reverse

from botilbud.demo import DemoContext, seed_organisation
from botilbud.lib.bulk import foreign_keys_checked_at_end
from botilbud.lib.history import object_history
from botilbud.migrations._defaults import load_paragraphs
from disponering.demo import seed
from disponering.models import LedgerEntry, LedgerEntryMonth, Spread


def _seed(scale: str, years: list[int] | None = None) -> DemoContext:
    load_paragraphs(apps)  # idempotent; a transactional test's flush may have removed them
    ctx = DemoContext(
        rng=random.Random(7), scale=scale, today=dt.date(2026, 11, 23), years=[2022, 2023, 2024, 2025, 2026]
    )
    # As ``seed_demo`` seeds: the foreign keys checked once at the end (not a
    # deferred check queued per row, which the test's teardown would run one by
    # one before its rollback) and an explicit audit context (pghistory's
    # trigger skips its subtransaction per row).
    tables = sorted(connection.introspection.django_table_names(only_existing=True))
    with pghistory.context(source="test"), foreign_keys_checked_at_end(tables):
        seed_organisation(ctx)
        seed(ctx)
    return ctx


def test_small_seed(db):
    ctx = _seed("small")
    home = ctx.homes[0]
    for year in ctx.years:
        assert LedgerEntry.objects.filter(home=home, start_date__year=year).count() >= 8
    assert LedgerEntry.objects.filter(category="barsel").exists()
    # Every entry's months add up to its amount (evenly spread ones by construction).
    mismatched = (
        LedgerEntry.objects.exclude(spread=Spread.MONTHLY)
        .annotate(month_sum=Sum("months__amount"))
        .exclude(month_sum=F("amount"))
    )
    assert not mismatched.exists()
    assert LedgerEntryMonth.objects.exclude(home_id=F("entry__home_id")).count() == 0
    # Every demo entry has its "created" event in the audit trail.

    entry = LedgerEntry.objects.order_by("?").first()
    rows = object_history(entry)
    assert len(rows) == 1 and rows[0]["action"] == "Oprettet"
    assert LedgerEntry.pgh_event_models["insert"].objects.count() == LedgerEntry.objects.count()


@pytest.mark.skipif(not os.environ.get("BOTILBUD_SLOW"), reason="slow: set BOTILBUD_SLOW=1")
def test_large_seed_is_fast(db):
    started = time.monotonic()
    ctx = _seed("large")
    elapsed = time.monotonic() - started
    assert LedgerEntry.objects.count() > 10_000
    assert elapsed < 20, ctx.log


@pytest.mark.parametrize("scale", ["small", "large"])
def test_ledger_page_queries_at_demo_scale(db, client, django_assert_max_num_queries, scale):
    ctx = _seed(scale, years=[2025, 2026])
    home = ctx.homes[0]
    client.force_login(ctx.users["leder"])
    url = reverse("disponering:ledger", args=[home.pk]) + "?aar=2026"
    client.get(url)
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200
    entries = LedgerEntry.objects.filter(home=home).overlapping_year(2026).count()
    assert response.content.decode().count('<tr id="post-') == entries > 0
