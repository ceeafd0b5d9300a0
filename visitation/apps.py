from django.apps import AppConfig


class VisitationConfig(AppConfig):
    name = "visitation"
    verbose_name = "Visitation"

    def ready(self) -> None:
        from visitation import wiring  # noqa: PLC0415 - it imports models, which exist only once the registry is ready

        wiring.connect()
