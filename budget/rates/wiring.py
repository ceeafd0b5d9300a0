"""What the budget.rates app registers with the shared registries when Django is ready
(``budget.rates.apps``): its home tabs, history kinds, start-page sections, demo seeders and
reference loaders. Its own module so that its imports sit at the top: ``apps.py`` is
imported before the models exist, this module only from ``AppConfig.ready()``.
"""

from __future__ import annotations

from botilbud.dataprotection import register_activity
from botilbud.registry import demo_seeder, history_kind, home_tab, reference_loader
from budget.rates import dataprotection, demo, reference, retention
from budget.rates.indexing import can_index
from budget.rates.models import IndexRun, PriceIndex, RateCalculation
from budget.rates.sales import handle_sale_event
from budget.rates.selectors import approved_rate
from visitation import events, providers
from visitation.retention import register_part


def connect() -> None:
    home_tab(
        "Takst",
        "rates:home_rate",
        order=45,
        permission="rates.view",
    )
    history_kind("takst", lambda user: RateCalculation.objects.visible_to(user))
    history_kind("pl", lambda user: PriceIndex.objects.all())

    def runs_for(user):  # noqa: ANN001, ANN202
        return IndexRun.objects.all() if can_index(user) else IndexRun.objects.none()

    history_kind("fremskrivning", runs_for)
    reference_loader(reference.load_defaults)

    demo_seeder(47, "takster og afregning", demo.seed)

    events.register(handle_sale_event)
    # A sold place is priced at the approved rate; visitation asks through providers.
    providers.provide("approved_rate", approved_rate)
    # Anonymised citizens' case numbers leave the settlement lines (visitation/retention.py).
    register_part(retention.PART)
    # Its part of the record of processing (/databeskyttelse/).
    register_activity("settlement", 20, dataprotection.activity)
