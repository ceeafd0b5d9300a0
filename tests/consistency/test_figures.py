"""One set of numbers: on a seeded demo municipality, every page and export
that shows a home's forecast, deviation, corrected budget, residents,
occupancy or sickness absence shows the same figure for the same moment.

Pages mark each figure (``{% figure %}``: ``data-figure``, ``data-home`` or
``data-scope``, ``data-moment``, ``data-month``); this test reads the rendered
HTML of each role's start page, the dashboard (department, area, home), the
budget page, the follow-up page and its area and department roll-ups, and the
Excel exports, and groups the figures by (figure, home/scope, moment, month).
Within a group all must agree (to the coarsest precision shown); figures from
another moment carry another key and may differ, because they say so.

Runs on the small demo in the normal suite; on the large one with
``BOTILBUD_CONSISTENCY_SCALE=large`` (slow: about 80 s of seeding).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from botilbud.lib.dates import MONTH_NAMES
from botilbud.models import Area, Home, User
from budget.followup.models import Round
from budget.models import GroupDefinition

TODAY = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
SCALE = os.environ.get("BOTILBUD_CONSISTENCY_SCALE", "small")
FIGURES = {"forecast", "deviation", "corrected_budget", "residents", "occupancy", "sickness_pct", "sickness_ytd_pct"}
# The finer account groups' actuals to date (»heraf« rows: ``actuals_<group code>``).
PART_PREFIX = "actuals_"


class _FigureParser(HTMLParser):
    """Collects (attrs, text) of every element with ``data-figure``."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[dict[str, str], list[str]] | None] = []
        self.found: list[tuple[dict[str, str], str]] = []

    VOID = {"br", "img", "input", "meta", "link", "hr", "col", "source", "wbr"}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        values = {k: v or "" for k, v in attrs}
        self.stack.append((values, []) if "data-figure" in values else None)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID or not self.stack:
            return
        item = self.stack.pop()
        if item is not None:
            values, parts = item
            text = "".join(parts).strip()
            self.found.append((values, text))
            # The text also belongs to an enclosing figure, if any.
            for outer in reversed(self.stack):
                if outer is not None:
                    outer[1].append(text)
                    break

    def handle_data(self, data: str) -> None:
        for item in reversed(self.stack):
            if item is not None:
                item[1].append(data)
                break


def parse_number(text: str) -> tuple[Decimal, int] | None:
    """``1.234.567,89 kr.`` → (1234567.89, 2); ``52,6 %`` → (52.6, 1); ``—`` → None."""
    raw = text.replace("kr.", "").replace("%", "").replace("\xa0", "").replace(" ", "").replace("−", "-")
    if raw in ("", "—", "-"):
        return None
    if not re.fullmatch(r"-?[\d.]+(,\d+)?", raw):
        raise AssertionError(f"Not a Danish number: {text!r}")
    decimals = len(raw.split(",")[1]) if "," in raw else 0
    return Decimal(raw.replace(".", "").replace(",", ".")), decimals


class Collector:
    def __init__(self) -> None:
        self.values: dict[tuple[str, str, str, str], list[tuple[Decimal | None, int, str]]] = defaultdict(list)

    def add(self, figure: str, who: str, moment: str, month: str, value: Decimal | None, decimals: int, where: str):
        self.values[(figure, who, moment, month)].append((value, decimals, where))

    def add_html(self, html: str, where: str) -> int:
        parser = _FigureParser()
        parser.feed(html)
        n = 0
        for attrs, text in parser.found:
            figure = attrs["data-figure"]
            if figure not in FIGURES and not figure.startswith(PART_PREFIX):
                continue
            who = f"home-{attrs['data-home']}" if attrs.get("data-home") else attrs.get("data-scope", "")
            assert who, f"{where}: figure {figure} without home or scope"
            assert attrs.get("data-moment"), f"{where}: figure {figure} of {who} says no moment"
            parsed = parse_number(text)
            value, decimals = parsed if parsed else (None, 0)
            self.add(figure, who, attrs["data-moment"], attrs.get("data-month", ""), value, decimals, where)
            n += 1
        return n

    def disagreements(self) -> list[str]:
        problems = []
        for key, seen in self.values.items():
            if len(seen) < 2:
                continue
            coarsest = min(d for _, d, _ in seen)
            quant = Decimal(1).scaleb(-coarsest) if coarsest else Decimal(1)
            shown = {(None if v is None else v.quantize(quant, rounding=ROUND_HALF_UP)) for v, _, _ in seen}
            if len(shown) > 1:
                problems.append(f"{key}: " + "; ".join(f"{v} on {w}" for v, _, w in seen))
        return problems


