from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "onboarding"
    verbose_name = "Kom i gang"

    def ready(self) -> None:
        from onboarding import wiring  # noqa: PLC0415 - it imports models, which exist only once the registry is ready

        wiring.connect()
