"""A fingerprint of every row of every table, to show that a change to the demo
seeder (``seed_demo``) writes the same data as before.

    BOTILBUD_DB_NAME=before .venv/bin/python bench/fingerprint.py /tmp/before.json
    BOTILBUD_DB_NAME=after .venv/bin/python bench/fingerprint.py /tmp/after.json
    .venv/bin/python bench/fingerprint.py --compare /tmp/before.json /tmp/after.json

Seed both databases with the same ``--seed`` on the same day (``--today``).
Per table it stores the row count and an MD5 of the rows as ``COPY … TO STDOUT``
writes them, in primary-key order, ids included. Left out, because they differ
from run to run without the data differing:

- timestamps (``now()`` at seeding time): the columns, and timestamps inside
  JSON or text;
- password hashes (salted) and the audit trail's context ids;
- the order of audit events (``pgh_id``): the same events in any order;
- the surrogate ids of the summaries database triggers keep (``SUMMARY_TABLES``:
  nobody refers to them; their rows are compared by their natural key).

Exit status 1 when ``--compare`` finds a difference.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "botilbud.settings")

SKIP = {
    "django_session",
    "django_migrations",
    "procrastinate_jobs",
    "procrastinate_events",
    "procrastinate_periodic_defers",
}
SUMMARY_TABLES = {
    "dashboard_followupfigure",
    "disponering_ledgermonthtotal",
    "budget_actualyear",
    "budget_actualtotal",
    "visitation_placementyear",
}
TIMESTAMP = re.compile(rb"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}(:?\d{2})?)?")


def fingerprint() -> dict[str, list]:
    import django  # noqa: PLC0415 - only when fingerprinting (``--compare`` needs no database)

    django.setup()
    from django.db import connection  # noqa: PLC0415 - after django.setup()

    result: dict[str, list] = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1")
        tables = [row[0] for row in cursor.fetchall() if row[0] not in SKIP]
        for table in tables:
            cursor.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_name = %s AND table_schema = current_schema() ORDER BY ordinal_position",
                [table],
            )
            columns = cursor.fetchall()
            names = {name for name, _ in columns}
            keep = [
                name
                for name, kind in columns
                if not kind.startswith("timestamp")
                and name not in ("password", "last_login", "pgh_context_id", "pgh_id")
                and not (name == "id" and (table in SUMMARY_TABLES or table == "pghistory_context"))
            ]
            by_all = "pgh_id" in names or table in SUMMARY_TABLES or "id" not in names or table == "pghistory_context"
            order = ", ".join(f'"{k}"' for k in keep) if by_all else "id"
            select = ", ".join(f'"{k}"' for k in keep)
            digest = hashlib.md5()  # noqa: S324 - a fingerprint, not security
            with cursor.cursor.copy(f'COPY (SELECT {select} FROM "{table}" ORDER BY {order}) TO STDOUT') as copy:
                for data in copy:
                    digest.update(TIMESTAMP.sub(b"TS", bytes(data)))
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            result[table] = [cursor.fetchone()[0], digest.hexdigest()]
    return result


def compare(before: dict, after: dict) -> list[str]:
    return [t for t in sorted(set(before) | set(after)) if before.get(t) != after.get(t)]


def main() -> None:
    if sys.argv[1:2] == ["--compare"]:
        before, after = (json.loads(Path(p).read_text()) for p in sys.argv[2:4])
        differ = compare(before, after)
        print(f"{len(before)} / {len(after)} tabeller; {len(differ)} forskellige")
        for table in differ:
            print(f"  {table}: {before.get(table)} → {after.get(table)}")
        sys.exit(1 if differ else 0)
    result = fingerprint()
    Path(sys.argv[1]).write_text(json.dumps(result, indent=0, sort_keys=True))
    print(f"{len(result)} tabeller, {sum(v[0] for v in result.values())} rækker")


if __name__ == "__main__":
    main()
