"""Default reference data of the rates app, loaded idempotently (data migration
and test reload): the refusion tiers for very expensive cases.

The tiers are set by law each year and indexed; these are the seeds'
defaults, which the administrator checks against the year's rules and edits.
"""

from __future__ import annotations

from decimal import Decimal

REFUSION_TIERS = [
    # (year, threshold kr. a year, share of the cost above it in %)
    (2025, Decimal("1150000.00"), Decimal("25.00")),
    (2025, Decimal("2145000.00"), Decimal("50.00")),
    (2026, Decimal("1180000.00"), Decimal("25.00")),
    (2026, Decimal("2200000.00"), Decimal("50.00")),
]


def load_tiers(apps=None) -> None:  # noqa: ANN001
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    RefusionTier = apps.get_model("rates", "RefusionTier")
    for year, threshold, share in REFUSION_TIERS:
        RefusionTier.objects.get_or_create(year=year, threshold=threshold, defaults={"share_pct": share})


def load_defaults() -> None:
    from budget.rates.models import RateSettings

    RateSettings.load()
    load_tiers()
