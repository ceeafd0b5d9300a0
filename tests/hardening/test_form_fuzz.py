"""Property-based fuzzing of every POST endpoint (hypothesis).

The endpoints are found from the URLconf, not listed by hand: every route
outside the admin is probed with an empty POST per role; a route that
answers anything but 405 for some role is a POST endpoint, and the roles
that are not refused (403/404/login redirect) are the roles allowed there.
Each endpoint then gets at least 50 generated bad submissions (hostile text,
huge and odd numbers, impossible dates, CPR numbers, formulas, stale or
absurd versions), spread over its allowed roles. Two properties:

- never a 5xx;
- a refusal (4xx) writes nothing: the row count of every table is the same
  before and after (sessions excepted: each request moves the idle expiry).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import inspect
import os
import re
import zlib
from decimal import Decimal

import pytest
from django import forms
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as seed_for
from hypothesis import strategies as st

import budget.followup.forms
import budget.forms
import disponering.forms
import visitation.forms
from botilbud.models import Paragraph
from budget.followup import services as followup
from budget.models import BudgetLine
from disponering import services as ledger
from tests.conftest import build_org
from tests.followup.conftest import make_march
from tests.visitation.conftest import make_placement
from visitation.models import Offer, Provider

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

EXAMPLES_PER_ENDPOINT = int(os.environ.get("BOTILBUD_FUZZ_EXAMPLES", "50"))
SKIP_PREFIXES = ("admin/", "log-ud/", "sso/", "kom-i-gang/vaelg-adgangskode/")
IGNORED_TABLES = {"django_session", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"}
ROLES = [
    "manager",
    "consultant",
    "area_manager",
    "caseworker",
    "authority_head",
    "department_head",
    "administrator",
]

HOSTILE = [
    "",
    " ",
    "0",
    "-1",
    "1e25",
    "-1e25",
    "9" * 40,
    "1.234.567.890.123,45",
    "NaN",
    "Infinity",
    "-0,00",
    "²",
    "١٢٣",
    "0x1F",
    "12,3456789",
    "9999-12-31",
    "0000-00-00",
    "31-02-2026",
    "2026-13-01",
    "99-99-9999",
    "010190-1234",
    '=HYPERLINK("http://x")',
    "@SUM(A1)",
    "<script>alert(1)</script>",
    "'; DROP TABLE botilbud_home; --",
    "\x00",
    "a\x00b",
    "æøå ÆØÅ",
    "loen",
    "drift",
    "indtaegt",
    "udgift",
    "indtaegt",
    "x" * 5000,
]


def _project_form_fields() -> list[str]:
    """Every field name of every form class in the project's modules."""

    modules = [visitation.forms, disponering.forms, budget.forms, budget.followup.forms]
    for name in ("onboarding.forms", "budget.rates.forms", "botilbud.forms"):
        with contextlib.suppress(ImportError):
            modules.append(__import__(name, fromlist=["x"]))
    names = {"version", "aar", "year", "month", "next"}
    for module in modules:
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                names.update(getattr(cls, "base_fields", {}))
    # Forms built in __init__ (monthly fields, per-group inputs).
    names.update(f"m{i}" for i in range(1, 13))
    return sorted(names)


FIELD_NAMES = _project_form_fields()

values = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.decimals(allow_nan=True, allow_infinity=True, places=None).map(str),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(lambda d: d.strftime("%d-%m-%Y")),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(str),
)
submissions = st.dictionaries(st.sampled_from(FIELD_NAMES), values, max_size=12)


def _routes(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


ALL_ROUTES = [r for r in _routes(get_resolver().url_patterns) if not r.startswith(SKIP_PREFIXES)]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """One object of each kind the URLs point at, built once for the module
    inside a transaction that is rolled back at the end; every request then
    runs in a savepoint that is rolled back too, so each submission meets the
    same world (and the run is reproducible)."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        _WORLD_SUMS.clear()
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield _build_world(build_org())
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _build_world(org):
    round_ = make_march(org)
    fu = followup.followups_for_round(round_=round_, homes=[org.home_a])[0]
    fu = followup.followup_prepare(followup=fu, user=org.consultant, note="", seen_version=fu.version)
    action = followup.action_add(
        followup=fu,
        user=org.manager,
        description="Plan",
        owner="Leder",
        deadline=dt.date(2026, 5, 1),
        expected_effect=Decimal("1000"),
    )
    own = Provider.objects.create(name="Egne", kind=Provider.Kind.OWN)
    offer = Offer.objects.create(
        provider=own, name="Egebakken", paragraph=Paragraph.objects.get(code="§108"), home=org.home_a
    )
    placement = make_placement(offer, status="indstillet")
    entry = ledger.entry_create(
        home=org.home_a,
        user=org.manager,
        category="engangskoeb",
        account_group="drift",
        title="Senge",
        amount=Decimal("1000"),
        start_date=dt.date(2026, 3, 1),
        end_date=dt.date(2026, 3, 1),
        spread="engang",
    )
    line = BudgetLine.objects.filter(home=org.home_a, year=2026).first()
    by_prefix = {
        "brugere/": org.manager.pk,
        "visitation/bevillinger/": placement.pk,
        "disponering/post/": entry.pk,
        "opfoelgning/": round_.pk,
        "dashboard/omraade/": org.area_north.pk,
    }
    ints = {
        "home_pk": org.home_a.pk,
        "round_pk": round_.pk,
        "area_pk": org.area_north.pk,
        "action_pk": action.pk,
        "line_pk": line.pk,
        "year": 2026,
        "user_pk": org.manager.pk,
    }
    strs = {"kind": "botilbud", "group": "loen", "chart": "afvigelse"}

    def url_for(route: str) -> str | None:
        def fill(match):
            conv, name = match.group(1), match.group(2)
            if conv in ("int", None) and name in ints:
                return str(ints[name])
            if conv == "int" and name == "pk":
                for prefix, pk in by_prefix.items():
                    if route.startswith(prefix):
                        return str(pk)
                return str(org.home_a.pk)
            if conv == "int":
                return "1"
            return strs.get(name, "x")

        return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", fill, route)

    return {"org": org, "url_for": url_for, "entry": entry, "placement": placement}


def _write_counters() -> dict[str, int]:
    """Rows this transaction tried to write, per table (one cheap query: the
    module runs in one transaction, so Postgres' per-transaction counters show
    what each request inserted, updated or deleted, also in rolled-back
    savepoints)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables WHERE NOT relname = ANY(%s)",
            [sorted(IGNORED_TABLES)],
        )
        return dict(cursor.fetchall())


