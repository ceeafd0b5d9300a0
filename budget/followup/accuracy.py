"""Forecast accuracy for a closed year: each round's frozen forecast against
the year's final actuals — the number that tells whether forecasts can be
trusted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum

from budget.followup.models import HomeFollowUp, Step


def accuracy_table(homes: QuerySet, year: int) -> dict[str, Any]:
    from budget.models import ActualTotal

    actuals = dict(
        ActualTotal.objects.filter(home__in=homes, month__year=year)
        .values("home_id")
        .annotate(total=Sum("amount"))
        .values_list("home_id", "total")
    )
    frozen = HomeFollowUp.objects.filter(home__in=homes, round__month__year=year, step=Step.APPROVED).values_list(
        "home_id", "round__month", "snapshot__totals__forecast"
    )
    months: set[dt.date] = set()
    cells: dict[int, dict[dt.date, dict[str, Decimal]]] = {}
    for home_id, month, forecast in frozen:
        actual = actuals.get(home_id)
        if actual is None or forecast is None:
            continue
        deviation = Decimal(str(forecast)) - actual
        pct = (deviation * 100 / abs(actual)).quantize(Decimal("0.1")) if actual else None
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
