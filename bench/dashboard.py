"""Benchmark: time the dashboard pages with the test client on the current database.

    .venv/bin/python bench/dashboard.py [--runs 7] [--user fagchef]

Run ``seed_demo --scale large`` first. Each page is fetched once to warm up,
then ``--runs`` times; the table shows the median and the worst time of the
whole request (view, SQL and template) and the number of SQL queries.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "botilbud.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from botilbud.models import Home, User  # noqa: E402


def pages(user: User) -> list[tuple[str, str]]:
    home = Home.objects.visible_to(user).filter(is_active=True).order_by("pk").first()
    if home is None:
        return [("Dashboard", "/dashboard/")]
    return [
        ("Forvaltningen", "/dashboard/"),
        ("Forvaltningen, HTMX-del", "/dashboard/?htmx"),
        ("Område", f"/dashboard/omraade/{home.area_id}/"),
        ("Botilbud", f"/dashboard/botilbud/{home.pk}/"),
        ("Kontogruppe (løn)", f"/dashboard/botilbud/{home.pk}/loen/"),
        ("Excel: afvigelse pr. botilbud", "/dashboard/excel/botilbud/"),
        ("Forside", "/"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--user", default="fagchef")
    args = parser.parse_args()
    user = User.objects.get(username=args.user)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    print(f"Bruger: {user.username} ({user.role_label}); {Home.objects.count()} botilbud i databasen")
    print(f"{'Side':34} {'status':>6} {'median':>8} {'maks':>8} {'SQL':>5} {'KB':>6}")
    for label, url in pages(user):
        headers = {}
        if url.endswith("?htmx"):
            url = url.removesuffix("?htmx")
            headers = {"HX-Request": "true"}
        client.get(url, headers=headers)  # warm up
        times = []
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url, headers=headers)
                times.append((time.perf_counter() - start) * 1000)
        print(
            f"{label:34} {response.status_code:>6} {statistics.median(times):>6.0f}ms {max(times):>6.0f}ms "
            f"{len(queries):>5} {len(response.getvalue()) / 1024:>6.0f}"
        )


if __name__ == "__main__":
    main()
