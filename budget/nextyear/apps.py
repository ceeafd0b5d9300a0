from django.apps import AppConfig


class NextYearConfig(AppConfig):
    """Next year's budget as a draft built from the models (allocation model,
    rate model, the staff-hours tool in reverse, other operations indexed with
    PL), adjusted and locked by the consultant, exported for the finance system.

    A sub-app of ``budget`` with its own label and migrations.
    """

    name = "budget.nextyear"
    label = "nextyear"
    verbose_name = "Næste års budget"

    def ready(self) -> None:
        from budget.nextyear import wiring  # noqa: PLC0415 - it imports models, which exist only once the registry is ready

        wiring.connect()
