from django.apps import AppConfig


class BotilbudConfig(AppConfig):
    name = "botilbud"
    verbose_name = "Organisation"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from botilbud.middleware import mark_seen_at_login
        from botilbud.security import connect_signals

        connect_signals()
        user_logged_in.connect(mark_seen_at_login, dispatch_uid="botilbud.idle_timeout")
        from django.db.models import Q

        from botilbud.models import Area, Home
        from botilbud.registry import history_kind, reference_loader

        history_kind("botilbud", lambda user: Home.objects.visible_to(user))
        history_kind(
            "omraade",
            lambda user: Area.objects.filter(
                Q(pk__in=Home.objects.visible_to(user).values("area_id")) | Q(managers=user)
            ).distinct(),
        )

        @reference_loader
        def load_paragraphs() -> None:
            from django.apps import apps as global_apps

            from botilbud.migrations import _defaults

            _defaults.load_paragraphs(global_apps)
            _defaults.load_municipalities(global_apps)
