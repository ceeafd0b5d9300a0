"""What visitation asks of the apps above it, without importing them.

Data flows botilbud ← visitation ← disponering ← budget (an import-linter
contract in pyproject.toml): visitation must not import disponering or
budget. Two questions of a placement page are answered up there, so those
apps plug the answer in here from their ``AppConfig.ready()``, like the
placement events of ``visitation.events``:

- ``approved_rate(home_id, year, package)``: the home's approved rate for the
  package's level (a sold place is priced at it). Provided by ``budget.rates``.
- ``income_consequence(home_id, old_weekly_hours=, new_weekly_hours=, from_date=)``:
  the own home's income change of a package change, as template context.
  Provided by ``disponering``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured


class Rate(Protocol):
    annual: Decimal


RateProvider = Callable[[int, int, Any], Rate | None]
ConsequenceProvider = Callable[..., dict[str, Any]]

_providers: dict[str, Callable[..., Any]] = {}


def provide(name: str, func: Callable[..., Any]) -> None:
    """Register the function that answers ``name`` (called from an AppConfig.ready())."""
    _providers[name] = func


def _get(name: str) -> Callable[..., Any]:
    try:
        return _providers[name]
    except KeyError:
        raise ImproperlyConfigured(f"Nothing provides visitation's {name!r}: is its app installed?") from None


def approved_rate(home_id: int, year: int, package: Any) -> Rate | None:
    result: Rate | None = _get("approved_rate")(home_id, year, package)
    return result


def income_consequence(
    home_id: int, *, old_weekly_hours: Decimal, new_weekly_hours: Decimal, from_date: dt.date
) -> dict[str, Any]:
    result: dict[str, Any] = _get("income_consequence")(
        home_id, old_weekly_hours=old_weekly_hours, new_weekly_hours=new_weekly_hours, from_date=from_date
    )
    return result
