"""Benchmark: a SAP-style posting extract through its import profile, beside a bare Postgres COPY.

    .venv/bin/python bench/import_actuals.py [--rows 1000000] [--profile NAME] [--keep]

1. Generates N rows of a KMD Opus (SAP)-style extract (title lines, ``;``,
   Windows-1252, account string ``538500 1 11``, period ``011.2026``, posting
   date ``15.11.2026``, SAP's trailing minus ``1.234,56-``) for the cost
   centres of the current database (run ``seed_demo`` first).
2. Times a bare ``COPY … FROM STDIN (FORMAT csv)`` of the same file's bytes
   into a scratch table of text columns (the floor: no parsing, no checks, no
   indexes), an ordinary table like the one the import writes to; and once into
   a temporary table (no WAL), shown for comparison.
3. Runs the real import of the same file through the profile, in a child
   process (the service ``budget.services.import_actuals``, the path of
   ``manage.py import_actuals FILE --profile NAME``), and reads that
   process's peak memory (max RSS, Django included).
4. Times the bare COPY once more, so the ratio uses the mean of a COPY before
   and after the import (the machine is shared: its load moves).

Prints the targets (import ≤ 3 × COPY, peak memory ≤ 100 MB at 1M rows) beside
the measured figures and the load average. Without ``--keep`` every step runs in
a transaction that is rolled back, so the database is left as it was.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "botilbud.settings")

SAP_PROFILE = "KMD Opus (SAP) posteringsudtræk"
TARGET_RATIO = 3.0
TARGET_PEAK_MB = 100
# (art in the account string, share of the rows): wages, operations, purchases from
# other municipalities and regions, income (negative, SAP's trailing minus).
# Art as SAP writes it after the dranst: two digits, ``11`` = art 1.1.
ARTS = [("11", 30), ("12", 10), ("15", 5), ("22", 10), ("29", 10), ("40", 10), ("45", 5)]
ARTS += [("47", 5), ("48", 3), ("77", 8), ("71", 4)]


def write_sap_file(path: Path, rows: int, cost_centres: list[str], year: int) -> None:
    rng = random.Random(1)
    arts = [a for a, weight in ARTS for _ in range(weight)]
    with path.open("w", encoding="cp1252", newline="") as f:
        f.write("KMD Opus - Posteringsudtræk, finansposteringer\r\n")
        f.write(f"Udtrukket 01.12.{year} af ØKONOMI (bench)\r\n\r\n")
        f.write("Omkostningssted;PSP-element;Artskonto;Periode;Bogf.dato;Beløb;Tekst\r\n")
        lines: list[str] = []
        for i in range(rows):
            cc = cost_centres[i % len(cost_centres)]
            art = arts[rng.randrange(len(arts))]
            month = rng.randint(1, 12)
            day = rng.randint(1, 28)
            amount = rng.randint(100, 9_999_999)
            whole = f"{amount // 100:,}".replace(",", ".")
            sign = "-" if art.startswith("7") else ""
            lines.append(
                f"{cc};;538500 1 {art};{month:03d}.{year};{day:02d}.{month:02d}.{year};"
                f"{whole},{amount % 100:02d}{sign};Postering {i} æøå\r\n"
            )
            if len(lines) >= 50_000:
                f.writelines(lines)
                lines.clear()
        f.writelines(lines)


def header_offset(path: Path) -> int:
    """Byte offset of the header line (the bare COPY starts there: COPY cannot skip title lines)."""
    with path.open("rb") as f:
        offset = 0
        for line in f:
            if line.startswith(b"Omkostningssted;"):
                return offset
            offset += len(line)
    raise SystemExit("header not found")


def bare_copy(path: Path, *, temp: bool = False) -> tuple[float, int]:
    """COPY the file's bytes (from its header) into a scratch table of text columns; rolled back.

    ``temp``: a temporary table (no WAL, local buffers): faster than any write into a real table
    can be, so it is shown beside the ordinary (logged) scratch table the target compares with."""
    from django.db import connection, transaction

    start = header_offset(path)
    t0 = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE {'TEMP ' if temp else ''}TABLE bench_copy_scratch (cc text, psp text, account text, "
            "period text, posted text, amount text, text text)"
        )
        with (
            path.open("rb") as f,
            cursor.cursor.copy(
                "COPY bench_copy_scratch FROM STDIN (FORMAT csv, DELIMITER ';', HEADER true, ENCODING 'WIN1252')"
            ) as copy,
        ):
            f.seek(start)
            while chunk := f.read(1 << 20):
                copy.write(chunk)
        cursor.execute("SELECT count(*) FROM bench_copy_scratch")
        rows = cursor.fetchone()[0]
        transaction.set_rollback(True)
    return time.monotonic() - t0, rows


def child(path: str, profile_name: str, keep: bool) -> None:
    """The real import, in its own process so its peak memory is its own."""
    import django

    django.setup()
    from django.db import connection, transaction

    from budget.models import ImportProfile
    from budget.services import import_actuals

    rss_start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    profile = ImportProfile.objects.get(name=profile_name)
    statements: list[tuple[float, str]] = []

    def timed(execute, sql, params, many, context):  # noqa: ANN001, ANN202 - Django's execute wrapper
        start = time.monotonic()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append((time.monotonic() - start, " ".join(sql.split())[:90]))

    t0 = time.monotonic()
    with connection.execute_wrapper(timed), transaction.atomic():
        with open(path, "rb") as stream:
            outcome = import_actuals(
                stream=stream,
                file_name=Path(path).name,
                user=None,
                mode="apply",
                profile=profile,
                max_upload_bytes=2**40,
            )
        if not keep:
            transaction.set_rollback(True)
    elapsed = time.monotonic() - t0
    stage = outcome.stage
    rec = outcome.reconciliation
    print(
        json.dumps(
            {
                "ok": stage.ok,
                "errors": [f"Linje {e.row}: {'; '.join(e.reasons)}" for e in stage.errors[:5]],
                "bad_rows": stage.bad_row_count,
                "rows": stage.row_count,
                "inserted": outcome.inserted,
                "replaced": outcome.replaced,
                "reconciled": bool(rec and rec.ok),
                "file_amount": str(rec.totals()["file_amount"]) if rec else None,
                "written_amount": str(rec.totals()["write_amount"]) if rec else None,
                "elapsed": elapsed,
                "rss_start_kb": rss_start,
                # Where the time went: the slowest statements (the COPYs of the file's bytes are the rest).
                "slowest": sorted(statements, reverse=True)[:6],
                "sql_total": sum(t for t, _ in statements),
            }
        )
    )


def reindex_postings() -> None:
    """A rolled-back import leaves its rows' entries dead in the postings' indexes, and VACUUM does not shrink
    them: after a few rolled-back 1M-row runs the indexes of a 14,000-row table were 111 MB, and an insert
    into them took 1.7 x as long as into fresh ones. So each run starts from vacuumed, rebuilt indexes
    (as a production table that is vacuumed normally has), and measures itself, not the runs before it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM budget_actual")
        cursor.execute("REINDEX TABLE budget_actual")
        cursor.execute(
            "SELECT pg_size_pretty(sum(pg_indexes_size(inhrelid))) FROM pg_inherits "
            "WHERE inhparent = 'budget_actual'::regclass"
        )
        print(f"The postings' indexes vacuumed and rebuilt: {cursor.fetchone()[0]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--profile", default=SAP_PROFILE)
    parser.add_argument("--keep", action="store_true", help="Commit the import instead of rolling it back.")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.profile, args.keep)
        return

    import django

    django.setup()
    from botilbud.models import Home
    from budget.models import CostCentre

    cost_centres = sorted(
        set(Home.objects.values_list("cost_centre", flat=True)) | set(CostCentre.objects.values_list("code", flat=True))
    )
    if not cost_centres:
        sys.exit("No homes: run `manage.py seed_demo` first.")
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "forbrug_sap_bench.csv"
        t0 = time.monotonic()
        write_sap_file(path, args.rows, cost_centres, args.year)
        size_mb = path.stat().st_size / 1e6
        print(
            f"Generated {args.rows:,} SAP-style rows ({size_mb:.0f} MB, Windows-1252) for {len(cost_centres)} "
            f"cost centres in {time.monotonic() - t0:.1f} s"
        )
        reindex_postings()
        copy1, copied = bare_copy(path)
        print(f"Bare COPY into a scratch table (before): {copied:,} rows in {copy1:.2f} s")
        copy_temp, _ = bare_copy(path, temp=True)
        print(f"Bare COPY into a temporary table (no WAL; for comparison): {copy_temp:.2f} s")
        proc = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                str(path),
                "--profile",
                args.profile,
                *(["--keep"] if args.keep else []),
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        if proc.returncode != 0:
            sys.exit(f"Import process failed:\n{proc.stderr[-3000:]}")
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        copy2, _ = bare_copy(path)
        print(f"Bare COPY into a scratch table (after): {copied:,} rows in {copy2:.2f} s")
    load_after = os.getloadavg()
    if not result["ok"]:
        sys.exit(f"Refused: {result['bad_rows']} bad rows: {result['errors']}")
    copy_time = (copy1 + copy2) / 2
    ratio = result["elapsed"] / copy_time
    peak_mb = peak_kb / 1024
    print(
        f"Import through »{args.profile}«: {result['inserted']:,} rows written (replaced {result['replaced']:,}), "
        f"reconciled {'yes' if result['reconciled'] else 'NO'} (file {result['file_amount']} = written "
        f"{result['written_amount']}), {result['elapsed']:.2f} s = {result['inserted'] / result['elapsed']:,.0f} rows/s"
        f"{'' if args.keep else ' (rolled back)'}"
    )
    print(
        f"  statements other than COPY: {result['sql_total']:.2f} s; the rest (the COPY of the file's bytes, "
        f"Python) {result['elapsed'] - result['sql_total']:.2f} s; the slowest:"
    )
    for seconds, sql in result["slowest"]:
        print(f"  {seconds:7.2f} s  {sql}")
    print()
    print(f"{'':24}{'target':>14}{'measured':>14}")
    print(f"{'import / COPY':24}{'≤ ' + format(TARGET_RATIO, '.1f') + ' ×':>14}{format(ratio, '.2f') + ' ×':>14}")
    print(f"{'  (vs the temp table)':24}{'':>14}{format(result['elapsed'] / copy_temp, '.2f') + ' ×':>14}")
    print(f"{'peak memory (max RSS)':24}{'≤ ' + str(TARGET_PEAK_MB) + ' MB':>14}{format(peak_mb, '.0f') + ' MB':>14}")
    print(f"  (the import process started at {result['rss_start_kb'] / 1024:.0f} MB after Django's setup)")
    print(
        f"Load average (1/5/15 min): before {load_before[0]:.2f}/{load_before[1]:.2f}/{load_before[2]:.2f}, "
        f"after {load_after[0]:.2f}/{load_after[1]:.2f}/{load_after[2]:.2f} on {os.cpu_count()} CPUs"
    )
    met = ratio <= TARGET_RATIO and (peak_mb <= TARGET_PEAK_MB or args.rows < 1_000_000)
    print("Targets met." if met else "Targets NOT met.")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
