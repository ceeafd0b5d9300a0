"""Retention of the settlement statements' citizen data (visitation/retention.py's rule).

A sent statement keeps every amount and day count; the lines of an
anonymised citizen's placements get the anonymous case number and initials.
Registered as a ``RetentionPart`` in ``budget/rates/wiring.py``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from budget.rates.models import StatementLine
from visitation.retention import ANONYMOUS_INITIALS, Anonymised, RetentionPart, anonymous_case_number


def count(citizen_pks: list[int]) -> dict[int, dict[str, Any]]:
    """The dry run: per citizen, the settlement lines."""
    return {
        citizen_pk: {"statement_lines": n}
        for citizen_pk, n in StatementLine.objects.filter(placement__citizen_id__in=citizen_pks)
        .values("placement__citizen_id")
        .annotate(n=Count("pk"))
        .values_list("placement__citizen_id", "n")
    }


def anonymise(citizen: Anonymised) -> dict[str, int]:
    lines = StatementLine.objects.filter(placement_id__in=citizen.placement_pks).update(
        case_number=anonymous_case_number(citizen.citizen_pk), initials=ANONYMOUS_INITIALS
    )
    return {"statement_lines": lines}


PART = RetentionPart(name="settlement", count=count, anonymise=anonymise)
