"""What the budget.dashboard app registers with the shared registries when Django is ready
(``budget.dashboard.apps``): its home tabs, history kinds, start-page sections, demo seeders and
reference loaders. Its own module so that its imports sit at the top: ``apps.py`` is
imported before the models exist, this module only from ``AppConfig.ready()``.
"""

from __future__ import annotations

from botilbud.models import Role
from botilbud.registry import start_section
from budget.dashboard import start


def connect() -> None:
    start_section([Role.HOME_MANAGER], "dashboard/_start_home_manager.html", start.home_manager_context, order=5)
    start_section([Role.AREA_MANAGER], "dashboard/_start_area_manager.html", start.area_manager_context, order=5)
    start_section([Role.CONSULTANT], "dashboard/_start_consultant.html", start.consultant_context, order=20)
    start_section(
        [Role.DEPARTMENT_HEAD, Role.ADMIN], "dashboard/_start_department.html", start.department_context, order=5
    )
