"""Reading a payroll absence export through an ``AbsenceProfile``.

The file is read by the one hardened reader (``botilbud.lib.tabular``: limits
before unpacking, every bad line named by its line number as a user counts
it); ``RowMapper`` turns each row into an ``AbsenceRow`` or Danish reasons why
it cannot. Numbers and periods are read as for the actuals
(``budget.profiles.parse_amount`` / ``parse_period``).

A file may hold one row per cost centre and month, or one per employee (or
staff group): rows of the same cost centre and month are added up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from botilbud.lib import tabular
from botilbud.lib.money import format_number
from budget.absence.models import PERIOD_CHOICES, AbsenceProfile
from budget.profiles import column_index, parse_amount, parse_period

MAX_HOURS = Decimal(10) ** 8
_PERIODS = dict(PERIOD_CHOICES)


@dataclass(frozen=True)
class AbsenceRow:
    cost_centre: str
    month: dt.date
    norm_hours: Decimal
    sick_hours: Decimal
    long_term_hours: Decimal | None
    long_term_people: int | None


def read_options(profile: AbsenceProfile, **limits: Any) -> tabular.ReadOptions:
    wanted = {c.strip().lower() for c in (profile.col_cost_centre, profile.col_sick_hours) if c}

    def is_header(cells: list[Any]) -> bool:
        return wanted <= {str(c or "").strip().lower() for c in cells}

    return tabular.ReadOptions(
        separator=profile.separator or None,
        encoding=profile.encoding or None,
        title_lines=profile.title_lines,
        find_header=is_header,
        **limits,
    )


def _hours(value: Decimal) -> str:
    return format_number(value, 2)


class RowMapper:
    """Maps a file's rows through a profile. Build it from the file's header (``ValueError``: a column is missing)."""

    def __init__(self, profile: AbsenceProfile, header: list[Any]) -> None:
        self.profile = profile
        self.index = column_index(profile, header)

    def cell(self, cells: list[Any], name: str) -> Any:
        i = self.index.get(name)
        return cells[i] if i is not None and i < len(cells) else None

    def cost_centre(self, cells: list[Any]) -> str:
        value = self.cell(cells, "col_cost_centre")
        if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
            value = str(int(value))
        return tabular.cell_text(value).strip()[:40]

    def given(self, cells: list[Any], name: str) -> bool:
        raw = self.cell(cells, name)
        return name in self.index and raw not in (None, "") and bool(tabular.cell_text(raw).strip())

    def number(self, cells: list[Any], name: str, label: str, reasons: list[str]) -> Decimal | None:
        raw = self.cell(cells, name)
        if raw in (None, "") or not tabular.cell_text(raw).strip():
            reasons.append(f"{label} mangler")
            return None
        value = parse_amount(raw, self.profile.number_format)
        if value is None:
            reasons.append(f"{label} »{tabular.cell_text(raw)}« er ikke et gyldigt tal")
        elif value < 0:
            reasons.append(f"{label} »{tabular.cell_text(raw)}« er negative")
            value = None
        elif value >= MAX_HOURS:
            reasons.append(f"{label} »{tabular.cell_text(raw)}« er for mange")
            value = None
        elif value != value.quantize(Decimal("0.01")):
            reasons.append(f"{label} »{tabular.cell_text(raw)}« har mere end to decimaler")
            value = None
        return value

    def map(self, cells: list[Any]) -> tuple[AbsenceRow | None, list[str]]:
        reasons: list[str] = []
        cc = self.cost_centre(cells)
        if not cc:
            reasons.append("Omkostningssted mangler")
        raw_period = self.cell(cells, "col_period")
        month = parse_period(raw_period, self.profile.period_format)
        if month is None:
            reasons.append(
                f"Perioden »{tabular.cell_text(raw_period)}« er ikke en måned "
                f"({_PERIODS.get(self.profile.period_format, self.profile.period_format)})"
            )
        norm = self.number(cells, "col_norm_hours", "Normtimer", reasons)
        sick = self.number(cells, "col_sick_hours", "Sygetimer", reasons)
        # The long-term columns are optional, and an empty cell there means "not given".
        long_term: Decimal | None = None
        if self.given(cells, "col_long_term_hours"):
            long_term = self.number(cells, "col_long_term_hours", "Langtidssygetimer", reasons)
        people: int | None = None
        if self.given(cells, "col_long_term_people"):
            count = self.number(cells, "col_long_term_people", "Antal langtidssygemeldte", reasons)
            if count is not None:
                if count != count.to_integral_value():
                    reasons.append(f"Antal langtidssygemeldte »{count}« er ikke et helt tal")
                else:
                    people = int(count)
        if norm is not None and norm == 0:
            reasons.append("Normtimer skal være større end 0")
        if norm is not None and sick is not None and sick > norm:
            reasons.append(f"Sygetimerne ({_hours(sick)}) er flere end normtimerne ({_hours(norm)})")
        if long_term is not None and sick is not None and long_term > sick:
            reasons.append(f"Langtidssygetimerne ({_hours(long_term)}) er flere end sygetimerne ({_hours(sick)})")
        if reasons or month is None or norm is None or sick is None:
            return None, reasons or ["Rækken kan ikke læses"]
        return AbsenceRow(cc, month, norm, sick, long_term, people), []


# The ready profile (the reference loader creates it; the consultant can copy and edit).
BUILTIN_PROFILES: list[dict[str, Any]] = [
    {
        "name": "Lønsystem: fraværsstatistik pr. omkostningssted",
        "description": "Fraværsudtræk fra løn- og personalesystemet (fx KMD Opus Løn eller Silkeborg Data): "
        "titellinjer, semikolon, Windows-1252, periode »11.2026«, timer med komma. Én række pr. "
        "omkostningssted og måned, eller én pr. medarbejder. Eksempel: demo/sygefravaer_loen.csv.",
        "title_lines": 2,
        "separator": ";",
        "encoding": "cp1252",
        "col_cost_centre": "Omkostningssted",
        "col_period": "Periode",
        "period_format": "MM.YYYY",
        "col_norm_hours": "Normtimer",
        "col_sick_hours": "Sygetimer",
        "col_long_term_hours": "Heraf langtidssyg timer",
        "col_long_term_people": "Langtidssygemeldte",
        "number_format": "da",
    },
]


def ensure_builtin_profiles() -> int:
    created = 0
    for spec in BUILTIN_PROFILES:
        _, new = AbsenceProfile.objects.get_or_create(name=spec["name"], defaults={**spec, "is_builtin": True})
        created += new
    return created
