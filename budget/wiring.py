"""What the budget app registers with the shared registries when Django is ready
(``budget.apps``): its home tabs, history kinds, start-page sections, demo seeders and
reference loaders. Its own module so that its imports sit at the top: ``apps.py`` is
imported before the models exist, this module only from ``AppConfig.ready()``.
"""

from __future__ import annotations

import datetime as dt

from botilbud.models import Home, Role
from botilbud.permissions import can
from botilbud.registry import demo_seeder, history_kind, home_tab, reference_loader, start_section
from budget.chart import ensure_default_accounts
from budget.demo import seed_budget, seed_year_ends
from budget.models import (
    Account,
    BudgetCorrection,
    BudgetLine,
    CarryOver,
    CostCentre,
    GroupDefinition,
    ImportProfile,
    StaffGroup,
    StaffingPlan,
    YearEnd,
)
from budget.shipped_profiles import ensure_builtin_profiles


def connect() -> None:
    home_tab("Budget", "budget:home_budget", order=20, permission="budget.view_home")
    home_tab("Medarbejdertimer", "budget:staffing", order=30, permission="budget.view_home")
    home_tab("Tildelingsmodel", "budget:allocation", order=40, permission="budget.view_home")

    start_section(
        [Role.AUTHORITY_HEAD, Role.DEPARTMENT_HEAD],
        "budget/_start_authority.html",
        lambda request: {"year": dt.date.today().year},
        order=60,
    )

    def finance_staff(qs):  # noqa: ANN001, ANN202
        return lambda user: qs.all() if can(user, "budget.view_finance_setup") else qs.none()

    history_kind("kontokobling", finance_staff(Account.objects))
    history_kind("kontogruppe", finance_staff(GroupDefinition.objects))

    history_kind("importprofil", finance_staff(ImportProfile.objects))
    history_kind("omkostningssted", lambda user: CostCentre.objects.filter(home__in=Home.objects.visible_to(user)))
    history_kind("budgetlinje", lambda user: BudgetLine.objects.filter(home__in=Home.objects.visible_to(user)))
    history_kind(
        "budgetkorrektion",
        lambda user: BudgetCorrection.objects.filter(line__home__in=Home.objects.visible_to(user)),
    )
    history_kind(
        "aarsafslutning",
        lambda user: YearEnd.objects.all() if can(user, "budget.view_years") else YearEnd.objects.none(),
    )
    history_kind("overfoersel", lambda user: CarryOver.objects.filter(home__in=Home.objects.visible_to(user)))

    history_kind(
        "medarbejdertimeplan",
        lambda user: StaffingPlan.objects.filter(home__in=Home.objects.visible_to(user)),
        children=[(StaffGroup, "plan_id")],
    )

    demo_seeder(40, "budget", seed_budget)
    demo_seeder(45, "årsafslutning", seed_year_ends)

    def load_accounts() -> None:
        ensure_default_accounts()
        ensure_builtin_profiles()

    reference_loader(load_accounts)
