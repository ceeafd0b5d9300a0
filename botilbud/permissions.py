"""Who may do what in Botilbud: every role rule, in this one file.

Two questions decide every request:

1. **Which rows may the user see?** That is *scoping*, and it stays on the
   querysets: ``Home.objects.visible_to(user)``, ``Home.objects.writable_by(user)``,
   ``Placement.objects.visible_to(user)``. Another home's URL gives 404
   (``botilbud.access.get_home_for_user``).
2. **What may the user's role do?** That is a *permission*, named
   ``app.verb_noun`` and defined below as a `rules` predicate over the user's
   role and, where it says so, over the home or area the action is about.
   Views (``require``/``permission_required``), services (``can``), the menu
   (``botilbud/context_processors.py``), the home tabs and the templates
   (``{% if can.budget.import_actuals %}``) all ask these names; none of them
   lists roles itself.

The table of roles × permissions is ``docs/permissions.md``, written from this
file by ``manage.py permissions_doc`` (a test fails when it is out of date).

Why a rule set of our own names and not Django's ``user.has_perm``: the
administrator is a Django superuser (for the admin site), and Django answers
``has_perm`` with yes for a superuser before it asks any backend, so an
administrator would get every permission here, approving a follow-up included.
``rules.test_rule`` asks only the predicate.

Example: "who may approve a follow-up?" Find ``followup.approve`` below: the
area manager who leads the home's area (the follow-up service adds: while the
follow-up is at the area manager's step).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

import rules
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404

from botilbud.models import Area, Home, Role, User

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

# --- Roles --------------------------------------------------------------------------------


def _role(role: Role) -> rules.Predicate:
    @rules.predicate(name=role.value)
    def has_role(user: User) -> bool:
        return bool(getattr(user, "is_authenticated", False) and user.is_active and user.role == role)

    return has_role


is_home_manager = _role(Role.HOME_MANAGER)
is_area_manager = _role(Role.AREA_MANAGER)
is_consultant = _role(Role.CONSULTANT)
is_caseworker = _role(Role.CASEWORKER)
is_authority_head = _role(Role.AUTHORITY_HEAD)
is_department_head = _role(Role.DEPARTMENT_HEAD)
is_administrator = _role(Role.ADMIN)

# The authority (myndighed) works with citizens and placements, never with the
# homes' budgets and wage lines; everybody else works on the home side.
is_authority = is_caseworker | is_authority_head
is_home_side = is_home_manager | is_area_manager | is_consultant | is_department_head | is_administrator
is_anybody = is_authority | is_home_side


# --- Scope: the home or area an action is about ------------------------------------------------
# Each takes the object the view already fetched through its scoped queryset.


@rules.predicate
def manages_home(user: User, home: Home | None) -> bool:
    return home is not None and home.managers.filter(pk=user.pk).exists()


@rules.predicate
def consults_home(user: User, home: Home | None) -> bool:
    return home is not None and home.consultants.filter(pk=user.pk).exists()


@rules.predicate
def leads_home_area(user: User, home: Home | None) -> bool:
    return home is not None and home.area.managers.filter(pk=user.pk).exists()


@rules.predicate
def leads_area(user: User, area: Area | None) -> bool:
    return area is not None and area.managers.filter(pk=user.pk).exists()


# --- The permissions ------------------------------------------------------------------------


@dataclass(frozen=True)
class Permission:
    name: str
    roles: rules.Predicate  # who, by role alone (what the menu and the docs table show)
    description: str
    scope: rules.Predicate | None = None  # and, about which home/area (None: any it sees)
    scope_label: str = ""  # how the docs table qualifies the role's tick

    @property
    def predicate(self) -> rules.Predicate:
        return self.roles & self.scope if self.scope is not None else self.roles


PERMISSIONS: dict[str, Permission] = {}


def _define(
    name: str,
    roles: rules.Predicate,
    description: str,
    *,
    scope: rules.Predicate | None = None,
    scope_label: str = "",
) -> None:
    perm = Permission(name, roles, description, scope, scope_label)
    PERMISSIONS[name] = perm
    rules.set_rule(name, perm.predicate)


# Project: homes, users, administration.
_define("botilbud.view_homes", is_home_side, "See the list of homes and a home's page (scoped to own homes).")
_define("botilbud.view_all_imports", is_administrator, "See every user's imports, not just one's own.")
_define("botilbud.view_user_access", is_administrator, "See one user's access history.")
_define(
    "botilbud.view_data_protection",
    is_administrator,
    "See the record of processing (GDPR art. 30) and the retention job's dry run and runs.",
)
_define("botilbud.use_admin", is_administrator, "Open the Django admin site.")

# Visitation: placements, the authority's work.
_define("visitation.view_placements", is_anybody, "See placements (home side: those in own homes, initials only).")
_define("visitation.view_worklist", is_anybody, "See the follow-ups of placements that fall due.")
_define("visitation.view_purchases_sales", is_anybody, "See purchases and sales of places (scoped).")
_define(
    "visitation.view_approval_queue",
    is_authority | is_department_head | is_administrator,
    "See the approval queue of proposed placements.",
)
_define(
    "visitation.manage_placements",
    is_authority,
    "Create and change placements, change a package, end a placement, record a follow-up.",
)
_define(
    "visitation.record_committee_decision",
    is_authority_head | is_administrator,
    "Record a committee's (visitationsudvalg, political) decision on a placement.",
)
_define(
    "visitation.view_all_placements",
    is_authority | is_department_head | is_administrator,
    "See every placement, offer and citizen, with case numbers (others: own homes' placements, initials only).",
)

# Budget: budgets, actuals, corrections, years, the authority forecast.
_define("budget.view_home", is_home_side, "See a home's budget, staff hours, allocation model and ledger tabs.")
_define(
    "budget.manage_home_budget",
    is_administrator | is_consultant,
    "Own a home's budget: register corrections, reallocate.",
    scope=is_administrator | consults_home,
    scope_label="own homes",
)
_define(
    "budget.edit_staffing",
    is_administrator | is_consultant | is_home_manager,
    "Edit a home's staff-hours plan.",
    scope=is_administrator | consults_home | manages_home,
    scope_label="own homes",
)
_define("budget.import_actuals", is_consultant | is_administrator, "Import actuals and the original budget.")
_define(
    "absence.import",
    is_consultant | is_administrator,
    "Import sickness absence from the payroll system and set up its import profiles.",
)
_define(
    "budget.manage_any_home",
    is_administrator,
    "Import for and reallocate to every home (a consultant: own homes only).",
)
_define(
    "budget.view_correction_queue",
    is_consultant | is_department_head | is_administrator,
    "See the queue of budget corrections that await a decision.",
)
_define(
    "budget.decide_correction",
    is_department_head | is_administrator,
    "Approve or reject a supplementary appropriation, reallocation or transfer.",
)
_define(
    "budget.view_years",
    is_consultant | is_department_head | is_administrator,
    "See budget years and their year-end.",
)
_define("budget.close_year", is_consultant | is_administrator, "Close and reopen a budget year.")
_define("budget.approve_carry_over", is_department_head | is_administrator, "Approve a home's carry-over.")
_define(
    "budget.view_authority_forecast",
    is_authority_head | is_department_head | is_consultant | is_administrator,
    "See the authority's forecast per paragraph and provider type.",
)
_define(
    "budget.view_next_year_overview",
    is_consultant | is_department_head | is_area_manager | is_administrator,
    "See next year's budget drafts of all homes one sees, with their status.",
)
_define(
    "budget.draft_next_year",
    is_consultant | is_administrator,
    "Compute next year's budget draft from the models, adjust its lines and lock it.",
    scope=is_administrator | consults_home,
    scope_label="own homes",
)
_define(
    "budget.export_next_year",
    is_consultant | is_department_head | is_administrator,
    "Export the locked budgets in the finance system's budget-import layout (homes one sees).",
)
_define("budget.edit_baselines", is_administrator, "Edit and freeze the authority forecast's baselines.")
_define(
    "budget.view_finance_setup",
    is_consultant | is_administrator,
    "See the history of the chart of accounts, account groups and import profiles.",
)

# Budget follow-up: consultant prepares → manager confirms → area manager approves → department head.
_define("followup.view", is_home_side, "See the budget follow-up rounds (of own homes).")
_define(
    "followup.prepare",
    is_consultant,
    "Prepare a home's follow-up.",
    scope=consults_home,
    scope_label="own homes",
)
_define(
    "followup.confirm",
    is_home_manager,
    "Confirm a home's follow-up.",
    scope=manages_home,
    scope_label="own homes",
)
_define(
    "followup.approve",
    is_area_manager,
    "Approve a home's follow-up (or send it back), freezing its numbers.",
    scope=leads_home_area,
    scope_label="homes in own area",
)
_define(
    "followup.approve_area",
    is_area_manager,
    "Approve an area's roll-up.",
    scope=leads_area,
    scope_label="own area",
)
_define("followup.view_department", is_department_head | is_administrator, "See the department's roll-up.")
_define("followup.approve_department", is_department_head, "Approve the department's roll-up.")

# Management information.
_define(
    "dashboard.view",
    is_department_head | is_administrator | is_area_manager | is_consultant,
    "See the dashboard with drill-down (scoped to own homes).",
)
_define(
    "dashboard.view_department",
    is_department_head | is_administrator,
    "See the dashboard as the whole department (others: their own homes).",
)

# Rates and settlement.
_define("rates.view", is_home_side, "See rates and settlements (of own homes).")
_define(
    "rates.edit",
    is_consultant | is_administrator,
    "Calculate a home's rate and send settlement statements.",
    scope=is_administrator | consults_home,
    scope_label="own homes",
)
_define(
    "rates.approve",
    is_consultant | is_administrator,
    "Approve and lock a home's rate.",
    scope=is_administrator | consults_home,
    scope_label="own homes",
)

_define(
    "rates.edit_price_index",
    is_consultant | is_administrator,
    "Edit KL's price and wage index (PL-skøn) per year.",
)
_define(
    "rates.index",
    is_consultant | is_administrator,
    "Index next year's prices with PL (preview, confirm, undo) for the homes one sees.",
)
_define(
    "rates.index_municipality",
    is_administrator,
    "Index the municipality-wide prices too: refusion thresholds, external offers and placements.",
)

# Onboarding a municipality.
_define("onboarding.use", is_administrator, "Onboard the municipality: organisation, users, placements.")


# --- Asking -------------------------------------------------------------------------------------


def can(user: Any, name: str, obj: Any = None) -> bool:
    """May ``user`` do ``name`` (about ``obj``, a home or area, where the permission has a scope)?"""
    if name not in PERMISSIONS:
        raise ImproperlyConfigured(f"Unknown permission {name!r}: define it in botilbud/permissions.py.")
    return bool(rules.test_rule(name, user, obj))


def require(user: Any, name: str, obj: Any = None, *, not_found: bool = False) -> None:
    """Raise 403 (or 404 where the page must not admit it exists) unless ``can``."""
    if not can(user, name, obj):
        if not_found:
            raise Http404("Siden findes ikke, eller du har ikke adgang til den.")
        raise PermissionDenied("Din rolle giver ikke adgang til denne side.")


F = TypeVar("F", bound=Callable[..., "HttpResponse"])


def permission_required(name: str, *, not_found: bool = False) -> Callable[[F], F]:
    """A view decorator (below ``@login_required``): ``require(request.user, name)``."""
    if name not in PERMISSIONS:
        raise ImproperlyConfigured(f"Unknown permission {name!r}: define it in botilbud/permissions.py.")

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            require(request.user, name, not_found=not_found)
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]  # wraps() keeps the signature F describes

    return decorator


class _AppPermissions:
    def __init__(self, user: Any, app: str) -> None:
        self.user, self.app = user, app

    def __getitem__(self, verb: str) -> bool:
        return can(self.user, f"{self.app}.{verb}")


class TemplatePermissions:
    """``{% if can.budget.import_actuals %}`` in templates (role-only permissions;
    pass a view's scoped answer as a context flag). A misspelt name raises, so a
    typo cannot silently hide a link."""

    def __init__(self, user: Any) -> None:
        self.user = user

    def __getitem__(self, app: str) -> _AppPermissions:
        if not any(name.startswith(f"{app}.") for name in PERMISSIONS):
            raise ImproperlyConfigured(f"No permissions for app {app!r} in botilbud/permissions.py.")
        return _AppPermissions(self.user, app)


# --- The docs table -------------------------------------------------------------------------------


def role_table() -> str:
    """docs/permissions.md: which role has which permission (by role; scope noted)."""
    roles = list(Role)
    lines = [
        "# Permissions: who may do what",
        "",
        "Generated from `botilbud/permissions.py` by `python manage.py permissions_doc`;",
        "`tests/test_permissions.py` fails when this file is out of date. Do not edit by hand.",
        "",
        "✓ = the role has the permission for every home it sees (scoping by",
        "`Home.objects.visible_to` still applies); a note = only for those homes or areas.",
        "",
        "| permission | " + " | ".join(r.label for r in roles) + " | what |",
        "|---|" + "---|" * len(roles) + "---|",
    ]
    for perm in PERMISSIONS.values():
        cells = []
        for role in roles:
            who = User(role=role, is_active=True)
            if not perm.roles.test(who):
                cells.append("")
            elif perm.scope is not None and not _scope_is_everything(perm, who):
                cells.append(f"✓ {perm.scope_label}")
            else:
                cells.append("✓")
        lines.append(f"| `{perm.name}` | " + " | ".join(cells) + f" | {perm.description} |")
    return "\n".join(lines) + "\n"


def _scope_is_everything(perm: Permission, user: User) -> bool:
    """True when the role passes the scope without any object (the administrator's
    ``is_administrator | consults_home``): no database needed."""
    assert perm.scope is not None
    return bool(perm.scope.test(user, None))
