"""Shared fixtures: named personas per role, one demo-like organisation.

The personas mirror the product's roles:

- ``manager``: manages home ``home_a`` (and ``home_b``) in ``area_north``;
- ``other_manager``: manages ``home_c`` in ``area_south`` (an outsider to A);
- ``area_manager``: leads ``area_north``;
- ``consultant``: finance consultant for ``home_a`` and ``home_b``;
- ``caseworker`` and ``authority_head``: the authority;
- ``department_head`` and ``administrator``.
"""

from __future__ import annotations

import asyncio

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connections
from procrastinate import testing, utils
from procrastinate.contrib.django import app, db_cleanup

from botilbud.models import Area, Home, HourPrice, Paragraph, Role, User
from botilbud.registry import load_reference_data

PASSWORD = "demo-test-1"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Reference data (paragraphs, thresholds, chart of accounts …) comes from
    data migrations; a live-server test flushes it, and --reuse-db keeps that
    state for the next run. Put it back once per session."""

    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture(scope="session")
def password_hash() -> str:
    return make_password(PASSWORD)


@pytest.fixture(autouse=True)
def _fast_hasher(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_leftover_event_loop(request) -> None:
    """Outside the browser tests no event loop may be running in the test thread:
    one left by Playwright (tests/browser/conftest.py opens it per file) makes
    ``async_to_sync`` fail in whatever test the xdist worker runs next."""
    if "tests/browser/" in str(request.node.path):
        return
    assert asyncio.events._get_running_loop() is None, (
        "Der kører stadig en event loop fra en tidligere test (Playwright?) i denne tråd"
    )


@pytest.fixture(autouse=True)
def _no_login_throttle(request, settings) -> None:
    """Fixtures log in many times: django-axes is off except in tests marked
    ``login_throttle`` (tests/hardening/test_login_protection.py)."""
    settings.AXES_ENABLED = request.node.get_closest_marker("login_throttle") is not None


def make_user(username: str, role: str, **extra) -> User:
    return User.objects.create_user(
        username=username,
        password=PASSWORD,
        role=role,
        first_name=extra.pop("first_name", username.capitalize()),
        last_name=extra.pop("last_name", "Testesen"),
        **extra,
    )


@pytest.fixture
def org(db):
    """A small organisation: two areas, three homes, one user per role."""
    return build_org()


def build_org():
    """The ``org`` fixture's body, for fixtures of a wider scope."""

    class Org:
        pass

    o = Org()
    o.manager = make_user("leder", Role.HOME_MANAGER)
    o.other_manager = make_user("leder2", Role.HOME_MANAGER)
    o.area_manager = make_user("omraadeleder", Role.AREA_MANAGER)
    o.consultant = make_user("konsulent", Role.CONSULTANT)
    o.caseworker = make_user("sagsbehandler", Role.CASEWORKER)
    o.authority_head = make_user("myndighedsleder", Role.AUTHORITY_HEAD)
    o.department_head = make_user("fagchef", Role.DEPARTMENT_HEAD)
    o.administrator = make_user("admin", Role.ADMIN, is_staff=True, is_superuser=True)
    o.area_north = Area.objects.create(name="Område Nord")
    o.area_south = Area.objects.create(name="Område Syd")
    o.area_north.managers.add(o.area_manager)
    o.home_a = Home.objects.create(
        name="Egebakken",
        area=o.area_north,
        capacity=20,
        target_group=Home.TargetGroup.DISABILITY,
        cost_centre="52000",
        financing=Home.Financing.ACTIVITY,
        address="Nørrebrogade 1, 2200 København N",
    )
    o.home_b = Home.objects.create(
        name="Lindehuset", area=o.area_north, capacity=12, target_group="sindslidelse", cost_centre="52010"
    )
    o.home_c = Home.objects.create(
        name="Birkelund", area=o.area_south, capacity=16, target_group="handicap", cost_centre="52020"
    )
    o.home_a.paragraphs.add(*Paragraph.objects.filter(code__in=["§108", "§85"]))
    o.home_a.managers.add(o.manager)
    o.home_b.managers.add(o.manager)
    o.home_c.managers.add(o.other_manager)
    o.home_a.consultants.add(o.consultant)
    o.home_b.consultants.add(o.consultant)
    HourPrice.objects.create(home=o.home_a, year=2026, hour_price="400.00")
    o.all_users = [
        o.manager,
        o.other_manager,
        o.area_manager,
        o.consultant,
        o.caseworker,
        o.authority_head,
        o.department_head,
        o.administrator,
    ]
    return o


@pytest.fixture
def client_for(client):
    """``client_for(user)`` logs the test client in as ``user``."""

    def login(user: User):
        client.force_login(user)
        return client

    return login


class QueuedJobs:
    """The procrastinate queue of one test (``jobs`` fixture)."""

    def __init__(self, app, connector) -> None:
        self.app = app
        self.connector = connector

    @property
    def queued(self) -> list[dict]:
        return [j for j in self.connector.jobs.values() if j["status"] == "todo"]

    def run(self) -> dict[str, str]:
        """Run every queued job through procrastinate's own worker until the
        queue is empty; returns ``{task name: status}`` of the test's jobs."""
        self.app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False)
        return {j["task_name"]: j["status"] for j in self.connector.jobs.values()}


@pytest.fixture
def jobs(monkeypatch):
    """Background jobs that really run, inside the test.

    The procrastinate app gets its in-memory connector (``procrastinate.testing``),
    so a ``.defer()`` queues there; ``jobs.run()`` then runs the real worker
    loop over the queue. A sync task normally runs in another thread, whose
    database connection cannot see the test's uncommitted rows: here it runs
    in the test's own thread and transaction instead. Periodic jobs are not
    scheduled here: a test calls the task with the timestamp it wants."""

    test_connection = connections["default"]

    async def in_this_thread(func, *args, **kwargs):
        # Django keeps a separate connection for code on an event loop; give
        # the task the test's own (same thread, inside its transaction).
        connections["default"] = test_connection
        return func(*args, **kwargs)

    monkeypatch.setattr(utils, "sync_to_async", in_this_thread)
    # Around a task the worker closes the thread's old connections, as Django
    # does around a request; Django's test client skips that (it would end the
    # test's transaction), and so does this.
    monkeypatch.setattr(db_cleanup, "_cleanup_before", lambda: None)
    monkeypatch.setattr(db_cleanup, "_cleanup_after", lambda: None)
    # The worker would also defer the periodic jobs due now; a test calls those directly.
    monkeypatch.setattr(app.periodic_registry, "periodic_tasks", {})
    # The worker loop is async; the ORM calls it makes here are on purpose.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    connector = testing.InMemoryConnector()
    with app.replace_connector(connector):
        yield QueuedJobs(app, connector)
