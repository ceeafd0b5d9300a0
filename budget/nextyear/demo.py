"""Demo data for next year's budget: this year's staff-hours plans.

Next year's wage budget is the staff-hours tool run in reverse, so the demo
gives every other home (the first one included) a plan for this year at its
wage budget, with the typical staff groups of a 24-hour home and their
supplements. The homes without a plan show the other rule (this year's wage
budget indexed with PL). The drafts themselves are left to the consultant.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from botilbud.models import AccountGroup
from budget.forms import TYPICAL_STAFF_GROUPS, TYPICAL_SUPPLEMENTS
from budget.models import BudgetLine, StaffGroup, StaffingPlan

SHARES = {"Pædagoger": Decimal(45), "Social- og sundhedsassistenter": Decimal(30), "Nattevagter": Decimal(17)}
LEADERSHIP = Decimal(8)


def seed(ctx: Any) -> None:
    year = ctx.today.year
    homes = list(ctx.homes)[::2]
    wages = dict(
        BudgetLine.objects.filter(home__in=homes, year=year, group=AccountGroup.WAGES.value).values_list(
            "home_id", "original"
        )
    )
    consultant = ctx.users.get("konsulent")
    plans = StaffingPlan.objects.bulk_create(
        [
            StaffingPlan(home=h, year=year, wage_budget=wages[h.pk], updated_by=consultant)
            for h in homes
            if h.pk in wages
        ]
    )
    groups = []
    for plan in plans:
        for position, g in enumerate(TYPICAL_STAFF_GROUPS):
            extra = TYPICAL_SUPPLEMENTS if g["name"] != "Ledelse" else {}
            groups.append(
                StaffGroup(
                    plan=plan,
                    position=position,
                    share_pct=SHARES.get(str(g["name"]), LEADERSHIP),
                    **{**extra, **g},
                )
            )
    StaffGroup.objects.bulk_create(groups)
    ctx.log.append(f"næste års budget: {len(plans)} medarbejdertimeplaner for {year}")
