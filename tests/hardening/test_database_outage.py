"""A lost database gives 503 "prøv igen", never 500; the next request works.

The real thing (PostgreSQL restarted under a running gunicorn) is
bench/db_restart.py; these tests simulate the OperationalError at the two
places it can surface: inside a view and inside a middleware (the session).
"""

from unittest import mock

from django.db import OperationalError
from django.test import Client

from botilbud.models import Home


def test_outage_inside_a_view_is_a_503_in_danish(org, client_for):
    client = client_for(org.manager)
    with mock.patch.object(Home.objects, "visible_to", side_effect=OperationalError("server closed the connection")):
        response = client.get("/botilbud/")
    assert response.status_code == 503
    assert "Prøv igen om lidt" in response.content.decode()
    assert response["Retry-After"]
    # The app is back by itself on the next request.
    assert client.get("/botilbud/").status_code == 200


def test_outage_inside_a_middleware_is_a_503_too(org):
    client = Client(raise_request_exception=False)
    client.force_login(org.manager)
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load", side_effect=OperationalError("the database restarts")
    ):
        response = client.get("/botilbud/")
    assert response.status_code == 503
    assert "Prøv igen om lidt" in response.content.decode()
    assert client.get("/botilbud/").status_code == 200


def test_other_errors_stay_500(org):
    client = Client(raise_request_exception=False)
    client.force_login(org.manager)
    with mock.patch.object(Home.objects, "visible_to", side_effect=RuntimeError("a bug")):
        assert client.get("/botilbud/").status_code == 500
