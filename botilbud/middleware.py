"""Health check answered before host validation and the https redirect.

Docker and the load balancer call ``http://127.0.0.1:8000/healthz`` from
inside, with a host name that is not in ALLOWED_HOSTS and over plain http;
the check must still answer, and only say whether the database is reachable.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse


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
