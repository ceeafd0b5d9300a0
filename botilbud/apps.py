from django.apps import AppConfig


class BotilbudConfig(AppConfig):
    name = "botilbud"
    verbose_name = "Organisation"

    def ready(self) -> None:
        from botilbud import wiring  # noqa: PLC0415 - it imports models, which exist only once the registry is ready

        wiring.connect()
