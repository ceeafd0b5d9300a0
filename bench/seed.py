"""Benchmark: ``seed_demo`` step by step, wall time beside CPU time.

    BOTILBUD_DB_NAME=botilbud_seed .venv/bin/python manage.py migrate
    BOTILBUD_DB_NAME=botilbud_seed .venv/bin/python bench/seed.py [--scale large] [--sql 5]

Run it on an empty, migrated database (as ``seed_demo`` itself needs). It runs
``seed_demo`` in this process and prints, for each seeding step, the wall
time, this process's CPU time (Python) and the database backend's CPU time
(PostgreSQL, read from ``/proc`` when the server runs on this machine, as the
embedded one does), and the load average. On a shared machine the wall time
is mostly waiting for a core (at load 8 on 2 cores about three times the CPU
time), so compare CPU times between runs; the wall time is the target's
figure (issue #17: ``seed_demo --scale large`` ≤ 30 s). ``--sql N`` also
lists each step's N slowest statements (summed by statement text).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "botilbud.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from botilbud.registry import registry  # noqa: E402

TARGET_S = 30.0
TICK = os.sysconf("SC_CLK_TCK")


def python_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def backend_cpu() -> float | None:
    """CPU seconds of this connection's PostgreSQL backend, if it runs on this machine."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="large")
    parser.add_argument("--sql", type=int, default=0, help="list each step's N slowest statements")
    args = parser.parse_args()

    step = ["organisation"]
    statements: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0, 0.0]))
    steps: list[tuple[str, float, float, float | None]] = []

    def timed(execute, sql, params, many, context):  # noqa: ANN001, ANN202 - Django's wrapper protocol
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            key = re.sub(r"\d+", "N", re.sub(r"\s+", " ", sql).strip())[:110]
            entry = statements[step[0]][key]
            entry[0] += 1
            entry[1] += time.perf_counter() - start

    def wrap(name, seeder):  # noqa: ANN001, ANN202
        def run(ctx):  # noqa: ANN001, ANN202
            step[0] = name
            wall, cpu, pg = time.perf_counter(), python_cpu(), backend_cpu()
            seeder(ctx)
            pg_after = backend_cpu()
            steps.append(
                (
                    name,
                    time.perf_counter() - wall,
                    python_cpu() - cpu,
                    None if pg is None or pg_after is None else pg_after - pg,
                )
            )
            step[0] = f"{name} (ANALYZE)"

        return run

    registry.demo_seeders[:] = [(order, name, wrap(name, seeder)) for order, name, seeder in registry.demo_seeders]
    connection.ensure_connection()
    load_before = os.getloadavg()
    wall, cpu, pg = time.perf_counter(), python_cpu(), backend_cpu()
    with connection.execute_wrapper(timed), open(os.devnull, "w") as quiet:
        call_command("seed_demo", "--scale", args.scale, stdout=quiet)
    wall, cpu = time.perf_counter() - wall, python_cpu() - cpu
    pg_after = backend_cpu()
    pg_total = None if pg is None or pg_after is None else pg_after - pg

    def seconds(value: float | None) -> str:
        return "–" if value is None else f"{value:.1f} s"

    print(f"{'trin':32} {'væg':>8} {'Python CPU':>11} {'PostgreSQL CPU':>15}")
    for name, step_wall, step_cpu, step_pg in steps:
        print(f"{name:32} {step_wall:>6.1f} s {step_cpu:>9.1f} s {seconds(step_pg):>15}")
        for key, (count, total) in sorted(statements[name].items(), key=lambda kv: -kv[1][1])[: args.sql]:
            print(f"    {total:6.2f} s {count:6d}×  {key}")
    rest_wall = wall - sum(s[1] for s in steps)
    rest_cpu = cpu - sum(s[2] for s in steps)
    rest_pg = None if pg_total is None or any(s[3] is None for s in steps) else pg_total - sum(s[3] for s in steps)
    print(f"{'resten (ANALYZE, nøgler, commit)':32} {rest_wall:>6.1f} s {rest_cpu:>9.1f} s {seconds(rest_pg):>15}")
    print(f"{'i alt':32} {wall:>6.1f} s {cpu:>9.1f} s {seconds(pg_total):>15}")
    print(
        f"\nseed_demo --scale {args.scale}: {wall:.1f} s (mål ≤ {TARGET_S:.0f} s: "
        f"{'ok' if wall <= TARGET_S else 'IKKE OK'}); CPU {cpu:.1f} s Python + {seconds(pg_total)} PostgreSQL"
    )
    if pg_total is not None:
        # One connection: Python and PostgreSQL mostly take turns, so on an idle
        # machine the wall time is about their CPU time added (plus disk waits).
        print(f"CPU i alt {cpu + pg_total:.1f} s: omtrent vægtiden på en stille maskine (mål ≤ {TARGET_S:.0f} s)")
    print(
        f"Load average før: {' / '.join(f'{x:.1f}' for x in load_before)}, "
        f"efter: {' / '.join(f'{x:.1f}' for x in os.getloadavg())} (1/5/15 min, 2 kerner)"
    )


if __name__ == "__main__":
    main()
