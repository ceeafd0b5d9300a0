from django.apps import AppConfig


class AbsenceConfig(AppConfig):
    """Sickness absence imported from the payroll/HR system (sygefravær).

    A sub-app of ``budget`` with its own label and migrations. The follow-up
    (section 3) and the dashboard read its figures through
    ``budget.absence.selectors``.
    """

    name = "budget.absence"
    label = "absence"
    verbose_name = "Sygefravær"

    def ready(self) -> None:
        from budget.absence import wiring  # noqa: PLC0415 - it imports models, which exist only once the registry is ready

        wiring.connect()
