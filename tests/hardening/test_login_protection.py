"""Login throttling (django-axes), the security log, sessions and caching."""

import datetime as dt
import json
import logging
import time

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth import authenticate
from django.contrib.sessions.models import Session

from botilbud.logformat import JsonLineFormatter
from botilbud.login_throttle import client_ip
from botilbud.security import not_a_password_login
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


USERS = ["leder", "leder2", "konsulent", "fagchef", "admin", "sagsbehandler", "omraadeleder"]


def test_typos_behind_one_nat_address_lock_nobody_else_out(org, client, settings):
    """A municipality's staff share one address: 7 people x 9 typos (63 failures
    from 10.9.9.9, under the address limit of 100) lock nobody, and a
    colleague at the same address still gets in."""
    for username in USERS:
        for i in range(settings.AXES_FAILURE_LIMIT - 1):
            assert _login(client, username, f"forkert-{i}", ip="10.9.9.9").status_code == 200
    assert _login(client, "myndighedsleder", PASSWORD, ip="10.9.9.9").status_code == 302


def test_an_address_spraying_many_accounts_is_locked_for_the_window(org, client, settings):
    settings.BOTILBUD_LOGIN_IP_FAILURE_LIMIT = 20
    settings.BOTILBUD_LOGIN_IP_WINDOW_MINUTES = 15
    start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        for i in range(20):  # 20 accounts x 1 failure: no account reaches 10
            _login(client, USERS[i % len(USERS)], "forkert", ip="10.9.9.9")
        refused = _login(client, "myndighedsleder", PASSWORD, ip="10.9.9.9")
        assert refused.status_code == 429
        assert "_auth_user_id" not in client.session
        # Another address is not affected, and no account is locked.
        assert _login(client, "myndighedsleder", PASSWORD, ip="10.1.1.1").status_code == 302
        client.logout()
    with time_machine.travel(start + dt.timedelta(minutes=14, seconds=59), tick=False):
        assert _login(client, "fagchef", PASSWORD, ip="10.9.9.9").status_code == 429
    with time_machine.travel(start + dt.timedelta(minutes=15, seconds=1), tick=False):
        assert _login(client, "fagchef", PASSWORD, ip="10.9.9.9").status_code == 302


def test_the_address_lock_can_be_switched_off(org, client, settings):
    settings.BOTILBUD_LOGIN_IP_FAILURE_LIMIT = 0
    for i in range(30):
        _login(client, USERS[i % len(USERS)], "forkert", ip="10.9.9.9")
    assert _login(client, "myndighedsleder", PASSWORD, ip="10.9.9.9").status_code == 302


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "10.0.0.5", "192.0.2.1"),  # no proxy: the header is the client's own claim
        (1, "10.0.0.5", "10.0.0.5"),
        (1, "6.6.6.6, 10.0.0.5", "10.0.0.5"),  # a forged entry to the left is ignored
        (2, "10.0.0.5, 172.16.0.2", "10.0.0.5"),
        (2, "172.16.0.2", "192.0.2.1"),  # fewer hops than proxies: REMOTE_ADDR
        (1, "not-an-address", "192.0.2.1"),
    ],
)
def test_the_client_address_behind_the_reverse_proxy(rf, settings, proxies, forwarded, expected):
    settings.BOTILBUD_PROXY_COUNT = proxies
    request = rf.get("/log-ind/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_the_lockout_is_per_client_behind_the_proxy(org, client, settings):
    settings.BOTILBUD_PROXY_COUNT = 1
    for i in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/log-ind/",
            {"username": "leder", "password": f"forkert-{i}"},
            REMOTE_ADDR="172.16.0.1",
            HTTP_X_FORWARDED_FOR="10.0.0.7",
        )
    attempt = AccessAttempt.objects.get(username="leder")
    assert attempt.ip_address == "10.0.0.7"  # the client, not the proxy


def test_a_right_password_resets_the_count(org, client, settings):
    for i in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "leder", f"forkert-{i}")
    assert _login(client, "leder", PASSWORD).status_code == 302
    client.logout()
    assert _login(client, "leder", "forkert").status_code == 200  # not locked


def test_sso_style_authentication_is_not_throttled(org, rf, settings):
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
