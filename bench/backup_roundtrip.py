"""Backup round trip against the configured database (DATABASE_URL or the
embedded one): pg_dump → restore into a fresh database → compare the row
count and a checksum of every table. Exit code 1 if anything differs.

    .venv/bin/python bench/backup_roundtrip.py [--keep]

Run it against a quiet database (or a copy): writes during the dump are not
in the dump, and the comparison would name those tables.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "botilbud.settings")


def main() -> int:
    import django

    django.setup()
    from django.conf import settings

    from botilbud.backup_check import roundtrip

    started = time.perf_counter()
    result = roundtrip(settings.DATABASES["default"], keep="--keep" in sys.argv)
    seconds = time.perf_counter() - started
    print(
        f"{result.source} → {result.restored_into}: {result.tables} tables, {result.rows:,} rows, "
        f"dump {result.dump_bytes / 1e6:.1f} MB, {seconds:.1f} s"
    )
    if result.identical:
        print("identical: every table has the same row count and checksum")
        return 0
    for table, (before, after) in sorted(result.differences.items()):
        print(f"DIFFERENT {table}: {before} → {after}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
