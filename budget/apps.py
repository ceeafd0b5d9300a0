from django.apps import AppConfig


class BudgetConfig(AppConfig):
    name = "budget"
    verbose_name = "Budget"

    def ready(self) -> None:
        from botilbud.models import Home, Role
        from botilbud.permissions import can
        from botilbud.registry import demo_seeder, history_kind, home_tab, reference_loader, start_section

        home_tab("Budget", "budget:home_budget", order=20, permission="budget.view_home")
        home_tab("Medarbejdertimer", "budget:staffing", order=30, permission="budget.view_home")
        home_tab("Tildelingsmodel", "budget:allocation", order=40, permission="budget.view_home")

        import datetime as dt

        start_section(
            [Role.AUTHORITY_HEAD, Role.DEPARTMENT_HEAD],
            "budget/_start_authority.html",
            lambda request: {"year": dt.date.today().year},
            order=60,
        )

        from budget.models import (
            Account,
            BudgetCorrection,
            BudgetLine,
            CarryOver,
            CostCentre,
            GroupDefinition,
            StaffingPlan,
            YearEnd,
        )

        def finance_staff(qs):  # noqa: ANN001, ANN202
            return lambda user: qs.all() if can(user, "budget.view_finance_setup") else qs.none()

        history_kind("kontokobling", finance_staff(Account.objects))
        history_kind("kontogruppe", finance_staff(GroupDefinition.objects))
        from budget.models import ImportProfile

        history_kind("importprofil", finance_staff(ImportProfile.objects))
        history_kind("omkostningssted", lambda user: CostCentre.objects.filter(home__in=Home.objects.visible_to(user)))
        history_kind("budgetlinje", lambda user: BudgetLine.objects.filter(home__in=Home.objects.visible_to(user)))
        history_kind(
            "budgetkorrektion",
            lambda user: BudgetCorrection.objects.filter(line__home__in=Home.objects.visible_to(user)),
        )
        history_kind(
            "aarsafslutning",
            lambda user: YearEnd.objects.all() if can(user, "budget.view_years") else YearEnd.objects.none(),
        )
        history_kind("overfoersel", lambda user: CarryOver.objects.filter(home__in=Home.objects.visible_to(user)))
        from budget.models import StaffGroup

        history_kind(
            "medarbejdertimeplan",
            lambda user: StaffingPlan.objects.filter(home__in=Home.objects.visible_to(user)),
            children=[(StaffGroup, "plan_id")],
        )

        def seed(ctx) -> None:  # noqa: ANN001
            from budget.demo import seed_budget

            seed_budget(ctx)

        demo_seeder(40, "budget", seed)

        def seed_year_ends(ctx) -> None:  # noqa: ANN001
            from budget.demo import seed_year_ends as seed_ends

            seed_ends(ctx)

        demo_seeder(45, "årsafslutning", seed_year_ends)

        def load_accounts() -> None:
            from budget.chart import ensure_default_accounts

            ensure_default_accounts()
            from budget.profiles import ensure_builtin_profiles

            ensure_builtin_profiles()

        reference_loader(load_accounts)
