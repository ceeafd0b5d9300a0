"""The permissions module: the docs table is current, the menu shows exactly what
the rules allow (and each role can open exactly what it is shown), scoped
permissions follow the home or area."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.urls import reverse

from botilbud.context_processors import NAV_ITEMS
from botilbud.models import Role, User
from botilbud.permissions import PERMISSIONS, can, role_table
from botilbud.registry import registry

PERSONAS = ["manager", "area_manager", "consultant", "caseworker", "authority_head", "department_head", "administrator"]


def test_docs_table_is_current():
    call_command("permissions_doc", "--check")


def test_docs_table_has_every_permission_and_role():
    table = role_table()
    for name in PERMISSIONS:
        assert f"| `{name}` |" in table
    for role in Role:
        assert role.label in table


def test_the_question_who_may_approve_a_followup():
    """Answered by reading one entry: the area manager, for homes in the area they lead."""
    rows = [line for line in role_table().splitlines() if line.startswith("| `followup.approve` |")]
    cells = [c.strip() for c in rows[0].split("|")[2:-2]]
    assert cells == ["", "✓ homes in own area", "", "", "", "", ""]


def _menu_labels(body: str) -> list[str]:
    nav = re.search(r'<nav[^>]*aria-label="Hovedmenu"[^>]*>(.*?)</nav>', body, re.S)
    assert nav, "the main menu is missing"
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav.group(1))


@pytest.mark.parametrize("persona", PERSONAS)
def test_menu_shows_exactly_what_the_rules_allow(org, client_for, persona):
    user: User = getattr(org, persona)
    c = client_for(user)
    shown = _menu_labels(c.get("/").content.decode())
    allowed = [label for label, _, perm in NAV_ITEMS if perm is None or can(user, perm)]
    assert shown == allowed
    # ... and the rules are the real access: every entry shown opens, every entry
    # hidden is refused (403/404; the admin site redirects to its login).
    for label, name, _ in NAV_ITEMS:
        status = c.get(reverse(name)).status_code
        if label in shown:
            assert status == 200, (persona, label, status)
        else:
            assert status in (302, 403, 404), (persona, label, status)


# What each role's menu shows (changing a permission changes this on purpose).
EXPECTED_MENU = {
    "manager": "Forside Botilbud Bevillinger Opfølgning Køb_og_salg Takster Afregning Budgetopfølgning",
    "area_manager": "Forside Botilbud Bevillinger Opfølgning Køb_og_salg Takster Afregning Budgetopfølgning Dashboard",
    "consultant": "Forside Botilbud Bevillinger Opfølgning Køb_og_salg Myndighedsprognose Forbrug Budgetår Takster "
    "Afregning Budgetopfølgning Dashboard",
    "caseworker": "Forside Bevillinger Opfølgning Godkendelser Køb_og_salg",
    "authority_head": "Forside Bevillinger Opfølgning Godkendelser Køb_og_salg Myndighedsprognose",
    "department_head": "Forside Botilbud Bevillinger Opfølgning Godkendelser Køb_og_salg Myndighedsprognose Budgetår "
    "Takster Afregning Budgetopfølgning Dashboard",
    "administrator": "Forside Botilbud Bevillinger Opfølgning Godkendelser Køb_og_salg Myndighedsprognose Forbrug "
    "Budgetår Takster Afregning Budgetopfølgning Dashboard Kom_i_gang Databeskyttelse Administration",
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_roles_menu(org, client_for, persona):
    shown = _menu_labels(client_for(getattr(org, persona)).get("/").content.decode())
    assert " ".join(label.replace(" ", "_") for label in shown) == EXPECTED_MENU[persona]


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p not in ("caseworker", "authority_head")])
def test_home_tabs_follow_the_rules(org, client_for, persona):
    user: User = getattr(org, persona)
    body = client_for(user).get(org.home_a.get_absolute_url()).content.decode()
    for tab in registry.home_tabs:
        link = f'href="{reverse(tab.url_name, args=[org.home_a.pk])}"'
        assert (link in body) == (tab.permission is None or can(user, tab.permission)), (persona, tab.label)


def test_scoped_permissions_follow_the_home_and_area(org):
    assert can(org.consultant, "followup.prepare", org.home_a)
    assert not can(org.consultant, "followup.prepare", org.home_c)
    assert can(org.manager, "followup.confirm", org.home_a)
    assert not can(org.other_manager, "followup.confirm", org.home_a)
    assert can(org.area_manager, "followup.approve", org.home_a)
    assert not can(org.area_manager, "followup.approve", org.home_c)
    assert can(org.area_manager, "followup.approve_area", org.area_north)
    assert not can(org.area_manager, "followup.approve_area", org.area_south)
    # The administrator is a Django superuser, yet gets no follow-up approval:
    # the rules ask the predicate, never Django's superuser shortcut.
    assert org.administrator.has_perm("followup.approve")
    assert not can(org.administrator, "followup.approve", org.home_a)
    assert can(org.administrator, "budget.manage_home_budget", org.home_c)
    assert not can(org.consultant, "rates.approve", org.home_c)
    assert not can(org.consultant, "followup.prepare")  # no home: no


def test_inactive_user_has_no_permission(org):
    org.department_head.is_active = False
    assert not can(org.department_head, "budget.decide_correction")


def test_unknown_permission_is_an_error(org):
    with pytest.raises(ImproperlyConfigured):
        can(org.manager, "budget.aprove_everything")
