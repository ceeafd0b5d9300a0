"""Forecast accuracy for a closed year: each round's frozen forecast against
the year's final actuals — the number that tells whether forecasts can be
trusted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum

from botilbud.lib.money import percent
from botilbud.models import AccountGroup, Home
from budget.followup.models import HomeFollowUp, Step
from budget.models import ActualTotal


def accuracy_basis(financing: str, net: Decimal | None, gross: Decimal | None) -> Decimal:
    """What a forecast's error is a percentage of: gross expenditure actuals for an
    activity-funded home (its net is small: −165 % said nothing), |net| otherwise."""
    if financing == "aktivitet":
        return abs(gross or Decimal(0))
    return abs(net or Decimal(0))


def accuracy_table(homes: QuerySet[Home], year: int) -> dict[str, Any]:
    sums = (
        ActualTotal.objects.filter(home__in=homes, month__year=year)
        .values("home_id", "home__financing")
        .annotate(total=Sum("amount"), gross=Sum("amount", filter=~Q(group=AccountGroup.INCOME)))
        .order_by()
    )
    actuals = {r["home_id"]: r["total"] for r in sums}
    # The percentage is of the budget the home is steered on (DESIGN.md): an
    # activity-funded home's gross expenditure, a frame-funded home's net.
    bases = {r["home_id"]: accuracy_basis(r["home__financing"], r["total"], r["gross"]) for r in sums}
    frozen = HomeFollowUp.objects.filter(home__in=homes, round__month__year=year, step=Step.APPROVED).values_list(
        "home_id", "round__month", "snapshot__totals__forecast"
    )
    months: set[dt.date] = set()
    cells: dict[int, dict[dt.date, dict[str, Decimal | None]]] = {}
    for home_id, month, forecast in frozen:
        actual = actuals.get(home_id)
        if actual is None or forecast is None:
            continue
        deviation = Decimal(str(forecast)) - actual
        pct = percent(deviation, bases[home_id])
        months.add(month)
        cells.setdefault(home_id, {})[month] = {"forecast": Decimal(str(forecast)), "deviation": deviation, "pct": pct}
    ordered = sorted(months)
    names = dict(homes.filter(pk__in=cells).values_list("pk", "name"))
    rows = [
        {
            "home": names[home_id],
            "actual": actuals[home_id],
            "cells": [cells[home_id].get(m) for m in ordered],
        }
        for home_id in sorted(cells, key=lambda pk: names[pk])
    ]
    # Mean absolute percentage deviation per round: how trustworthy the
    # department's forecast was at that point of the year.
    mean = []
    for index, _month in enumerate(ordered):
        values = [
            abs(r["cells"][index]["pct"]) for r in rows if r["cells"][index] and r["cells"][index]["pct"] is not None
        ]
        mean.append((sum(values) / len(values)).quantize(Decimal("0.1")) if values else None)
    return {"months": ordered, "rows": rows, "mean_abs_pct": mean}
