"""Which moment a figure is from, said the same way on every page.

A home's economy figures (forecast, deviation, corrected budget) and its
residents/occupancy come from one of two moments:

- **a frozen follow-up** (``round-<id>``): the snapshot taken when the
  home's follow-up for that round was approved; it never moves again;
- **live** (``live``): computed now from today's data, with actuals to and
  including a month (``month``), possibly for a round still in progress or
  in draft.

Pages mark each figure in the HTML (``data-figure``, ``data-home``,
``data-moment``, ``data-month``) and print the moment's Danish label beside
it; the consistency tests compare every page's figures by these marks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from botilbud.lib.dates import MONTH_NAMES

# The follow-up's steps as the three statuses a reader needs.
STEP_STATUS = {
    "forberedes": "kladde",
    "hos_leder": "i gang",
    "hos_omraadeleder": "i gang",
    "godkendt": "godkendt",
}


def _month(year: int, month: int) -> str:
    return f"{MONTH_NAMES[month - 1]} {year}" if month else f"årets start {year}"


@dataclass(frozen=True)
class Moment:
    kind: str  # "live" | "round"
    year: int
    month: int  # actuals to and including this month (0: none yet)
    today: dt.date
    round: Any = None  # budget.followup.models.Round (the round the figure belongs to)
    step: str = ""  # the home's follow-up step in that round ("" for a sum or no follow-up)

    @classmethod
    def live(cls, year: int, month: int, today: dt.date, round_: Any = None, step: str = "") -> Moment:
        return cls(kind="live", year=year, month=month, today=today, round=round_, step=step)

    @classmethod
    def frozen(cls, round_: Any, today: dt.date) -> Moment:
        return cls(
            kind="round", year=round_.month.year, month=round_.month.month, today=today, round=round_, step="godkendt"
        )

    @property
    def is_live(self) -> bool:
        return self.kind == "live"

    @property
    def key(self) -> str:
        return "live" if self.is_live else f"round-{self.round.pk}"

    @property
    def month_key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def status(self) -> str:
        return STEP_STATUS.get(self.step, "")

    @property
    def label(self) -> str:
        """``Live pr. 01-12-2026 (forbrug til og med november 2026)`` or
        ``Godkendt opfølgning november 2026 (fastfrosset)``."""
        if not self.is_live:
            return f"Godkendt opfølgning {_month(self.year, self.month)} (fastfrosset)"
        text = f"Live pr. {self.today:%d-%m-%Y} (forbrug til og med {_month(self.year, self.month)})"
        if self.round is not None and self.status:
            text += f"; opfølgningen for {_month(self.round.month.year, self.round.month.month)}: {self.status}"
        return text

    def attrs(self) -> dict[str, str]:
        return {"data-moment": self.key, "data-month": self.month_key}
