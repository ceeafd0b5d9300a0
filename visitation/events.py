"""The bridge from visitation to the ledger: explicit domain events.

A placement in an own home that starts, ends or changes package changes the
home's expected income. The visitation services call ``emit`` inside their
transaction; the disponering app registers its handler with ``register`` in
its ``AppConfig.ready()``. No Django signals: the chain is visible here.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from visitation.models import Placement


@dataclass(frozen=True)
class PlacementEvent:
    kind: str  # "start" | "end" | "package_change" | "reprice"
    placement: Placement
    date: datetime.date  # effective date (start date, end date, or date the new package applies)
    old_weekly_hours: Decimal | None
    new_weekly_hours: Decimal | None
    # An end only: the caseworker asked for a manual move-out entry (offered
    # only when the placement has no generated income entry), who asked, and
    # the end the placement had before (its income was budgeted until then).
    manual_move_out: bool = False
    user: Any = None
    previous_end: datetime.date | None = None


START = "start"
END = "end"
PACKAGE_CHANGE = "package_change"
# The prices behind the placement's income changed (the PL index step, a re-approved
# rate): its generated entries are recomputed; the placement itself did not change.
REPRICE = "reprice"

Handler = Callable[[PlacementEvent], None]
_handlers: list[Handler] = []


def register(handler: Handler) -> Handler:
    """Add a handler (idempotent: registering the same function twice is a no-op)."""
    if handler not in _handlers:
        _handlers.append(handler)
    return handler


def unregister(handler: Handler) -> None:
    if handler in _handlers:
        _handlers.remove(handler)


def emit(event: PlacementEvent) -> None:
    """Call every handler with ``event``. Runs inside the caller's transaction,
    so a failing handler rolls the placement change back too."""
    for handler in list(_handlers):
        handler(event)
