"""Benchmark: the Excel exports, timed as a user downloads them (the whole file).

    .venv/bin/python bench/export.py [--runs 5]

Run it on the large demo (``seed_demo --scale large``). Each export is fetched
once to warm up, then ``--runs`` times with the test client, reading the whole
(streamed) file, so the time is what the request holds a worker. Targets
(issue #17): no export holds a worker more than 1 s, and the placement export
of all 8,000 placements (the authority head sees them all) ≤ 300 ms. The
script also counts the rows in the placement file and the SQL queries.

The placement export is a background job (botilbud/jobs.py): its request only
queues the job (timed as the web request), and the job itself is timed
separately ("… som job"), run in this process as the worker would run it.
"""

from __future__ import annotations

import argparse
import io
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
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

from botilbud.models import Home, User  # noqa: E402

PLACEMENT_TARGET_MS = 300.0
ANY_TARGET_MS = 1000.0


def exports() -> list[tuple[str, str, str, float]]:
    from budget.followup.models import Round

    year = timezone.localdate().year
    home = Home.objects.filter(is_active=True).order_by("pk").first()
    assert home is not None, "no homes: run seed_demo --scale large first"
    rows = [
        ("Bevillinger (alle)", "myndighedsleder", reverse("visitation:placement_export"), PLACEMENT_TARGET_MS),
        ("Disponering, et botilbud", "fagchef", reverse("disponering:export", args=[home.pk]) + f"?aar={year}", 0),
        ("Dashboard: afvigelse pr. botilbud", "fagchef", "/dashboard/excel/botilbud/", 0),
        ("Takster", "fagchef", reverse("rates:export") + f"?aar={year}", 0),
    ]
    round_ = Round.objects.order_by("-month").first()
    if round_ is not None:
        rows.append(
            (
                "Budgetopfølgning, forvaltningen",
                "fagchef",
                reverse("followup:department_export", args=[round_.pk]),
                0,
            )
        )
    return [(label, user, url, target or ANY_TARGET_MS) for label, user, url, target in rows]


def body(response) -> bytes:  # noqa: ANN001
    return b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"{'eksport':36} {'status':>6} {'median':>8} {'maks':>8} {'SQL':>5} {'KB':>6} {'rækker':>7}  mål")
    clients: dict[str, Client] = {}
    for label, username, url, target in exports():
        if username not in clients:
            clients[username] = Client(HTTP_HOST="127.0.0.1")
            clients[username].force_login(User.objects.get(username=username))
        client = clients[username]
        if url == reverse("visitation:placement_export"):
            placement_export_job(client, url, args.runs, target)
            continue
        body(client.get(url))  # warm up
        times = []
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url)
                content = body(response)
                times.append((time.perf_counter() - start) * 1000)
        rows = ""
        if response.status_code == 200:
            sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
            rows = str(sum(1 for _ in sheet.iter_rows(values_only=True)) - 1)
        worst = max(times)
        print(
            f"{label:36} {response.status_code:>6} {statistics.median(times):>6.0f}ms {worst:>6.0f}ms "
            f"{len(queries):>5} {len(content) / 1024:>6.0f} {rows:>7}  ≤ {target:.0f} ms "
            f"{'ok' if worst <= target else 'IKKE OK'}"
        )


def placement_export_job(client: Client, url: str, runs: int, target: float) -> None:
    """The request that queues the export, then the job itself (the worker's time)."""
    from botilbud.models import Job
    from visitation import tasks

    request_times, job_times = [], []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.post(url)
        request_times.append((time.perf_counter() - start) * 1000)
        job = Job.objects.filter(owner__username="myndighedsleder").latest("created_at")
        start = time.perf_counter()
        tasks.placement_export(job_id=str(job.pk))  # the task's function, as the worker calls it
        job_times.append((time.perf_counter() - start) * 1000)
    job.refresh_from_db()
    worst = max(request_times)
    print(
        f"{'Bevillinger (alle): bestilling':36} {response.status_code:>6} {statistics.median(request_times):>6.0f}ms "
        f"{worst:>6.0f}ms {'':>5} {'':>6} {'':>7}  ≤ {ANY_TARGET_MS:.0f} ms {'ok' if worst <= ANY_TARGET_MS else 'IKKE OK'}"
    )
    print(
        f"{'Bevillinger (alle): som job':36} {job.status:>6} {statistics.median(job_times):>6.0f}ms "
        f"{max(job_times):>6.0f}ms {'':>5} {len(job.content or b'') / 1024:>6.0f} {job.total or 0:>7}  "
        f"(i workeren; mål for forespørgslen ≤ {target:.0f} ms)"
    )
    Job.objects.filter(owner__username="myndighedsleder", kind="visitation.placement_export").delete()


if __name__ == "__main__":
    main()
