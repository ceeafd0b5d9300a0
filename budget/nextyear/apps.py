from django.apps import AppConfig


class NextYearConfig(AppConfig):
    """Next year's budget as a draft built from the models (allocation model,
    rate model, the staff-hours tool in reverse, other operations indexed with
    PL), adjusted and locked by the consultant, exported for the finance system.

    A sub-app of ``budget`` with its own label and migrations.
    """

    name = "budget.nextyear"
    label = "nextyear"
    verbose_name = "Næste års budget"

    def ready(self) -> None:
        from botilbud.models import Home
        from botilbud.registry import demo_seeder, history_kind, home_tab
        from budget.nextyear.models import BudgetDraft, BudgetDraftLine

        home_tab("Næste år", "nextyear:home", order=25, permission="budget.view_home")
        history_kind(
            "budgetkladde",
            lambda user: BudgetDraft.objects.filter(home__in=Home.objects.visible_to(user)),
            children=[(BudgetDraftLine, "draft_id")],
        )
        history_kind(
            "budgetkladdelinje",
            lambda user: BudgetDraftLine.objects.filter(draft__home__in=Home.objects.visible_to(user)),
        )

        def seed(ctx) -> None:  # noqa: ANN001
            from budget.nextyear.demo import seed as seed_plans

            seed_plans(ctx)

        demo_seeder(46, "medarbejdertimeplaner", seed)
