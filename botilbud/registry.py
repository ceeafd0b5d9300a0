"""Extension points the three domain apps plug into from ``AppConfig.ready()``.

Keeping them here means a new feature adds its own start-page section, home
tab, audited model or demo data without editing the project package:

- ``start_section(roles, template, context, order)``: a block on the start page;
- ``home_tab(label, url_name, order, permission)``: a tab on a home's page,
  shown when the named permission (``botilbud/permissions.py``) allows;
- ``history_kind(slug, queryset_for_user)``: an object's audit trail at
  ``/historik/<slug>/<pk>/``, scoped by the given queryset function;
- ``demo_seeder(order, func)``: a step in ``manage.py seed_demo``;
- ``reference_loader(func)``: loads an app's default reference data
  idempotently (the same defaults its data migration writes); tests that
  flush the database (live-server browser tests) reload it with
  ``load_reference_data()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from botilbud.http import AuthenticatedHttpRequest
from botilbud.permissions import can


@dataclass(frozen=True)
class StartSection:
    roles: frozenset[str]
    template: str
    context: Callable[[AuthenticatedHttpRequest], dict[str, Any]]
    order: int = 100


@dataclass(frozen=True)
class HomeTab:
    label: str
    url_name: str
    order: int = 100
    permission: str | None = None  # None: everybody who sees the home


@dataclass
class Registry:
    start_sections: list[StartSection] = field(default_factory=list)
    home_tabs: list[HomeTab] = field(default_factory=list)
    history_kinds: dict[str, Callable[[Any], QuerySet]] = field(default_factory=dict)
    # Dependent models whose events (deletes too) show in the parent's trail.
    history_children: dict[str, list[tuple[type, str]]] = field(default_factory=dict)
    demo_seeders: list[tuple[int, str, Callable[..., None]]] = field(default_factory=list)
    reference_loaders: list[Callable[[], object]] = field(default_factory=list)


registry = Registry()


def start_section(
    roles: Iterable[str], template: str, context: Callable[[AuthenticatedHttpRequest], dict[str, Any]], order: int = 100
) -> None:
    registry.start_sections.append(StartSection(frozenset(roles), template, context, order))
    registry.start_sections.sort(key=lambda s: s.order)


def home_tab(label: str, url_name: str, order: int = 100, permission: str | None = None) -> None:
    registry.home_tabs.append(HomeTab(label, url_name, order, permission))
    registry.home_tabs.sort(key=lambda t: t.order)


def home_tabs_for(user: Any) -> list[HomeTab]:
    """The tabs of a home's page that ``user`` is shown."""
    return [t for t in registry.home_tabs if t.permission is None or can(user, t.permission)]


def history_kind(
    slug: str, queryset_for_user: Callable[[Any], QuerySet], children: list[tuple[type, str]] | None = None
) -> None:
    """``children``: ``[(ChildModel, "parent_fk_attname")]`` whose events,
    deletes included, appear in the parent's trail (an action-plan item)."""
    registry.history_kinds[slug] = queryset_for_user
    if children:
        registry.history_children[slug] = children


def demo_seeder(order: int, name: str, func: Callable[..., None]) -> None:
    registry.demo_seeders.append((order, name, func))
    registry.demo_seeders.sort(key=lambda s: s[0])


def reference_loader(func: Callable[[], object]) -> Callable[[], object]:
    registry.reference_loaders.append(func)
    return func


def load_reference_data() -> None:
    for loader in registry.reference_loaders:
        loader()
