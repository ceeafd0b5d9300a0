from django.apps import AppConfig


class VisitationConfig(AppConfig):
    name = "visitation"
    verbose_name = "Visitation"

    def ready(self) -> None:
        from botilbud.models import Role
        from botilbud.registry import demo_seeder, history_kind, reference_loader, start_section
        from visitation import demo, reference, views
        from visitation.models import Citizen, Offer, Placement

        start_section(
            [Role.CASEWORKER, Role.AUTHORITY_HEAD],
            "visitation/_start_section.html",
            views.start_section_context,
            order=10,
        )
        history_kind("bevilling", lambda user: Placement.objects.visible_to(user))
        history_kind(
            "borger",
            lambda user: (
                Citizen.objects.filter(pk__in=Placement.objects.visible_to(user).values("citizen_id"))
                if user.role in (Role.CASEWORKER, Role.AUTHORITY_HEAD, Role.DEPARTMENT_HEAD, Role.ADMIN)
                else Citizen.objects.none()
            ),
        )
        history_kind(
            "tilbud",
            lambda user: Offer.objects.all() if user.is_authenticated and user.is_active else Offer.objects.none(),
        )
        demo_seeder(20, "visitation", demo.seed)
        reference_loader(reference.load_defaults)
