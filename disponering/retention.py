"""Retention of the ledger's citizen data (visitation/retention.py's rule).

An entry generated from a placement of a citizen who is anonymised keeps its
amount, dates and account group, and loses the citizen's initials in its
title (in the audit trail too) and its comment. Registered as a
``RetentionPart`` in ``disponering/wiring.py``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Sum

from disponering.models import LedgerEntry
from visitation.retention import Anonymised, RetentionPart, events_of, scrub, without_initials


def count(citizen_pks: list[int]) -> dict[int, dict[str, Any]]:
    """The dry run: per citizen, the generated entries and their amount (kept as it is)."""
    return {
        row["placement__citizen_id"]: {"ledger_entries": row["n"], "ledger_amount": row["amount"]}
        for row in LedgerEntry.objects.filter(placement__citizen_id__in=citizen_pks)
        .values("placement__citizen_id")
        .annotate(n=Count("pk"), amount=Sum("amount"))
    }


def anonymise(citizen: Anonymised) -> dict[str, int]:
    entries = list(LedgerEntry.objects.filter(placement_id__in=citizen.placement_pks).only("pk", "title"))
    for entry in entries:
        scrub(LedgerEntry, [entry.pk], title=without_initials(entry.title, citizen.initials), comment="")
    for event_model in events_of(LedgerEntry):
        events = event_model._default_manager.filter(pgh_obj_id__in=[e.pk for e in entries]).values_list("pk", "title")
        for pk, title in events:
            event_model._default_manager.filter(pk=pk).update(
                title=without_initials(title, citizen.initials), comment=""
            )
    return {"ledger_entries": len(entries)}


PART = RetentionPart(name="disponering", count=count, anonymise=anonymise)
