from django.apps import AppConfig

from botilbud.lib import lookups


class BotilbudConfig(AppConfig):
    name = "botilbud"
    verbose_name = "Organisation"

    def ready(self) -> None:
        lookups.register()  # field__any=[…]
        from botilbud import wiring  # noqa: PLC0415 - it imports models, which exist only once the registry is ready

        wiring.connect()