def _moment_of_label(label: str, round_id: int) -> tuple[str, str]:
    """The moment key and month of a label printed by ``budget.moments.Moment``."""
    if label.startswith("Godkendt opfølgning"):
        return f"round-{round_id}", ""
    match = re.search(r"til og med (\w+) (\d{4})", label)
    assert label.startswith("Live pr.") and match, label
    return "live", f"{int(match.group(2)):04d}-{MONTH_NAMES.index(match.group(1)) + 1:02d}"


def _sheet_rows(content: bytes) -> list[tuple]:
    wb = load_workbook(io.BytesIO(content), read_only=True)
    return list(wb.active.iter_rows(values_only=True))


def _content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def demo(db):
    with time_machine.travel(TODAY, tick=False):
        call_command("seed_demo", scale=SCALE, today="2026-12-01", years=2, stdout=io.StringIO())
        yield


def test_every_page_and_export_shows_the_same_figures(demo, client):
    with time_machine.travel(TODAY, tick=False):
        collector = Collector()
        round_ = Round.objects.filter(month__year=2026).order_by("-month").first()
        assert round_ is not None
        homes = list(Home.objects.filter(is_active=True).order_by("pk"))
        areas = list(Area.objects.filter(homes__in=homes).distinct())
        names = {h.name: h.pk for h in homes}
        pages: list[tuple[str, str]] = []

        def get(user: str, url: str) -> bytes:
            client.force_login(User.objects.get(username=user))
            response = client.get(url)
            assert response.status_code == 200, f"{user} {url}: {response.status_code}"
            return _content(response)

        def page(user: str, url: str) -> None:
            found = collector.add_html(get(user, url).decode(), f"{user} {url}")
            pages.append((url, user))
            assert found, f"{user} {url}: no marked figures"

        # Each role's start page.
        for user in ("leder", "omraadeleder", "fagchef"):
            page(user, "/")
        # The dashboard: department, areas, homes (HTML and Excel).
        page("fagchef", reverse("dashboard:department") + "?aar=2026")
        for area in areas:
            page("fagchef", reverse("dashboard:area", args=[area.pk]) + "?aar=2026")
            page("fagchef", reverse("followup:area_rollup", args=[round_.pk, area.pk]))
            rows = _sheet_rows(
                get("fagchef", reverse("dashboard:area_excel", args=[area.pk, "botilbud"]) + "?aar=2026")
            )
            header = rows[3]
            col = {name: i for i, name in enumerate(header)}
            for row in rows[4:]:
                if not row or row[0] not in names:
                    continue
                moment, month = _moment_of_label(row[col["Tal fra"]], round_.pk)
                month = month or f"{round_.month:%Y-%m}"
                who = f"home-{names[row[0]]}"
                where = f"Excel dashboard {area.name}"
                for figure, heading in (
                    ("corrected_budget", "Korrigeret budget (kr.)"),
                    ("forecast", "Prognose (kr.)"),
                    ("deviation", "Afvigelse (+ = merforbrug) (kr.)"),
                ):
                    collector.add(figure, who, moment, month, Decimal(str(row[col[heading]])), 2, where)
        page("fagchef", reverse("followup:department_rollup", args=[round_.pk]))
        for home in homes:
            page("fagchef", reverse("dashboard:home", args=[home.pk]) + "?aar=2026")
            page("fagchef", reverse("budget:home_budget", args=[home.pk]) + "?aar=2026")
            page("fagchef", reverse("followup:home_followup", args=[round_.pk, home.pk]))
            page("fagchef", reverse("absence:home", args=[home.pk]) + "?aar=2026")
        # The finer account groups (»heraf«) in each home's follow-up export (Excel): the same actuals to
        # date as on the budget page and the follow-up page for the same moment.

        part_codes = {f"heraf {g.name.lower()}": g.code for g in GroupDefinition.objects.all()}
        exported_parts = 0
        for home in homes:
            fu_rows = _sheet_rows(get("fagchef", reverse("followup:home_export", args=[round_.pk, home.pk])))
            status = next(r[1] for r in fu_rows if r and r[0] == "Status")
            moment = f"round-{round_.pk}" if "fastfrosset" in status else "live"
            for row in fu_rows:
                if row and isinstance(row[0], str) and row[0] in part_codes:
                    exported_parts += 1
                    collector.add(
                        PART_PREFIX + part_codes[row[0]],
                        f"home-{home.pk}",
                        moment,
                        f"{round_.month:%Y-%m}",
                        Decimal(str(row[3])),
                        2,
                        f"Excel opfølgning {home.name}",
                    )
        assert exported_parts >= 2 * len(homes), exported_parts
        # The follow-up's department export (Excel).
        rows = _sheet_rows(get("fagchef", reverse("followup:department_export", args=[round_.pk])))
        start = next(i for i, r in enumerate(rows) if r and r[0] == "Botilbud" and len(r) > 6 and r[6] == "Tal fra")
        for row in rows[start + 1 :]:
            if not row or row[0] not in names:
                continue
            moment, month = _moment_of_label(row[6], round_.pk)
            month = month or f"{round_.month:%Y-%m}"
            who = f"home-{names[row[0]]}"
            for figure, i in (("corrected_budget", 2), ("forecast", 3), ("deviation", 4)):
                collector.add(figure, who, moment, month, Decimal(str(row[i])), 2, "Excel opfølgning forvaltningen")
        # Occupancy (live, by month) in the dashboard's Excel of the department.
        rows = _sheet_rows(get("fagchef", reverse("dashboard:department_excel", args=["belaegning"]) + "?aar=2026"))
        col = {name: i for i, name in enumerate(rows[3])}
        occupancy_rows = 0
        for row in rows[4:]:
            if row and row[0] in names:
                occupancy_rows += 1
                for figure, heading, decimals in (
                    ("occupancy", "Belægning (%)", 1),
                    ("residents", "Beboere ved månedens udgang", 0),
                ):
                    value = row[col[heading]]
                    collector.add(
                        figure,
                        f"home-{names[row[0]]}",
                        "live",
                        f"{round_.month:%Y-%m}",
                        None if value is None else Decimal(str(value)),
                        decimals,
                        "Excel dashboard belægning",
                    )
        assert occupancy_rows == len(homes)

    if os.environ.get("BOTILBUD_CONSISTENCY_DEBUG"):
        for key, seen in sorted(collector.values.items()):
            print(key, [(str(v), w) for v, _, w in seen])
    problems = collector.disagreements()
    assert problems == [], "\n".join(problems)
    # Every home's forecast for the current moment is compared across at least
    # the dashboard, its Excel, the budget page or the follow-up, and the roll-up.
    for home in homes:
        seen = [len(v) for k, v in collector.values.items() if k[0] == "forecast" and k[1] == f"home-{home.pk}"]
        assert max(seen) >= 4, f"{home.name}: forecast compared on too few pages ({seen})"
    # Sickness absence from payroll: the follow-up, the department and area dashboards and the home's page.
    for figure in ("sickness_pct", "sickness_ytd_pct"):
        assert any(k[0] == figure and len(v) >= 3 for k, v in collector.values.items()), figure
    for figure in ("residents", "occupancy"):
        assert any(k[0] == figure and len(v) >= 2 for k, v in collector.values.items()), figure
    # Every home's »heraf« figures (purchases from other municipalities and from regions) are compared
    # across the follow-up page and its export, and for the live moment with the budget page too.
    for home in homes:
        for code in ("koeb_kommuner", "koeb_regioner"):
            seen = [len(v) for k, v in collector.values.items() if k[:2] == (PART_PREFIX + code, f"home-{home.pk}")]
            assert seen and max(seen) >= 2, f"{home.name}: {code} compared on too few pages ({seen})"
    assert any(k[0].startswith(PART_PREFIX) and k[2] == "live" and len(v) >= 3 for k, v in collector.values.items()), (
        "no »heraf« figure compared on the budget page, the follow-up and its export"
    )
    print(f"\nconsistency ({SCALE}): {len(pages)} pages, {sum(len(v) for v in collector.values.values())} figures")
