from django.apps import AppConfig


class BudgetConfig(AppConfig):
    name = "budget"
    verbose_name = "Budget"

    def ready(self) -> None:
        from budget import wiring  # noqa: PLC0415 - it imports models, which exist only once the registry is ready

        wiring.connect()
