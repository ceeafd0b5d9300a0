from django.apps import AppConfig


class RatesConfig(AppConfig):
    """Rates (takster) of own homes, settlement with other municipalities,
    central refusion of very expensive cases and the price index (PL).

    A sub-app of ``budget`` with its own label and migrations.
    """

    name = "budget.rates"
    label = "rates"
    verbose_name = "Takster og mellemkommunal afregning"

    def ready(self) -> None:
        from botilbud.registry import demo_seeder, history_kind, home_tab, reference_loader
        from budget.rates import reference
        from budget.rates.models import IndexRun, PriceIndex, RateCalculation

        home_tab(
            "Takst",
            "rates:home_rate",
            order=45,
            permission="rates.view",
        )
        history_kind("takst", lambda user: RateCalculation.objects.visible_to(user))
        history_kind("pl", lambda user: PriceIndex.objects.all())

        def runs_for(user):  # noqa: ANN001, ANN202
            from budget.rates.indexing import can_index

            return IndexRun.objects.all() if can_index(user) else IndexRun.objects.none()

        history_kind("fremskrivning", runs_for)
        reference_loader(reference.load_defaults)
        from budget.rates import demo

        demo_seeder(47, "takster og afregning", demo.seed)

        from budget.rates.sales import handle_sale_event
        from budget.rates.selectors import approved_rate
        from visitation import events, providers

        events.register(handle_sale_event)
        # A sold place is priced at the approved rate; visitation asks through providers.
        providers.provide("approved_rate", approved_rate)
