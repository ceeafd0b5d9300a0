from django.apps import AppConfig


class DisponeringConfig(AppConfig):
    name = "disponering"
    verbose_name = "Disponering"

    def ready(self) -> None:
        from botilbud.models import Role
        from botilbud.registry import demo_seeder, history_kind, home_tab, start_section
        from disponering.bridge import register_with_visitation
        from disponering.demo import seed
        from disponering.models import LedgerEntry
        from disponering.selectors import start_context

        home_tab(
            "Disponering",
            "disponering:ledger",
            order=15,
            permission="budget.view_home",
        )
        history_kind("disponering", lambda user: LedgerEntry.objects.visible_to(user))
        demo_seeder(30, "disponering", seed)
        start_section([Role.HOME_MANAGER, Role.CONSULTANT], "disponering/_start.html", start_context, order=40)
        register_with_visitation()
