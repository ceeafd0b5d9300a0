"""Visitation's default reference data (the seeds' values), loaded idempotently.

The data migration ``0002_defaults`` writes the same values; this loader lets
tests that flush the database (live-server browser tests) put them back.
"""

from __future__ import annotations

from decimal import Decimal

from botilbud.models import Paragraph
from visitation.models import CompetenceThreshold, FollowUpRule, SupportPackage

THRESHOLDS = [
    # (level, scope, max_amount included; None = no upper limit)
    ("sagsbehandler", "alle", Decimal("110000.00")),
    ("myndighedsleder", "alle", Decimal("415000.00")),
    ("visitationsudvalg", "alle", Decimal("1000000.00")),
    ("politisk", "alle", None),
    ("visitationsudvalg", "eksterne", None),
]

RULES = [
    # (paragraph code, first after months, then every months)
    ("§85", 3, 3),
    ("§105+§85", 3, 3),
    ("§107", 3, 12),
    ("§108", 3, 24),
]

PACKAGES = [
    ("Pakke 1 – let støtte", Decimal("2.00"), 10),
    ("Pakke 2", Decimal("4.00"), 20),
    ("Pakke 3", Decimal("6.00"), 30),
    ("Pakke 4", Decimal("9.00"), 40),
    ("Pakke 5", Decimal("12.00"), 50),
    ("Pakke 6 – massiv støtte", Decimal("15.00"), 60),
    ("Døgnpakke A", Decimal("25.00"), 70),
    ("Døgnpakke B", Decimal("38.00"), 80),
]


def load_defaults() -> None:
    if not CompetenceThreshold.objects.exists():
        CompetenceThreshold.objects.bulk_create(
            [CompetenceThreshold(level=lv, scope=sc, max_amount=amt) for lv, sc, amt in THRESHOLDS]
        )
    paragraphs = {p.code: p for p in Paragraph.objects.all()}
    for code, first, every in RULES:
        if code in paragraphs:
            FollowUpRule.objects.get_or_create(
                paragraph=paragraphs[code], defaults={"first_after_months": first, "then_every_months": every}
            )
    for name, hours, order in PACKAGES:
        SupportPackage.objects.get_or_create(name=name, defaults={"weekly_hours": hours, "sort_order": order})
