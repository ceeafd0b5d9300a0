"""What the disponering app registers with the shared registries when Django is ready
(``disponering.apps``): its home tabs, history kinds, start-page sections, demo seeders and
reference loaders. Its own module so that its imports sit at the top: ``apps.py`` is
imported before the models exist, this module only from ``AppConfig.ready()``.
"""

from __future__ import annotations

from botilbud.dataprotection import register_activity
from botilbud.models import Role
from botilbud.registry import demo_seeder, history_kind, home_tab, start_section
from disponering import dataprotection, retention
from disponering.bridge import register_with_visitation
from disponering.demo import seed
from disponering.models import LedgerEntry
from disponering.selectors import start_context
from visitation.retention import register_part


def connect() -> None:
    home_tab(
        "Disponering",
        "disponering:ledger",
        order=15,
        permission="budget.view_home",
    )
    history_kind("disponering", lambda user: LedgerEntry.objects.visible_to(user))
    demo_seeder(30, "disponering", seed)
    start_section([Role.HOME_MANAGER, Role.CONSULTANT], "disponering/_start.html", start_context, order=40)
    register_with_visitation()
    # Anonymised citizens' initials leave the generated entries (visitation/retention.py).
    register_part(retention.PART)
    # Its part of the record of processing (/databeskyttelse/).
    register_activity("economy", 30, dataprotection.activity)
