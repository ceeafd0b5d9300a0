from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "botilbud.sso"
    label = "sso"
    verbose_name = "Single sign-on"

    def ready(self) -> None:
        from botilbud.sso import wiring  # noqa: PLC0415 - it imports models, which exist only once the registry is ready

        wiring.connect()
