from django.apps import AppConfig


class FollowUpConfig(AppConfig):
    """The monthly budget follow-up (budgetopfølgning).

    A sub-app of ``budget`` with its own label and migrations, so the
    follow-up's workflow tables evolve apart from the budget's numbers.
    """

    name = "budget.followup"
    label = "followup"
    verbose_name = "Budgetopfølgning"

    def ready(self) -> None:
        from budget.followup import wiring  # noqa: PLC0415 - it imports models, which exist only once the registry is ready

        wiring.connect()
