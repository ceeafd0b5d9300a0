"""Locust users for bench/load.py (run it through that script, not by hand).

Which pages each user reads is in ``bench/mix.py`` (which also times that
mix in-process). LOAD_MODE picks the mix:
- ``realistic``: home managers, consultants, area managers and the department
  head with think time (``constant_throughput``: one action per user every
  ``LOAD_PERIOD`` seconds, so N users make an open-loop N/period requests per
  second); start pages, ledger, budget page, follow-up, dashboard; about 10 %
  writes (a new ledger entry, its title a unique marker). Every acknowledged
  write's marker is appended to LOAD_WRITES_FILE, so the driver can check that
  each one is in the database afterwards.
- ``pages``: the same read pages with no think time (saturation).
- ``floor``: a bare Django view behind the same middleware and login, no think
  time (the floor the saturation figure is compared with).
"""

from __future__ import annotations

import json
import os
import random
import uuid
from html.parser import HTMLParser

from locust import HttpUser, constant, constant_throughput, task
from mix import USERS, name_of, pages_from  # bench/mix.py: the pages each user reads

MODE = os.environ.get("LOAD_MODE", "realistic")
PERIOD = float(os.environ.get("LOAD_PERIOD", "10"))
WRITES_FILE = os.environ.get("LOAD_WRITES_FILE", "")
SESSIONS: dict[str, list[str]] = {}
if os.environ.get("LOAD_SESSIONS_FILE"):
    with open(os.environ["LOAD_SESSIONS_FILE"], encoding="utf-8") as f:
        SESSIONS = json.load(f)


class FormFields(HTMLParser):
    """The default values of the first form whose action ends with ``action_suffix``."""

    def __init__(self, action_suffix: str) -> None:
        super().__init__()
        self.action_suffix = action_suffix
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self._inside = False
        self._done = False
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and not self._done and a.get("action", "").endswith(self.action_suffix):
            self._inside, self.action = True, a["action"]
        if not self._inside:
            return
        if tag == "input" and a.get("name"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields[a["name"]] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self.fields[a["name"]] = ""
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif (
            tag == "option" and self._select and a.get("value") and (self._select not in self.fields or "selected" in a)
        ):
            # The first non-empty option, or the selected one.
            self.fields[self._select] = a["value"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        if tag == "form" and self._inside:
            self._inside, self._done = False, True


class BotilbudUser(HttpUser):
    abstract = True
    username = ""
    writes = False

    wait_time = constant_throughput(1 / PERIOD) if MODE == "realistic" else constant(0)

    def on_start(self) -> None:
        # Each user has a session of its own, made by the driver beforehand
        # (logging 200 users in would measure password hashing, not the pages).
        self.client.cookies.set("sessionid", SESSIONS[self.username].pop(), domain="127.0.0.1")
        start = self.client.get("/", name="/ (forside)").text
        self.pages = pages_from(start, USERS[self.username])
        self.ledger_form: dict[str, str] | None = None
        self.ledger_action: str | None = None
        ledgers = [p for p in self.pages if p.startswith("/disponering/botilbud/")]
        if self.writes and ledgers:
            # The ledger page fetches its create form on demand; the form's own
            # page (``…/ny/``) has the same form.
            page = self.client.get(ledgers[0] + "ny/", name="disponering: ny post (formular)").text
            parser = FormFields("/ny/")
            parser.feed(page)
            if parser.action:
                self.ledger_form, self.ledger_action = parser.fields, parser.action

    @task(9)
    def read(self) -> None:
        if MODE == "floor":
            self.client.get("/__floor__/", name="gulv")
            return
        url = random.choice(self.pages)
        self.client.get(url, name=name_of(url))

    @task(1)
    def write(self) -> None:
        if MODE != "realistic" or not self.ledger_form or not self.ledger_action:
            return self.read()
        marker = f"Belastningstest {uuid.uuid4().hex[:12]}"
        data = {
            **self.ledger_form,
            "title": marker,
            "amount_input": "1.000",
            "comment": "Oprettet af bench/load.py",
            "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
        }
        with self.client.post(
            self.ledger_action, data, name="disponering: ny post (POST)", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code in (200, 302):
                response.success()
                if WRITES_FILE:
                    with open(WRITES_FILE, "a", encoding="utf-8") as f:
                        f.write(marker + "\n")
            else:
                response.failure(f"status {response.status_code}")


class HomeManager(BotilbudUser):
    username = "leder"
    weight = USERS[username].weight
    writes = USERS[username].writes


class Consultant(BotilbudUser):
    username = "konsulent"
    weight = USERS[username].weight
    writes = USERS[username].writes


class AreaManager(BotilbudUser):
    username = "omraadeleder"
    weight = USERS[username].weight
    writes = USERS[username].writes


class DepartmentHead(BotilbudUser):
    username = "fagchef"
    weight = USERS[username].weight
    writes = USERS[username].writes


__all__ = ["AreaManager", "Consultant", "DepartmentHead", "HomeManager"]
