from django.apps import AppConfig


class DisponeringConfig(AppConfig):
    name = "disponering"
    verbose_name = "Disponering"

    def ready(self) -> None:
        from disponering import wiring  # noqa: PLC0415 - it imports models, which exist only once the registry is ready

        wiring.connect()
