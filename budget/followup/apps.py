from django.apps import AppConfig


class FollowUpConfig(AppConfig):
    """The monthly budget follow-up (budgetopfølgning).

    A sub-app of ``budget`` with its own label and migrations, so the
    follow-up's workflow tables evolve apart from the budget's numbers.
    """

    name = "budget.followup"
    label = "followup"
    verbose_name = "Budgetopfølgning"

    def ready(self) -> None:
        from botilbud.models import Role
        from botilbud.registry import demo_seeder, history_kind, reference_loader, start_section
        from budget.followup import demo, start
        from budget.followup.models import HomeFollowUp, Settings

        start_section(
            [Role.CONSULTANT, Role.HOME_MANAGER, Role.AREA_MANAGER, Role.DEPARTMENT_HEAD],
            "followup/_start_section.html",
            start.section_context,
            order=10,
        )
        history_kind("opfoelgning", lambda user: HomeFollowUp.objects.visible_to(user))
        demo_seeder(50, "budgetopfølgning", demo.seed)
        demo_seeder(55, "opfølgningsrytme", demo.seed_cycle)
        reference_loader(Settings.load)
