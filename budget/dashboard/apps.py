from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """Management information: the department head's dashboard with drill-down,
    and the role start-page blocks that answer each role's first question."""

    name = "budget.dashboard"
    label = "dashboard"
    verbose_name = "Ledelsesinformation"

    def ready(self) -> None:
        from budget.dashboard import wiring  # noqa: PLC0415 - it imports models, which exist only once the registry is ready

        wiring.connect()