def _checksum(table: str) -> tuple[int, str]:
    """Row count and a digest of every row of ``table``, as this transaction sees it."""
    quoted = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {quoted} t")
        return tuple(cursor.fetchone())


_WORLD_SUMS: dict[str, tuple[int, str]] = {}


def _world_checksum(table: str) -> tuple[int, str]:
    """The table's checksum in the world every request starts from (taken
    outside the per-request savepoints)."""
    if table not in _WORLD_SUMS:
        _WORLD_SUMS[table] = _checksum(table)
    return _WORLD_SUMS[table]


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def _is_refused(response) -> bool:
    if response.status_code in (403, 404, 405):
        return True
    return response.status_code == 302 and "/log-ind/" in response.get("Location", "")


@contextlib.contextmanager
def _rolled_back():
    """A savepoint that is always rolled back: each request meets the same world."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def clients(world, django_db_blocker):
    """One logged-in client per role (and an anonymous one), for the module."""
    org = world["org"]
    with django_db_blocker.unblock():
        made = {name: _client(getattr(org, name)) for name in ROLES}
        made[None] = _client(None)
    return made


def _seed(route: str) -> int:
    return zlib.crc32(route.encode())


# The marker makes pytest-django set up the test database (and wraps each
# test in one more savepoint inside the module's transaction).
@pytest.mark.django_db
@pytest.mark.parametrize("route", ALL_ROUTES)
def test_fuzz_post_endpoint(route, world, clients, django_db_blocker):
    url = world["url_for"](route)
    seed = _seed(route)
    print(f"fuzz {url}: hypothesis seed {seed}")

    def post(who, data):
        """Send one submission; return the response and, for a refusal, the
        tables whose content it changed."""
        with _rolled_back():
            before = _write_counters()
            response = clients[who].post(url, data)
            after = _write_counters()
            touched = sorted(t for t, n in after.items() if n != before.get(t, 0))
            refused = 400 <= response.status_code < 500
            after_sums = {t: _checksum(t) for t in touched} if refused else {}
        # The counters also count writes a view rolled back itself; the
        # content of each touched table decides (the world before each
        # request is the same, so its checksum is computed once).
        changed = [t for t, total in after_sums.items() if total != _world_checksum(t)]
        return response, changed

    with django_db_blocker.unblock():
        probes = {}
        for who in [*ROLES, None]:
            response, changed = post(who, {})
            assert response.status_code < 500, (url, who, response.status_code)
            assert not changed, (url, who, {}, response.status_code, changed)
            probes[who] = response
        if all(probes[name].status_code == 405 for name in ROLES):
            # GET only (the anonymous probe is sent to the login page first).
            pytest.skip(f"{route}: no POST")
        # The roles not refused are the roles allowed here; a route refused
        # for everybody still gets its refusal fuzzed.
        allowed = [name for name in ROLES if not _is_refused(probes[name])] or ["administrator"]
        sent = []

        @seed_for(seed)
        @settings(
            max_examples=EXAMPLES_PER_ENDPOINT,
            deadline=None,
            database=None,
            phases=[Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
        )
        @given(data=submissions, who=st.sampled_from(allowed))
        def fuzz(data, who):
            response, changed = post(who, data)
            sent.append(response.status_code)
            assert response.status_code < 500, (url, who, data, response.status_code, f"seed {seed}")
            assert not changed, (url, who, data, response.status_code, changed, f"seed {seed}")

        fuzz()
    assert len(sent) >= EXAMPLES_PER_ENDPOINT, (url, len(sent))
