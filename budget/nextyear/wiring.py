"""What the budget.nextyear app registers with the shared registries when Django is ready
(``budget.nextyear.apps``): its home tabs, history kinds, start-page sections, demo seeders and
reference loaders. Its own module so that its imports sit at the top: ``apps.py`` is
imported before the models exist, this module only from ``AppConfig.ready()``.
"""

from __future__ import annotations

from botilbud.models import Home
from botilbud.registry import demo_seeder, history_kind, home_tab
from budget.nextyear.demo import seed as seed_plans
from budget.nextyear.models import BudgetDraft, BudgetDraftLine


def connect() -> None:
    home_tab("Næste år", "nextyear:home", order=25, permission="budget.view_home")
    history_kind(
        "budgetkladde",
        lambda user: BudgetDraft.objects.filter(home__in=Home.objects.visible_to(user)),
        children=[(BudgetDraftLine, "draft_id")],
    )
    history_kind(
        "budgetkladdelinje",
        lambda user: BudgetDraftLine.objects.filter(draft__home__in=Home.objects.visible_to(user)),
    )

    demo_seeder(46, "medarbejdertimeplaner", seed_plans)
