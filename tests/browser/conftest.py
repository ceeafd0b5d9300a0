"""Browser tests: the app on a live server, driven by Debian's headless Chromium.

Playwright's own browser download does not work here, so we launch
``/usr/bin/chromium`` (``apt-get install chromium``; ``.ci/run`` does it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.db import connection
from playwright.sync_api import sync_playwright
from pytest_django.plugin import blocking_manager_key

from botilbud.registry import load_reference_data
from tests.conftest import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Playwright's sync API runs an event loop in the test thread; Django must
# allow its ORM calls from there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test file, closed when the file's tests are done.

    Playwright's sync API leaves its event loop registered as the thread's running
    loop while it is open. Kept for the whole session, it made every later test in
    the same xdist worker that calls ``async_to_sync`` (procrastinate's ``defer``)
    fail with "You cannot use AsyncToSync in the same thread as an async event
    loop" (``dev.py test`` hands out whole files, so which tests follow a browser
    file depends on the machine). Launching costs about 0,8 s per file."""

    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium mangler på {CHROMIUM}: .ci/run skal installere den (apt-get install chromium).")
        pytest.skip(f"Chromium findes ikke på {CHROMIUM} (apt-get install chromium)")

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a browser test's teardown, whose last step is the live server's flush,
    the reference data is put back for whatever test the worker runs next: with
    ``pytest -n`` (``dev.py test``) a worker can run ordinary database tests after
    a browser test, and they read the reference data without loading it."""

    try:
        return (yield)
    finally:
        # Only after a test that had its database (a test skipped before its setup never
        # pointed the connection at the test database).
        if getattr(item, "_flushes_database", False):
            with item.config.stash[blocking_manager_key].unblock():
                load_reference_data()


@pytest.fixture(autouse=True)
def _reference_data(request, transactional_db):
    """Live-server tests flush the database after each test; put the default
    reference data (paragraphs, thresholds, account plan …) back first."""

    request.node._flushes_database = True
    load_reference_data()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="da-DK")
    pg = context.new_page()
    pg.base_url = live_server.url  # type: ignore[attr-defined]  # our own attributes on the playwright page
    pg.csp_errors = []  # type: ignore[attr-defined]  # (see above)
    pg.on(
        "console",
        lambda msg: pg.csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None,  # type: ignore[attr-defined]  # (see above)
    )
    yield pg
    context.close()


@pytest.fixture
def login(page):
    """``login(user)`` signs in through the real login form."""

    def do(user, password: str = PASSWORD):
        page.goto(page.base_url + "/log-ind/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        return page

    return do


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page, min_impact: str = "serious") -> list[dict]:
    """Run axe-core (WCAG 2.1 AA rules) and return serious/critical violations."""

    result = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}},
    )
    order = ["minor", "moderate", "serious", "critical"]
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result.response["violations"]
        if order.index(v["impact"] or "minor") >= order.index(min_impact)
    ]


@pytest.fixture
def job_worker(live_server):
    """A real procrastinate worker (``manage.py procrastinate worker``, as compose
    and ``dev.py run`` start it) on the test database, for the user-facing jobs
    queues (exports, imports); the periodic jobs' queue is left alone."""

    url = urlsplit(settings.DATABASE_URL)
    test_url = urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env["DATABASE_URL"] = test_url
    root = Path(__file__).resolve().parents[2]
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "procrastinate", "worker", "--queues", "exports,imports", "--concurrency", "1"],
        cwd=root,
        env=env,
    )
    yield worker
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
