from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "botilbud.sso"
    label = "sso"
    verbose_name = "Single sign-on"

    def ready(self) -> None:
        from botilbud.models import Role
        from botilbud.registry import history_kind
        from botilbud.sso.models import GroupMapping

        history_kind(
            "gruppekobling",
            lambda user: GroupMapping.objects.all() if user.role == Role.ADMIN else GroupMapping.objects.none(),
        )
