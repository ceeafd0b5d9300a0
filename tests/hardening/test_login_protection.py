"""Login throttling (django-axes), the security log, sessions and caching."""

import json
import logging

import pytest
from axes.models import AccessAttempt

from tests.conftest import PASSWORD

pytestmark = pytest.mark.login_throttle


@pytest.fixture
def security_lines(caplog):
    caplog.set_level(logging.INFO, logger="botilbud.security")

    def lines():
        return [r.security for r in caplog.records if r.name == "botilbud.security"]

    return lines


def _login(client, username, password, ip="10.0.0.7"):
    return client.post("/log-ind/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_fifty_wrong_passwords_lock_the_account_with_a_danish_message(org, client, security_lines, settings):
    statuses = [_login(client, "leder", f"forkert-{i}").status_code for i in range(50)]
    assert statuses[0] == 200  # a wrong password: the form again
    assert statuses[-1] == 429
    limit = settings.AXES_FAILURE_LIMIT
    assert statuses.index(429) == limit - 1  # the limit-th failure locks

    # Even the right password is refused now, from another computer too.
    locked = _login(client, "leder", PASSWORD, ip="10.0.0.99")
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "Kontoen er midlertidigt spærret" in text
    assert "administratoren" in text
    assert "_auth_user_id" not in client.session

    events = security_lines()
    assert [e["event"] for e in events].count("login_failed") >= limit
    lockouts = [e for e in events if e["event"] == "lockout"]
    assert lockouts and lockouts[0]["user"] == "leder" and lockouts[0]["ip"] == "10.0.0.7"
    assert lockouts[0]["path"] == "/log-ind/" and lockouts[0]["time"]
    assert all("forkert" not in json.dumps(e) for e in events)  # never a password


def test_the_administrator_unlocks_in_the_admin(org, client, client_for, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "leder", f"forkert-{i}")
    assert _login(client, "leder", PASSWORD).status_code == 429

    admin = client_for(org.administrator)
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "leder" in listing.content.decode()
    ids = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = admin.post(
        "/admin/axes/accessattempt/", {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    admin.logout()
    assert _login(client, "leder", PASSWORD).status_code == 302  # in again


def test_one_ip_trying_many_accounts_is_locked_too(org, client, settings):
    users = ["leder", "leder2", "konsulent", "fagchef", "admin", "sagsbehandler", "omraadeleder", "myndighedsleder"]
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, users[i % len(users)], "forkert", ip="10.9.9.9")
    assert _login(client, "myndighedsleder", PASSWORD, ip="10.9.9.9").status_code == 429
    assert _login(client, "myndighedsleder", PASSWORD, ip="10.1.1.1").status_code == 302


def test_a_right_password_resets_the_count(org, client, settings):
    for i in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "leder", f"forkert-{i}")
    assert _login(client, "leder", PASSWORD).status_code == 302
    client.logout()
    assert _login(client, "leder", "forkert").status_code == 200  # not locked


def test_sso_style_authentication_is_not_throttled(org, rf, settings):
    from django.contrib.auth import authenticate

    from botilbud.security import not_a_password_login

    assert not_a_password_login(None, {"code": "x"})
    assert not not_a_password_login(None, {"username": "leder", "password": "***"})
    request = rf.get("/oidc/callback/")
    request.session = {}
    # No password: the throttle steps aside (and scripts without a request too).
    assert authenticate(request, token="abc") is None
    assert authenticate(None, username="leder", password=PASSWORD) is not None
    assert not AccessAttempt.objects.exists()


def test_permission_denials_are_in_the_security_log(org, client_for, security_lines):
    client = client_for(org.other_manager)
    assert client.get(f"/botilbud/{org.home_a.pk}/").status_code == 404
    denied = [e for e in security_lines() if e["event"] == "not_found"]
    assert denied[-1]["user"] == "leder2" and denied[-1]["path"] == f"/botilbud/{org.home_a.pk}/"
    assert denied[-1]["status"] == 404


def test_the_log_line_is_json(org, client, capsys):
    from botilbud.security import JsonLineFormatter

    record = logging.LogRecord("botilbud.security", logging.WARNING, "", 0, "x", None, None)
    record.security = {"event": "lockout", "user": "leder", "ip": "10.0.0.7", "path": "/log-ind/", "time": "t"}
    line = JsonLineFormatter().format(record)
    assert json.loads(line)["event"] == "lockout"


def test_authenticated_pages_and_downloads_are_private_no_store(org, client_for, client):
    client = client_for(org.manager)
    for url in ["/", f"/botilbud/{org.home_a.pk}/", f"/disponering/botilbud/{org.home_a.pk}/excel/?aar=2026"]:
        response = client.get(url)
        assert response.status_code == 200, url
        cache = response["Cache-Control"]
        assert "private" in cache and "no-store" in cache, url


def test_idle_timeout_is_sixty_minutes_and_slides(org, client_for, settings):
    import time

    from django.contrib.sessions.models import Session

    assert settings.SESSION_COOKIE_AGE == 60 * 60
    client = client_for(org.manager)
    client.get("/")
    key = client.session.session_key
    first = Session.objects.get(session_key=key).expire_date
    assert settings.SESSION_COOKIE_NAME not in client.get("/").cookies  # within a minute: no write
    session = client.session
    session["_seen"] = int(time.time()) - 120  # the last touch was two minutes ago
    session.save()
    response = client.get("/")
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 3600
    assert Session.objects.get(session_key=key).expire_date >= first
