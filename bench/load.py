"""Benchmark: load-test the app under gunicorn with locust, on 127.0.0.1 only.

    .venv/bin/python bench/load.py [--users 200] [--period 10] [--duration 180] [--saturate 30] [--port 8199]

Run it on the large demo (``seed_demo --scale large``). It serves the app the
production way (gunicorn, DJANGO_DEBUG=0, ``bench/settings_bench.py`` only
allows plain http on loopback and adds a bare floor view), then runs two
headless, time-bounded locust phases (``bench/locustfile.py``):

1. realistic load: ``--users`` users with think time, one action each per
   ``--period`` seconds (200 / 10 s = an open-loop 20 requests/s), start pages,
   ledger, budget, follow-up and dashboard pages, about 10 % writes, for
   ``--duration`` seconds. Target: p95 ≤ 300 ms, 0 errors, and every
   acknowledged write present in the database afterwards.
2. saturation: the same read pages with no think time, then the floor view
   served the same way, ``--saturate`` seconds each. Target: the pages'
   throughput ≥ 0.5 × the floor's.

The ledger entries the load test wrote are deleted at the end. Then
``bench/mix.py`` times each page of the mix in-process (``--mix-runs``; 0
skips it): each page's share of the requests and its cost, which explain the
saturation ratio.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent


def server_env(base_url_db: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings_bench",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": os.environ["DJANGO_SECRET_KEY"],
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": base_url_db,
    }


def wait_ready(url: str, timeout: float = 240) -> None:
    """Until the server answers (its workers import Django first: slow on a busy machine)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"the server did not answer at {url}")


