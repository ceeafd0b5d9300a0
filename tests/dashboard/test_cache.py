"""The department dashboard's cache (``budget/dashboard/cache.py``) and the data version behind it.

A cached figure must never be older than the last commit: every table the
department dashboard reads carries the trigger that moves the data version
(migration ``dashboard/0003``), the version moves at a commit and not at a
rollback, a transaction that has written computes afresh, and users never
see each other's cached figures.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from decimal import Decimal

import psycopg
import pytest
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.urls import reverse

from botilbud.models import AccountGroup
from budget.dashboard import build
from budget.dashboard import cache as dashboard_cache
from budget.dashboard import selectors as sel
from budget.models import BudgetLine
from tests.dashboard.conftest import YEAR

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:department") + f"?aar={YEAR}"
PERSONAS = ["department_head", "administrator", "area_manager", "consultant"]
DASHBOARD_TABLES = importlib.import_module("budget.dashboard.migrations.0003_data_version").DASHBOARD_TABLES


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _committed() -> None:
    """What a commit does to the version, inside the test's transaction.

    The deferred trigger runs now (``SET CONSTRAINTS ALL IMMEDIATE``), and the
    transaction-local mark "this transaction has written" is cleared, as it
    is when a transaction ends.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute("SELECT set_config('dashboard.txn_marked', '', true)")


class _Count:
    """The queries of a block (``CaptureQueriesContext`` miscounts once its log of 9,000 is full)."""

    def __init__(self) -> None:
        self.sql: list[str] = []

    def __call__(self, execute, sql, params, many, context):  # noqa: ANN001 - Django's wrapper protocol
        self.sql.append(sql)
        return execute(sql, params, many, context)

    def __enter__(self) -> _Count:
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc) -> None:  # noqa: ANN002
        self._wrapper.__exit__(*exc)

    def __len__(self) -> int:
        return len(self.sql)


def _tables_read(sql: str, real: set[str]) -> set[str]:
    names = {m.group(1) for m in re.finditer(r'\b(?:FROM|JOIN)\s+"?([a-z_0-9]+)"?', sql, re.IGNORECASE)}
    return names & real  # CTE names and aliases are not tables


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_table_the_department_dashboard_reads_moves_the_version(world, persona):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind IN ('r', 'p') AND relnamespace = 'public'::regnamespace"
        )
        real = {name for (name,) in cursor.fetchall()}
        cursor.execute(
            "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = 'dashboard_mark_write' AND NOT tgisinternal"
        )
        triggered = {name for (name,) in cursor.fetchall()}
    assert triggered == set(DASHBOARD_TABLES)

    user = getattr(world, persona)
    today = dt.date(YEAR, 4, 15)
    for query in ("", f"omraade={world.area_north.pk}", f"aar={YEAR - 1}"):
        filters = sel.checked_filters(QueryDict(query), user, today)
        with _Count() as queries:
            build.department(user, filters, today)
        read = set().union(*(_tables_read(sql, real) for sql in queries.sql))
        assert read, "no tables found in the captured SQL"
        assert read <= triggered, f"read without a version trigger: {sorted(read - triggered)}"


def _net_budget(client) -> Decimal:
    response = client.get(URL)
    assert response.status_code == 200
    return response.context["figures"]["net_budget"]


def test_a_committed_write_shows_on_the_next_visit(world, client_for):
    client = client_for(world.department_head)
    _committed()
    with _Count() as first:
        before = _net_budget(client)
    with _Count() as second:
        assert _net_budget(client) == before
    assert len(second) < len(first) - 10  # the figures came from the cache

    line = BudgetLine.objects.filter(home=world.home_b, year=YEAR, group=AccountGroup.OPERATIONS).get()
    BudgetLine.objects.filter(pk=line.pk).update(original=line.original + Decimal("12000"))
    # Not yet committed: this transaction sees its own write, past the cache.
    assert dashboard_cache.data_version() is None
    assert _net_budget(client) == before + Decimal("12000")
    _committed()
    assert dashboard_cache.data_version() is not None
    assert _net_budget(client) == before + Decimal("12000")  # computed afresh under the new version
    with _Count() as hit:
        assert _net_budget(client) == before + Decimal("12000")
    assert len(hit) == len(second)


def test_users_do_not_share_cached_figures(world, client_for):
    _committed()
    department = client_for(world.department_head).get(URL).context["figures"]
    area = client_for(world.area_manager).get(URL).context["figures"]
    again = client_for(world.department_head).get(URL).context["figures"]
    assert (department["homes"], area["homes"], again["homes"]) == (3, 2, 3)
    assert client_for(world.consultant).get(URL).context["figures"]["homes"] == 2


def test_the_excel_download_uses_the_cached_figures(world, client_for):
    client = client_for(world.department_head)
    _committed()
    client.get(URL)
    with _Count() as queries:
        excel = client.get(reverse("dashboard:department_excel", args=["botilbud"]) + f"?aar={YEAR}")
    assert excel.status_code == 200
    assert len(queries) <= 6


def _other_connection() -> psycopg.Connection:
    """A second connection to the test database (its own transactions commit for real)."""
    return psycopg.connect(**connection.get_connection_params(), autocommit=True)


def _version(other: psycopg.Connection) -> int:
    row = other.execute("SELECT version FROM dashboard_dataversion WHERE id = 1").fetchone()
    assert row is not None
    return int(row[0])


def test_the_version_moves_at_commit_not_at_rollback():
    """A statement-level trigger fires even when no row matched, so these writes change nothing."""
    noop = "UPDATE botilbud_paragraph SET name = name WHERE false"
    with _other_connection() as other:
        other.execute(noop)  # autocommit: one transaction
        start = _version(other)
        other.execute(noop)
        once = _version(other)
        assert once != start

        with other.transaction():
            for _ in range(3):
                other.execute(noop)
            assert _version(other) == once  # not before the commit
        thrice = _version(other)
        assert thrice - once == once - start  # one bump per transaction, however many statements

        with pytest.raises(RuntimeError), other.transaction():
            other.execute(noop)
            raise RuntimeError("roll back")
        assert _version(other) == thrice
        assert other.execute("SELECT count(*) FROM dashboard_versionbump").fetchone() == (0,)

        # And this (the test's) connection sees the committed version.
        assert dashboard_cache.data_version() == thrice


def _without_tokens(html: bytes) -> str:
    return re.sub(r'(X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1…", html.decode())


@pytest.mark.parametrize("htmx", [False, True])
def test_the_cached_html_is_what_the_page_renders_without_the_cache(world, client_for, monkeypatch, htmx):
    client = client_for(world.department_head)
    headers = {"HX-Request": "true"} if htmx else {}
    _committed()
    client.get(URL, headers=headers)  # computes and keeps the figures and the HTML
    with _Count() as hit:
        cached = client.get(URL, headers=headers)
    assert len(hit) <= 6
    monkeypatch.setattr(dashboard_cache, "data_version", lambda: None)  # past the cache: rendered afresh
    fresh = client.get(URL, headers=headers)
    assert cached.status_code == fresh.status_code == 200
    assert _without_tokens(cached.content) == _without_tokens(fresh.content)
    assert ('id="dashboard-main"' in cached.content.decode()) is not htmx
    assert "Forvaltningens dashboard" in cached.content.decode() or "Nøgletal" in cached.content.decode()
