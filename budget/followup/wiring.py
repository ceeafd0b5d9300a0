"""What the budget.followup app registers with the shared registries when Django is ready
(``budget.followup.apps``): its home tabs, history kinds, start-page sections, demo seeders and
reference loaders. Its own module so that its imports sit at the top: ``apps.py`` is
imported before the models exist, this module only from ``AppConfig.ready()``.
"""

from __future__ import annotations

from botilbud.models import Role
from botilbud.registry import demo_seeder, history_kind, reference_loader, start_section
from budget.followup import demo, start
from budget.followup.models import Action, Explanation, HomeFollowUp, Settings


def connect() -> None:
    start_section(
        [Role.CONSULTANT, Role.HOME_MANAGER, Role.AREA_MANAGER, Role.DEPARTMENT_HEAD],
        "followup/_start_section.html",
        start.section_context,
        order=10,
    )
    history_kind(
        "opfoelgning",
        lambda user: HomeFollowUp.objects.visible_to(user),
        children=[(Action, "followup_id"), (Explanation, "followup_id")],
    )
    demo_seeder(50, "budgetopfølgning", demo.seed)
    demo_seeder(55, "opfølgningsrytme", demo.seed_cycle)
    reference_loader(Settings.load)
