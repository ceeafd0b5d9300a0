from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "botilbud.sso"
    label = "sso"
    verbose_name = "Single sign-on"

    def ready(self) -> None:
        from botilbud.permissions import can
        from botilbud.registry import history_kind
        from botilbud.sso.models import GroupMapping

        history_kind(
            "gruppekobling",
            lambda user: GroupMapping.objects.all() if can(user, "botilbud.use_admin") else GroupMapping.objects.none(),
        )
