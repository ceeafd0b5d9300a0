"""The onboarding import kinds, by their URL slug (``ImportKind`` values)."""

from __future__ import annotations

from onboarding.framework import ImportKindSpec
from onboarding.kinds.budget import BUDGET_KIND
from onboarding.kinds.organisation import ORGANISATION
from onboarding.kinds.placements import PLACEMENTS
from onboarding.kinds.users import USERS


def all_kinds() -> dict[str, ImportKindSpec]:
    kinds: list[ImportKindSpec] = [ORGANISATION, USERS, BUDGET_KIND, PLACEMENTS]
    return {k.kind: k for k in kinds}


def get_kind(slug: str) -> ImportKindSpec | None:
    return all_kinds().get(slug)
