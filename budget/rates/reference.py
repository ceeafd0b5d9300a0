"""Default reference data of the rates app, loaded idempotently (data migration
and test reload): KL's price and wage index and the refusion tiers for very
expensive cases. Both are edited in the app afterwards (audited).

Where the figures come from, and how sure they are:

- **PL (``PRICE_INDEX``)**: KL's "Pris- og lønskøn til brug for
  budgetlægningen" (kl.dk), the service expenditure in total, development from
  the year before. KL revises its figures each June and autumn; the values
  below are approximations of KL's published figures that could not be checked
  against KL's own table from this environment, so every row is shipped as
  *not confirmed* (``confirmed=False``). The consultant checks them against
  KL's latest table and confirms or corrects them on ``/takster/pl/``.
- **Refusion tiers (``REFUSION_TIERS``)**: the law text, Serviceloven § 176,
  stk. 1: 25 % above 860.000 kr., 50 % above 1.680.000 kr. and 75 % above
  2.120.000 kr. a year, all at 2022 level ("2022-niveau"). The thresholds are
  regulated each year; Social- og Boligministeriet publishes the year's
  amounts, which could not be looked up here. So 2022 is the law's figures, and
  2023–2026 are the 2022 level indexed with the PL below (rounded to øre),
  marked as *calculated, not confirmed*. The administrator replaces them with
  the ministry's amounts when known. The age rule's continuation for citizens
  covered just before turning 67 (§ 176, stk. 3) is not modelled.
"""

from __future__ import annotations

from decimal import Decimal

from django.apps import apps as global_apps

from budget.rates.models import RateSettings

KL_SOURCE = (
    "KL: Pris- og lønskøn til brug for budgetlægningen (kl.dk), serviceudgifter i alt. "
    "Tilnærmet værdi, ikke kontrolleret mod KL's tabel: kontrollér og bekræft."
)
# (year, PL in total %, of which wages %, of which prices %): development from year − 1.
PRICE_INDEX = [
    (2023, Decimal("4.60"), None, None),
    (2024, Decimal("4.40"), None, None),
    (2025, Decimal("3.30"), None, None),
    (2026, Decimal("2.90"), None, None),
    (2027, Decimal("2.90"), None, None),
]

LAW_SOURCE = "Serviceloven § 176, stk. 1 (2022-niveau): lovens beløb."
CALCULATED_SOURCE = (
    "Beregnet: 2022-niveau fremskrevet med PL-skønnet. Ikke bekræftet mod Social- og Boligministeriets satser for året."
)
REFUSION_TIERS = [
    # (year, threshold kr. a year, share of the cost above it in %, source)
    (2022, Decimal("860000.00"), Decimal("25.00"), LAW_SOURCE),
    (2022, Decimal("1680000.00"), Decimal("50.00"), LAW_SOURCE),
    (2022, Decimal("2120000.00"), Decimal("75.00"), LAW_SOURCE),
    (2023, Decimal("899560.00"), Decimal("25.00"), CALCULATED_SOURCE),
    (2023, Decimal("1757280.00"), Decimal("50.00"), CALCULATED_SOURCE),
    (2023, Decimal("2217520.00"), Decimal("75.00"), CALCULATED_SOURCE),
    (2024, Decimal("939140.64"), Decimal("25.00"), CALCULATED_SOURCE),
    (2024, Decimal("1834600.32"), Decimal("50.00"), CALCULATED_SOURCE),
    (2024, Decimal("2315090.88"), Decimal("75.00"), CALCULATED_SOURCE),
    (2025, Decimal("970132.28"), Decimal("25.00"), CALCULATED_SOURCE),
    (2025, Decimal("1895142.13"), Decimal("50.00"), CALCULATED_SOURCE),
    (2025, Decimal("2391488.88"), Decimal("75.00"), CALCULATED_SOURCE),
    (2026, Decimal("998266.12"), Decimal("25.00"), CALCULATED_SOURCE),
    (2026, Decimal("1950101.25"), Decimal("50.00"), CALCULATED_SOURCE),
    (2026, Decimal("2460842.06"), Decimal("75.00"), CALCULATED_SOURCE),
]
# The first version's placeholder tiers: removed if nobody has edited them.
PLACEHOLDER_TIERS = [
    (2025, Decimal("1150000.00"), Decimal("25.00")),
    (2025, Decimal("2145000.00"), Decimal("50.00")),
    (2026, Decimal("1180000.00"), Decimal("25.00")),
    (2026, Decimal("2200000.00"), Decimal("50.00")),
]


def _apps(apps):  # noqa: ANN001, ANN202
    if apps is None:
        return global_apps
    return apps


def load_tiers(apps=None) -> None:  # noqa: ANN001
    RefusionTier = _apps(apps).get_model("rates", "RefusionTier")
    for year, threshold, share in PLACEHOLDER_TIERS:
        RefusionTier.objects.filter(year=year, threshold=threshold, share_pct=share, version=1, source="").delete()
    for year, threshold, share, source in REFUSION_TIERS:
        RefusionTier.objects.get_or_create(
            year=year, threshold=threshold, defaults={"share_pct": share, "source": source}
        )


def load_price_index(apps=None) -> None:  # noqa: ANN001
    PriceIndex = _apps(apps).get_model("rates", "PriceIndex")
    for year, pl, wage, price in PRICE_INDEX:
        PriceIndex.objects.get_or_create(
            year=year, defaults={"pl_pct": pl, "wage_pct": wage, "price_pct": price, "source": KL_SOURCE}
        )


def load_defaults() -> None:
    RateSettings.load()
    load_tiers()
    load_price_index()
