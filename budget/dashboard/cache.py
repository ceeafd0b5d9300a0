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
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.utils.safestring import SafeString, mark_safe

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
    """``build.department``, from the cache when nothing it reads has changed since.

    The level carries ``cache_key`` (None when it was computed past the cache),
    under which ``rendered`` keeps the level's HTML.
    """
    version = data_version()
    if version is None:
        return {**build.department(user, filters, today), "cache_key": None}
    key = f"dashboard:department:{version}:{user.pk}:{today.isoformat()}:{filters.query()}"
    level: dict[str, Any] | None = cache.get(key)
    if level is None:
        level = {**build.department(user, filters, today), "cache_key": key}
        cache.set(key, level, TIMEOUT_SECONDS)
    return level


def rendered(level: dict[str, Any], variant: str, render: Callable[[], str]) -> SafeString:
    """The level's HTML (``render()``), kept beside its figures under the same key.

    ``variant`` names what else the HTML depends on (the request's path, and
    whether it is the HTMX swap or the whole page). The department level's
    template shows the figures, the filters' choices (areas, paragraphs, budget
    years: tables that move the version too) and what the user may open (the
    user is in the key), nothing from the session: no form token, no messages.
    """
    key = level.get("cache_key")
    if not key:
        return mark_safe(render())  # noqa: S308 - our own template's output
    html_key = f"{key}:html:{variant}"
    html: str | None = cache.get(html_key)
    if html is None:
        html = render()
        cache.set(html_key, str(html), TIMEOUT_SECONDS)
    return mark_safe(html)  # noqa: S308 - our own template's output, rendered above or earlier
