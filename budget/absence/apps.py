from django.apps import AppConfig


class AbsenceConfig(AppConfig):
    """Sickness absence imported from the payroll/HR system (sygefravær).

    A sub-app of ``budget`` with its own label and migrations. The follow-up
    (section 3) and the dashboard read its figures through
    ``budget.absence.selectors``.
    """

    name = "budget.absence"
    label = "absence"
    verbose_name = "Sygefravær"

    def ready(self) -> None:
        from botilbud.permissions import can
        from botilbud.registry import demo_seeder, history_kind, home_tab, reference_loader
        from budget.absence import demo
        from budget.absence.models import AbsenceImport, AbsenceProfile
        from budget.absence.reading import ensure_builtin_profiles

        home_tab("Sygefravær", "absence:home", order=35, permission="budget.view_home")

        def importers(qs):  # noqa: ANN001, ANN202
            return lambda user: qs.all() if can(user, "absence.import") else qs.none()

        history_kind("fravaersprofil", importers(AbsenceProfile.objects))
        history_kind("fravaersimport", importers(AbsenceImport.objects))
        demo_seeder(35, "sygefravær fra lønsystemet", demo.seed)

        def load_profiles() -> None:
            ensure_builtin_profiles()

        reference_loader(load_profiles)
