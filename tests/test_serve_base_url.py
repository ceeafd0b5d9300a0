"""``manage.py serve`` on another port: the reminder e-mails link to that port
(``BOTILBUD_BIND=127.0.0.1:8080 python3 dev.py run`` linked to :8000)."""

from __future__ import annotations

from botilbud.management.commands.serve import local_base_url


def test_links_follow_the_bound_port(monkeypatch):
    monkeypatch.delenv("BOTILBUD_BASE_URL", raising=False)
    assert local_base_url("127.0.0.1:8080") == "http://127.0.0.1:8080"
    assert local_base_url("localhost:8213") == "http://localhost:8213"


def test_every_interface_or_a_configured_address_is_left_alone(monkeypatch):
    monkeypatch.delenv("BOTILBUD_BASE_URL", raising=False)
    assert local_base_url("0.0.0.0:8000") is None  # compose: the public name is not ours to guess
    assert local_base_url("[::]:8000") is None
    monkeypatch.setenv("BOTILBUD_BASE_URL", "https://botilbud.kk.dk")
    assert local_base_url("127.0.0.1:8080") is None
