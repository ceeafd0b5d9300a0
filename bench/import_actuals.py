"""Benchmark: generate N finance-export CSV rows (Danish format) and time the actuals import.

    .venv/bin/python bench/import_actuals.py [--rows 1000000] [--keep]

Uses the homes of the current database (run ``seed_demo`` first). Without
``--keep`` the import runs in a transaction that is rolled back, so the
database is left as it was; the timings include everything up to the commit.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "botilbud.settings")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402

from botilbud.models import Home  # noqa: E402
from budget.services import import_actuals  # noqa: E402

ARTS = ["1.10", "1.20", "1.51", "2.21", "2.29", "4.00", "4.05", "7.71", "7.72"]


def write_csv(path: Path, rows: int, cost_centres: list[str], year: int) -> None:
    rng = random.Random(1)
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("Omkostningssted;Funktion;Art;Bogføringsdato;Beløb;Tekst\n")
        lines = []
        for i in range(rows):
            cc = cost_centres[i % len(cost_centres)]
            art = ARTS[rng.randrange(len(ARTS))]
            month = rng.randint(1, 12)
            day = rng.randint(1, 28)
            amount = rng.randint(100, 9_999_999)
            sign = "-" if art.startswith("7") else ""
            whole = f"{amount // 100:,}".replace(",", ".")
            lines.append(
                f"{cc};5.38.50;{art};{day:02d}-{month:02d}-{year};{sign}{whole},{amount % 100:02d};Postering {i}\n"
            )
            if len(lines) >= 50_000:
                f.writelines(lines)
                lines.clear()
        f.writelines(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="Commit the import instead of rolling it back.")
    args = parser.parse_args()
    cost_centres = list(Home.objects.values_list("cost_centre", flat=True))
    if not cost_centres:
        sys.exit("No homes: run `manage.py seed_demo` first.")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "forbrug.csv"
        t0 = time.monotonic()
        write_csv(path, args.rows, cost_centres, args.year)
        size = path.stat().st_size / 1e6
        print(
            f"Generated {args.rows:,} rows ({size:.0f} MB) for {len(cost_centres)} cost centres in "
            f"{time.monotonic() - t0:.1f} s"
        )
        t1 = time.monotonic()
        with transaction.atomic():
            with path.open("rb") as stream:
                outcome = import_actuals(stream=stream, file_name=path.name, user=None, mode="apply")
            if not args.keep:
                transaction.set_rollback(True)
        elapsed = time.monotonic() - t1
    stage = outcome.stage
    if not stage.ok:
        sys.exit(f"Refused: {stage.bad_row_count} bad rows, first: {stage.errors[:3]}")
    print(
        f"Imported {outcome.inserted:,} rows (replaced {outcome.replaced:,}) in {elapsed:.1f} s "
        f"= {outcome.inserted / elapsed:,.0f} rows/s{'' if args.keep else ' (rolled back)'}"
    )


if __name__ == "__main__":
    main()
