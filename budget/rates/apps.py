from django.apps import AppConfig


class RatesConfig(AppConfig):
    """Rates (takster) of own homes, settlement with other municipalities,
    central refusion of very expensive cases and the price index (PL).

    A sub-app of ``budget`` with its own label and migrations.
    """

    name = "budget.rates"
    label = "rates"
    verbose_name = "Takster og mellemkommunal afregning"

    def ready(self) -> None:
        from budget.rates import wiring  # noqa: PLC0415 - it imports models, which exist only once the registry is ready

        wiring.connect()
