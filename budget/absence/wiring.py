"""What the budget.absence app registers with the shared registries when Django is ready
(``budget.absence.apps``): its home tabs, history kinds, start-page sections, demo seeders and
reference loaders. Its own module so that its imports sit at the top: ``apps.py`` is
imported before the models exist, this module only from ``AppConfig.ready()``.
"""

from __future__ import annotations

from botilbud.permissions import can
from botilbud.registry import demo_seeder, history_kind, home_tab, reference_loader
from budget.absence import demo
from budget.absence.models import AbsenceImport, AbsenceProfile
from budget.absence.reading import ensure_builtin_profiles


def connect() -> None:
    home_tab("Sygefravær", "absence:home", order=35, permission="budget.view_home")

    def importers(qs):  # noqa: ANN001, ANN202
        return lambda user: qs.all() if can(user, "absence.import") else qs.none()

    history_kind("fravaersprofil", importers(AbsenceProfile.objects))
    history_kind("fravaersimport", importers(AbsenceImport.objects))
    demo_seeder(35, "sygefravær fra lønsystemet", demo.seed)

    def load_profiles() -> None:
        ensure_builtin_profiles()

    reference_loader(load_profiles)
