"""Benchmark: crawl every page each role can reach and time it, beside its own SQL time.

    .venv/bin/python bench/pages.py [--runs 20] [--users leder,fagchef] [--max-pages 80] [--all]

Run it on the large demo (``seed_demo --scale large``). For each demo user it
starts at the start page and follows every same-site link it finds (GET only,
never log-out or the Django admin), keeps one URL per URL pattern (the first
one found; ``--all`` keeps every URL), then fetches each page once to warm up
and ``--runs`` times measured, in-process with Django's test client (the whole
request: middleware, view, SQL, template). SQL time is measured around every
query of the request with a connection execute wrapper, so "server" and "SQL"
come from the same run.

A bare Django view (``HttpResponse("ok")`` behind the same middleware and login)
is timed in the same run as the floor.

Targets (issue #17): every page p95 ≤ 100 ms, and p95 ≤ 10 ms + 2 × its own SQL
time at p95. The script prints every page, the worst 15, and how many pages
meet both targets; it exits 0 either way (it measures, it does not gate).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "botilbud.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import Resolver404, clear_url_caches, path, resolve  # noqa: E402

from botilbud.models import User  # noqa: E402

DEMO_USERS = ["leder", "omraadeleder", "konsulent", "sagsbehandler", "myndighedsleder", "fagchef", "admin"]
SKIP_PREFIXES = ("/admin/", "/static/", "/log-ud/", "/__bench")
TARGET_P95_MS = 100.0
FLOOR_URL = "/__bench_floor__/"


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


@dataclass
class Timing:
    total_ms: list[float] = field(default_factory=list)
    sql_ms: list[float] = field(default_factory=list)
    queries: int = 0
    status: int = 0
    size_kb: float = 0.0


class SqlTimer:
    """Connection execute wrapper: sums the time spent in the database per request."""

    def __init__(self) -> None:
        self.ms = 0.0
        self.count = 0

    def __call__(self, execute, sql, params, many, context):  # noqa: ANN001 - Django's wrapper protocol
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.ms += (time.perf_counter() - start) * 1000
            self.count += 1


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def pattern_of(url: str) -> str | None:
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    keys = ",".join(sorted(k.split("=")[0] for k in parts.query.split("&") if k))
    return f"{match.route}?{keys}" if keys else match.route


def crawl(client: Client, max_pages: int, keep_all: bool) -> list[str]:
    """Breadth-first over same-site links from the start page; one URL per pattern."""
    seen_urls: set[str] = set()
    seen_patterns: set[str] = set()
    found: list[str] = []
    queue: deque[str] = deque(["/"])
    while queue and len(found) < max_pages:
        url = queue.popleft()
        if url in seen_urls:
            continue
        seen_urls.add(url)
        pattern = pattern_of(url)
        if pattern is None or (not keep_all and pattern in seen_patterns):
            continue
        response = client.get(url)
        if response.status_code != 200:
            continue
        seen_patterns.add(pattern)
        found.append(url)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        parser = Links()
        parser.feed(response.content.decode("utf-8", "replace"))
        for href in parser.hrefs:
            target = urldefrag(urljoin(url, href)).url
            parts = urlsplit(target)
            if parts.scheme not in ("", "http") or parts.netloc not in ("", "127.0.0.1", "testserver"):
                continue
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            if local.startswith(SKIP_PREFIXES) or local in seen_urls:
                continue
            queue.append(local)
    return found


def measure(client: Client, url: str, runs: int) -> Timing:
    timing = Timing()
    client.get(url)  # warm up
    for _ in range(runs):
        timer = SqlTimer()
        with connection.execute_wrapper(timer):
            start = time.perf_counter()
            response = client.get(url)
            streaming = getattr(response, "streaming", False)
            body = b"".join(response.streaming_content) if streaming else response.content
            timing.total_ms.append((time.perf_counter() - start) * 1000)
        timing.sql_ms.append(timer.ms)
        timing.queries = timer.count
        timing.status = response.status_code
        timing.size_kb = len(body) / 1024
    return timing


def install_floor_view() -> None:
    from django.conf import settings
    from django.utils.module_loading import import_string

    urlconf = import_string(settings.ROOT_URLCONF + ".urlpatterns")
    urlconf.insert(0, path(FLOOR_URL.strip("/") + "/", lambda request: HttpResponse("ok"), name="bench_floor"))
    clear_url_caches()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--users", default=",".join(DEMO_USERS))
    parser.add_argument("--max-pages", type=int, default=80, help="per user")
    parser.add_argument("--all", action="store_true", help="time every URL found, not one per URL pattern")
    args = parser.parse_args()
    install_floor_view()
    started_load = os.getloadavg()[0]

    rows: list[tuple[str, str, Timing]] = []
    floor: Timing | None = None
    for username in args.users.split(","):
        user = User.objects.filter(username=username).first()
        if user is None:
            print(f"(ingen bruger {username!r}; springes over)")
            continue
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        if floor is None:
            floor = measure(client, FLOOR_URL, args.runs)
        urls = crawl(client, args.max_pages, args.all)
        print(f"{username}: {len(urls)} sider", flush=True)
        for url in urls:
            timing = measure(client, url, args.runs)
            rows.append((username, url, timing))
            # Each page as soon as it is measured (a long run cut short keeps what it measured).
            total, sql = p95(timing.total_ms), p95(timing.sql_ms)
            print(
                f"  {url[:70]:70} {timing.status:>4} p95 {total:6.1f} ms, SQL p95 {sql:6.1f} ms, "
                f"{timing.queries} forespørgsler",
                flush=True,
            )

    assert floor is not None, "no demo users found: run seed_demo first"
    header = (
        f"{'bruger':15} {'side':60} {'status':>6} {'p50':>7} {'p95':>7} {'SQL p95':>8} {'foresp.':>7} {'KB':>6}  mål"
    )
    print()
    print(
        f"Gulv (bar Django-visning): p50 {statistics.median(floor.total_ms):.1f} ms, p95 {p95(floor.total_ms):.1f} ms"
    )
    print(f"Mål: p95 ≤ {TARGET_P95_MS:.0f} ms og p95 ≤ 10 ms + 2 × egen SQL-tid (p95)")
    print(f"Load average ved start {started_load:.1f}, nu {os.getloadavg()[0]:.1f} (1 min, 2 kerner)")
    print(header)

    def line(username: str, url: str, t: Timing) -> str:
        total, sql = p95(t.total_ms), p95(t.sql_ms)
        ok = total <= TARGET_P95_MS and total <= 10 + 2 * sql
        return (
            f"{username:15} {url[:60]:60} {t.status:>6} {statistics.median(t.total_ms):>5.1f}ms {total:>5.1f}ms "
            f"{sql:>6.1f}ms {t.queries:>7} {t.size_kb:>6.0f}  {'ok' if ok else 'IKKE OK'}"
        )

    for username, url, t in rows:
        print(line(username, url, t))
    worst = sorted(rows, key=lambda r: p95(r[2].total_ms), reverse=True)[:15]
    print("\nDe 15 langsomste (p95):")
    print(header)
    for username, url, t in worst:
        print(line(username, url, t))
    met_abs = sum(p95(t.total_ms) <= TARGET_P95_MS for _, _, t in rows)
    met_rel = sum(p95(t.total_ms) <= 10 + 2 * p95(t.sql_ms) for _, _, t in rows)
    print(
        f"\n{len(rows)} sider: {met_abs} med p95 ≤ {TARGET_P95_MS:.0f} ms, "
        f"{met_rel} med p95 ≤ 10 ms + 2 × SQL; median p95 {statistics.median(p95(t.total_ms) for *_, t in rows):.1f} ms "
        f"= {statistics.median(p95(t.total_ms) for *_, t in rows) / p95(floor.total_ms):.1f} × gulvet"
    )


if __name__ == "__main__":
    main()
