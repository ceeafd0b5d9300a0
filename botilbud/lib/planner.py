"""Planner hints for queries whose planning costs more than their execution.

A list row of placements joins eight tables (``select_related`` of citizen,
offer, provider, paragraph, home, package and paying municipality). On the
large demo PostgreSQL took 50–130 ms to *plan* that query (it searches every
join order of the eight relations, each with several indexes) and 1–3 ms to
run it. With the joins taken in the order Django writes them (from the
filtered base table outwards, the order the plan used anyway) planning takes
about 1.5 ms and the plan is the same. Measured with ``EXPLAIN (ANALYZE,
SUMMARY)``; see ``docs/scale.md``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def joins_in_written_order() -> Iterator[None]:
    """Plan the block's queries with ``join_collapse_limit = 1``: explicit joins
    are not reordered. Only for queries that start from their filtered base
    table (a list page's row query). One query more (two inside a transaction
    that goes on after the block, where the setting is reset at its end)."""
    nested = connection.in_atomic_block
    with transaction.atomic(savepoint=False):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL join_collapse_limit = 1")  # until this transaction ends
        try:
            yield
        finally:
            if nested:  # the surrounding transaction goes on: back to the default now
                with connection.cursor() as cursor:
                    cursor.execute("RESET join_collapse_limit")
