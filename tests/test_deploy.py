"""Production settings pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import yaml
from django.core.management import get_commands, load_command_class

ROOT = Path(__file__).resolve().parents[1]


def test_check_deploy_is_clean_in_production_settings():
    # The browser tests' Playwright loop needs DJANGO_ALLOW_ASYNC_UNSAFE in
    # the test process; a deployment never has it.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **env,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "x" * 20 + "a-long-random-production-secret-for-the-check-only",
        "DJANGO_ALLOWED_HOSTS": "botilbud.kommune.dk",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret():
    env = {**os.environ, "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "", "DJANGO_ALLOWED_HOSTS": "x"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_migrates_once_before_the_app_and_the_worker_start():
    services = _compose()["services"]
    assert set(services) == {"db", "migrate", "app", "worker", "backup"}
    migrate = services["migrate"]
    assert migrate["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"] == {"db": {"condition": "service_healthy"}}
    for name in ("app", "worker"):
        assert services[name]["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}, name
        # The app and the worker never migrate themselves.
        assert "migrate" not in " ".join(services[name]["command"]).replace("--no-migrate", ""), name
    assert "--no-migrate" in services["app"]["command"]


def test_compose_runs_a_worker_with_the_schedule_instead_of_a_sleep_loop():
    services = _compose()["services"]
    worker = services["worker"]
    assert worker["command"][:4] == ["python", "manage.py", "procrastinate", "worker"]
    assert worker["healthcheck"]["test"] == ["CMD", "python", "manage.py", "procrastinate", "healthchecks"]
    assert not any("sleep 86400" in str(service.get("command")) for service in services.values())
    # The worker gets the same database and secrets as the app, and the mail settings.
    for key in ("DATABASE_URL", "DJANGO_SECRET_KEY", "DJANGO_DEBUG", "DJANGO_ALLOWED_HOSTS"):
        assert (
            worker["environment"][key] == services["app"]["environment"][key] == services["migrate"]["environment"][key]
        )
    assert "DJANGO_EMAIL_HOST" in worker["environment"]
    assert worker["environment"]["BOTILBUD_RETENTION_SCHEDULED_APPLY"] == "${BOTILBUD_RETENTION_SCHEDULED_APPLY:-1}"


def test_compose_commands_exist():
    """Every manage.py command compose runs is a real command with those options."""

    for service in _compose()["services"].values():
        command = service.get("command")
        if not (isinstance(command, list) and command[:2] == ["python", "manage.py"]):
            continue
        name, options = command[2], [a for a in command[3:] if a.startswith("--")]
        app_name = get_commands()[name]
        parser = load_command_class(app_name, name).create_parser("manage.py", name)
        known = {opt for action in parser._actions for opt in action.option_strings}
        if name == "procrastinate":
            continue  # its sub-commands' options are procrastinate's own
        assert set(options) <= known, (name, set(options) - known)
