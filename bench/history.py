"""Benchmark: the department dashboard at 5 and at 10 years of history.

    .venv/bin/python bench/history.py [--years 5,10] [--runs 7] [--reseed]

For each number of years it uses a database of its own on the same server,
``botilbud_hist<N>`` (the embedded server; with DATABASE_URL set, a database
of that name on the same server, which the URL's user must be allowed to
create), seeds it once with ``seed_demo --scale large --years N`` (kept for
the next run; ``--reseed`` starts over) and runs ``bench/dashboard.py`` on
it. Target (issue #17): the department dashboard's SQL ≤ 15 ms and the same
figure at 5 and at 10 years: every query is restricted to the selected year
before it joins, so more history must not cost more.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def env_for(name: str) -> dict[str, str]:
    env = {**os.environ, "BOTILBUD_DB_NAME": name}
    if os.environ.get("DATABASE_URL"):
        base, _, _ = os.environ["DATABASE_URL"].rpartition("/")
        env["DATABASE_URL"] = f"{base}/{name}"
    return env


def manage(name: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env_for(name), capture_output=True, text=True, check=False
    )


def recreate(name: str) -> None:
    """Drop and create the database through the maintenance database ``postgres``."""
    code = (
        "import django,os;django.setup();from django.db import connection as c;c.ensure_connection();"
        "c.connection.autocommit=True;cur=c.cursor();"
        f"cur.execute('DROP DATABASE IF EXISTS {name} WITH (FORCE)');cur.execute('CREATE DATABASE {name}')"
    )
    env = env_for("postgres")
    env["DJANGO_SETTINGS_MODULE"] = "botilbud.settings"
    subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=env, check=True)


def seeded(name: str) -> bool:
    result = manage(name, "shell", "-c", "from botilbud.models import Home; print(Home.objects.count())")
    return result.returncode == 0 and result.stdout.strip().splitlines()[-1:] == ["150"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--years", default="5,10")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    figures = {}
    for years in [int(y) for y in args.years.split(",")]:
        name = f"botilbud_hist{years}"
        if not args.reseed and seeded(name):
            assert manage(name, "migrate", "-v0").returncode == 0, "migrate failed"  # code may have moved on
        if args.reseed or not seeded(name):
            recreate(name)
            assert manage(name, "migrate", "-v0").returncode == 0, "migrate failed"
            start = time.monotonic()
            seed = manage(name, "seed_demo", "--scale", "large", "--years", str(years))
            assert seed.returncode == 0, seed.stderr[-2000:]
            print(f"{name}: seed_demo --scale large --years {years}: {time.monotonic() - start:.0f} s")
        out = subprocess.run(
            [PYTHON, "bench/dashboard.py", "--runs", str(args.runs)],
            cwd=ROOT,
            env=env_for(name),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        print(f"\n=== {years} år historik ({name})\n{out}")
        match = re.search(r"første visning efter en ændring: SQL ([\d.]+) ms", out)
        best = re.search(
            r"hurtigste kørsel: SQL ([\d.]+) ms; summen af hver forespørgsels hurtigste tid: ([\d.]+) ms", out
        )
        figures[years] = (
            float(match.group(1)) if match else None,
            (float(best.group(1)), float(best.group(2))) if best else None,
        )
    # The first visit after a change (nothing cached): what the queries cost.
    print("Forvaltningens dashboard uden cache, SQL-tid pr. antal år med historik (mål ≤ 15 ms, ens):")
    for years, (ms, best) in figures.items():
        extra = f"; hurtigste kørsel {best[0]} ms, sum af hurtigste pr. forespørgsel {best[1]} ms" if best else ""
        print(f"  {years:>2} år: median {ms} ms{extra}")
    print(f"Load average nu: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
