"""The authority forecast (individual-based "dispositionsregnskab").

For the year Y at month m, per paragraph and provider type:

    placements' cost = Σ over placements of (annual price in force on each day × days in Y) / days in Y
                       (price history from visitation's PlacementChange rows)
    forecast         = placements' cost
                     + Σ expected inflow in months after m × average price × (months left from that month) / 12
                     − Σ expected outflow in months after m × average price × (months left) / 12

compared with the purchase budget and the baseline (frozen assumptions). The
placements' cost is one SQL aggregate over the placements our municipality
pays for: another municipality's citizen in our home is the home's income
(a sale), never our authority's spending.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection

from botilbud.lib.dates import days_in_year
from botilbud.lib.money import ZERO, to_money
from botilbud.models import Municipality, Paragraph
from budget.models import Baseline, ProviderKind

COUNTED_STATUSES = ["godkendt", "aktiv", "ophoert"]

_COST_SQL = """
WITH ch AS (
    SELECT c.placement_id, c.effective_date, c.old_annual_price, c.new_annual_price,
           row_number() OVER w AS rn, lead(c.effective_date) OVER w AS next_date
    FROM visitation_placementchange c
    WHERE c.new_annual_price IS NOT NULL
    WINDOW w AS (PARTITION BY c.placement_id ORDER BY c.effective_date, c.id)
),
p AS (
    SELECT pl.id, pl.start_date, pl.end_date, pl.annual_price, o.paragraph_id, pr.kind
    FROM visitation_placement pl
    JOIN visitation_offer o ON o.id = pl.offer_id
    JOIN visitation_provider pr ON pr.id = o.provider_id
    WHERE pl.status = ANY(%(statuses)s) AND pl.start_date <= %(last)s
      AND pl.paying_municipality_id = %(own)s
      AND (pl.end_date IS NULL OR pl.end_date >= %(first)s)
),
segs AS (
    SELECT p.id, p.paragraph_id, p.kind, p.start_date AS s,
           COALESCE(f.effective_date - 1, p.end_date) AS e,
           COALESCE(f.old_annual_price, p.annual_price) AS price
    FROM p LEFT JOIN ch f ON f.placement_id = p.id AND f.rn = 1
    UNION ALL
    SELECT p.id, p.paragraph_id, p.kind, ch.effective_date, COALESCE(ch.next_date - 1, p.end_date), ch.new_annual_price
    FROM ch JOIN p ON p.id = ch.placement_id
)
SELECT paragraph_id, kind,
       count(DISTINCT id) AS placements,
       count(DISTINCT id) FILTER (WHERE s <= %(today)s AND (e IS NULL OR e >= %(today)s)) AS active_now,
       sum(price * GREATEST(0, LEAST(COALESCE(e, %(last)s), %(last)s) - GREATEST(s, %(first)s) + 1)) AS price_days
FROM segs
GROUP BY paragraph_id, kind
"""


@dataclass
class AuthorityRow:
    paragraph_id: int
    paragraph: str
    kind: str
    kind_label: str
    placements: int = 0
    active_now: int = 0
    placements_cost: Decimal = ZERO
    expected_inflow: Decimal = ZERO
    expected_outflow: Decimal = ZERO
    baseline_placements: int | None = None
    baseline_cost: Decimal | None = None
    budget: Decimal = ZERO
    ladder_step: int = 0

    @property
    def forecast(self) -> Decimal:
        return self.placements_cost + self.expected_inflow - self.expected_outflow

    @property
    def deviation(self) -> Decimal:
        return self.forecast - self.budget

    @property
    def vs_baseline(self) -> Decimal | None:
        return None if self.baseline_cost is None else self.forecast - self.baseline_cost


@dataclass
class AuthorityForecast:
    year: int
    month: int
    rows: list[AuthorityRow] = field(default_factory=list)
    baseline_frozen: dt.datetime | None = None
    has_baseline: bool = False

    def total(self, attr: str) -> Decimal:
        return sum((getattr(r, attr) or ZERO for r in self.rows), ZERO)


def authority_forecast(year: int, month: int, *, today: dt.date | None = None) -> AuthorityForecast:
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    today = today or dt.date.today()
    with connection.cursor() as cursor:
        cursor.execute(
            _COST_SQL,
            {
                "statuses": COUNTED_STATUSES,
                "first": first,
                "last": last,
                "today": min(max(today, first), last),
                "own": Municipality.own_code(),
            },
        )
        cost_rows = cursor.fetchall()
    paragraphs = {p.pk: p for p in Paragraph.objects.all()}
    labels = dict(ProviderKind.choices)
    rows: dict[tuple[int, str], AuthorityRow] = {}

    def row(paragraph_id: int, kind: str) -> AuthorityRow:
        key = (paragraph_id, kind)
        if key not in rows:
            par = paragraphs[paragraph_id]
            rows[key] = AuthorityRow(
                paragraph_id=paragraph_id,
                paragraph=par.code,
                kind=kind,
                kind_label=labels.get(kind, kind),
                ladder_step=par.ladder_step,
            )
        return rows[key]

    days = Decimal(days_in_year(year))
    for paragraph_id, kind, placements, active_now, price_days in cost_rows:
        r = row(paragraph_id, kind)
        r.placements, r.active_now = placements, active_now
        r.placements_cost = to_money((price_days or ZERO) / days)
    result = AuthorityForecast(year=year, month=month)
    baseline = Baseline.objects.filter(year=year).prefetch_related("lines").first()
    if baseline:
        result.has_baseline = True
        result.baseline_frozen = baseline.frozen_at
        for line in baseline.lines.all():
            r = row(line.paragraph_id, line.provider_kind)
            r.baseline_placements = (r.baseline_placements or 0) + line.placements
            r.baseline_cost = (r.baseline_cost or ZERO) + to_money(line.baseline_cost())
            r.budget += line.budget
            for i in range(month, 12):  # months after m (index i is month i + 1)
                left = Decimal(12 - i) / 12
                r.expected_inflow += to_money(Decimal(line.inflow[i]) * line.average_price * left)
                r.expected_outflow += to_money(Decimal(line.outflow[i]) * line.average_price * left)
    result.rows = sorted(rows.values(), key=lambda r: (r.ladder_step, r.paragraph, r.kind))
    return result
