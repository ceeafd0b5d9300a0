from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """Management information: the department head's dashboard with drill-down,
    and the role start-page blocks that answer each role's first question."""

    name = "budget.dashboard"
    label = "dashboard"
    verbose_name = "Ledelsesinformation"

    def ready(self) -> None:
        from botilbud.models import Role
        from botilbud.registry import start_section
        from budget.dashboard import start

        start_section([Role.HOME_MANAGER], "dashboard/_start_home_manager.html", start.home_manager_context, order=5)
        start_section([Role.AREA_MANAGER], "dashboard/_start_area_manager.html", start.area_manager_context, order=5)
        start_section([Role.CONSULTANT], "dashboard/_start_consultant.html", start.consultant_context, order=20)
        start_section(
            [Role.DEPARTMENT_HEAD, Role.ADMIN], "dashboard/_start_department.html", start.department_context, order=5
        )
