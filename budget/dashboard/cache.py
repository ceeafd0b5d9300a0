"""The department dashboard's figures, cached until data it reads is committed.

The department level reads ~23 aggregates over the whole department (a
few tens of milliseconds of SQL at the large demo's scale) and is the page
the department head and the area managers open most. Its figures depend
only on the data, the user (their scope), the filters and today's date, so
they are cached under those four and the **data version**
(``models.DataVersion``): triggers on every table the dashboard reads
(migration 0003) give it a new value at the commit of any write, whichever
code path wrote. A cached figure is therefore never older than the last
commit; the first visit after a change computes afresh.

Inside a transaction that has itself written to those tables (not yet
committed, so the version has not moved) the cache is neither read nor
written: the figures are computed from what this transaction sees.

The cache is Django's default cache (per process; in a deployment each
gunicorn worker computes a version once). The page says which moment its
figures are from exactly as before: the moment is part of the cached value.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.cache import cache
from django.db import connection

from botilbud.models import User
from budget.dashboard import build
from budget.dashboard import selectors as sel

TIMEOUT_SECONDS = 60 * 60


def data_version() -> int | None:
    """The committed data version, or None when this transaction has written dashboard data itself."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT version FROM dashboard_dataversion WHERE id = 1), "
            "current_setting('dashboard.txn_marked', true) IS NOT DISTINCT FROM 'on'"
        )
        version, written_here = cursor.fetchone()
    return None if written_here else int(version or 0)


def department(user: User, filters: sel.Filters, today: dt.date) -> dict[str, Any]:
    """``build.department``, from the cache when nothing it reads has changed since."""
    version = data_version()
    if version is None:
        return build.department(user, filters, today)
    key = f"dashboard:department:{version}:{user.pk}:{today.isoformat()}:{filters.query()}"
    level: dict[str, Any] | None = cache.get(key)
    if level is None:
        level = build.department(user, filters, today)
        cache.set(key, level, TIMEOUT_SECONDS)
    return level