def run_locust(
    host: str, mode: str, users: int, seconds: int, env: dict[str, str], out: Path, spawn_rate: float | None = None
) -> dict[str, float]:
    prefix = out / mode
    cmd = [
        str(BIN / "locust"),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--host",
        host,
        "-u",
        str(users),
        "-r",
        str(spawn_rate or max(1, users // 5)),
        "-t",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    with open(out / f"{mode}.log", "w", encoding="utf-8") as log:
        subprocess.run(cmd, env={**env, "LOAD_MODE": mode}, check=False, stdout=log, stderr=subprocess.STDOUT)
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    return {
        "requests": float(total["Request Count"]),
        "failures": float(total["Failure Count"]),
        "rps": float(total["Requests/s"]),
        "p50": float(total["50%"]),
        "p95": float(total["95%"]),
        "rows": rows,  # type: ignore[dict-item]  # the per-page rows beside the float totals
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--period", type=float, default=10.0, help="seconds between one user's actions")
    parser.add_argument("--duration", type=int, default=180)
    parser.add_argument("--saturate", type=int, default=30)
    parser.add_argument("--saturate-users", type=int, default=30)
    parser.add_argument(
        "--spawn-rate",
        type=float,
        default=None,
        help="users started per second in the realistic phase (default users/5: all of them within 5 s, "
        "each first fetching its start page)",
    )
    parser.add_argument("--port", type=int, default=8199)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3")))
    parser.add_argument("--mix-runs", type=int, default=5, help="bench/mix.py afterwards (0: skip)")
    args = parser.parse_args()
    if not shutil.which("locust", path=str(BIN)):
        sys.exit("locust is missing: run `python3 dev.py test --co -q` once to install the dev dependencies")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "botilbud.settings")
    # The driver makes the sessions the server reads: both sign with this key.
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-key-" + "x" * 50)
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.sessions.models import Session
    from django.test import Client

    from botilbud.models import Home, User
    from disponering.models import LedgerEntry

    if not Home.objects.exists():
        sys.exit("No homes: run `manage.py seed_demo --scale large` first.")
    db_url = settings.DATABASE_URL
    # One session per simulated user, made without hashing a password each.
    sessions: dict[str, list[str]] = {}
    for username in ("leder", "konsulent", "omraadeleder", "fagchef"):
        user = User.objects.get(username=username)
        sessions[username] = []
        for _ in range(max(args.users, args.saturate_users)):
            client = Client()
            client.force_login(user)
            sessions[username].append(client.session.session_key)
    env = server_env(db_url)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    host = f"http://127.0.0.1:{args.port}"
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
    try:
        wait_ready(f"{host}/log-ind/")
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp)
            writes_file = out / "writes.txt"
            sessions_file = out / "sessions.json"
            sessions_file.write_text(json.dumps(sessions), encoding="utf-8")
            load_env = {
                **env,
                "LOAD_WRITES_FILE": str(writes_file),
                "LOAD_PERIOD": str(args.period),
                "LOAD_SESSIONS_FILE": str(sessions_file),
            }
            offered = args.users / args.period
            print(f"Load average før start: {' / '.join(f'{x:.1f}' for x in os.getloadavg())} (1/5/15 min, 2 kerner)")
            print(f"1) Realistisk belastning: {args.users} brugere, ~{offered:.0f} forespørgsler/s, {args.duration} s")
            real = run_locust(host, "realistic", args.users, args.duration, load_env, out, args.spawn_rate)
            markers = writes_file.read_text(encoding="utf-8").splitlines() if writes_file.exists() else []
            present = LedgerEntry.objects.filter(title__in=markers).count()
            print(f"2) Mætning: {args.saturate_users} brugere uden betænkningstid, {args.saturate} s pr. måling")
            pages = run_locust(host, "pages", args.saturate_users, args.saturate, load_env, out)
            floor = run_locust(host, "floor", args.saturate_users, args.saturate, load_env, out)
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
    _, per_model = LedgerEntry.objects.filter(title__startswith="Belastningstest ").delete()
    deleted = per_model.get(LedgerEntry._meta.label, 0)
    Session.objects.filter(session_key__in=[k for keys in sessions.values() for k in keys]).delete()

    ratio = pages["rps"] / floor["rps"] if floor["rps"] else 0.0
    ok_p95 = real["p95"] <= 300
    ok_err = real["failures"] == 0
    ok_writes = present == len(markers)
    ok_ratio = ratio >= 0.5
    print()
    print(f"{'måling':44} {'mål':>18} {'målt':>22}")
    print(f"{'realistisk: forespørgsler i alt':44} {'':>18} {real['requests']:>22.0f}")
    print(f"{'realistisk: gennemløb':44} {f'~{offered:.0f}/s':>18} {real['rps']:>20.1f}/s")
    print(f"{'realistisk: p50':44} {'':>18} {real['p50']:>20.0f}ms")
    print(f"{'realistisk: p95':44} {'≤ 300 ms':>18} {real['p95']:>20.0f}ms {'ok' if ok_p95 else 'IKKE OK'}")
    print(f"{'realistisk: fejl':44} {'0':>18} {real['failures']:>22.0f} {'ok' if ok_err else 'IKKE OK'}")
    print(
        f"{'realistisk: kvitterede skrivninger i databasen':44} {'alle':>18} "
        f"{f'{present} af {len(markers)}':>22} {'ok' if ok_writes else 'IKKE OK'}"
    )
    print(f"{'mætning: sider':44} {'':>18} {pages['rps']:>20.1f}/s")
    print(f"{'mætning: gulv (bar Django-visning)':44} {'':>18} {floor['rps']:>20.1f}/s")
    print(f"{'mætning: sider ÷ gulv':44} {'≥ 0,5':>18} {ratio:>22.2f} {'ok' if ok_ratio else 'IKKE OK'}")
    print(f"Load average efter: {' / '.join(f'{x:.1f}' for x in os.getloadavg())} (1/5/15 min)")
    print(f"\n(Ryddede {deleted} testposter op. Sider i den realistiske blanding, p95 pr. side:)")
    for row in sorted(real["rows"], key=lambda r: -float(r["95%"])):  # type: ignore[union-attr]  # "rows" is the list (see above)
        if row["Name"] != "Aggregated":
            print(f"  {row['Name'][:60]:60} {row['Request Count']:>7} forespørgsler, p95 {row['95%']:>6} ms")
    if args.mix_runs:
        # What each page of the mix costs with the server gone (the same settings): why the
        # saturation ratio is what it is.
        print()
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "mix.py"), "--runs", str(args.mix_runs)],
            cwd=ROOT,
            env={**server_env(db_url), "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver"},
            check=False,
        )


if __name__ == "__main__":
    main()
