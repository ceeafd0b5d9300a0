"""Health check answered before host validation and the https redirect.

Docker and the load balancer call ``http://127.0.0.1:8000/healthz`` from
inside, with a host name that is not in ALLOWED_HOSTS and over plain http;
the check must still answer, and only say whether the database is reachable.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.cache import patch_cache_control

from botilbud.security import log_event


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz" and request.method == "GET":
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT 1")
            except Exception:  # noqa: BLE001 - any database failure means unhealthy
                return JsonResponse({"status": "database unavailable"}, status=503)
            return JsonResponse({"status": "ok"})
        return self.get_response(request)


# --- Hardening (issue #14) ------------------------------------------------------


def database_unavailable(request: HttpRequest | None = None) -> HttpResponse:
    """The Danish "prøv igen" page for a lost database connection (503).

    Rendered without context processors and without the session: both need
    the database that is gone. Django's health-checked connections
    (``CONN_HEALTH_CHECKS``) reconnect by themselves on the next request.
    """

    response = HttpResponse(loader.get_template("503.html").render({}), status=503)
    response["Retry-After"] = "15"
    response["Cache-Control"] = "no-store"
    return response


def is_database_outage(exc: BaseException | None) -> bool:
    return isinstance(exc, OperationalError | InterfaceError)


class DatabaseOutageMiddleware:
    """A request that meets a restarting or lost PostgreSQL gets a 503 with
    "prøv igen", never a 500 (see also ``botilbud.views.error_500`` for
    failures inside other middleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_database_outage(exception):
            _drop_broken_connections()
            log_event("database_unavailable", request, user="", status=503, error=type(exception).__name__)
            return database_unavailable(request)
        return None


def _drop_broken_connections() -> None:
    for conn in connections.all(initialized_only=True):
        try:
            if conn.in_atomic_block:
                continue
            conn.close()
        except Exception:  # noqa: BLE001 - the connection is broken; forget it
            pass


class PrivateCacheMiddleware:
    """``Cache-Control: private, no-store`` on every response to a signed-in
    session (pages and downloads): a shared PC's browser or a proxy never
    keeps a copy of a home's economy or a citizen's placement."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        has_session = settings.SESSION_COOKIE_NAME in request.COOKIES or settings.SESSION_COOKIE_NAME in getattr(
            response, "cookies", {}
        )
        if has_session:
            patch_cache_control(response, private=True, no_store=True)
        return response


def mark_seen_at_login(sender: object, request: HttpRequest, user: object, **kwargs: object) -> None:
    """The login writes the session anyway: start the idle clock there, so
    the next requests need no write (user_logged_in signal)."""

    if hasattr(request, "session"):
        request.session["_seen"] = int(time.time())


class IdleTimeoutMiddleware:
    """Ends a session after ``SESSION_COOKIE_AGE`` seconds without a request
    (the idle timeout for shared PCs): a signed-in request moves the expiry,
    but the session is written at most once a minute, not on every request
    (a write per request would cost every page three queries)."""

    TOUCH_EVERY = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.accessed and "_auth_user_id" in session:
            now = int(time.time())
            seen = session.get("_seen")
            if seen is None or now - int(seen) >= self.TOUCH_EVERY:
                # Marks the session modified: SessionMiddleware (outside this
                # one) saves it and renews the cookie and the expiry.
                session["_seen"] = now
        return response
