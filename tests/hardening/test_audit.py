"""The complete audit trail: deletes, access grants ("Adgang"), child objects."""

import datetime as dt
from decimal import Decimal

import pghistory
import pytest

from botilbud.lib.history import access_history, object_history
from botilbud.models import HourPrice, Paragraph
from budget.followup import services
from budget.followup.models import Action
from tests.followup.conftest import make_march
from visitation.models import Offer, Provider


def _fu(org):
    march = make_march(org)
    fu = services.followups_for_round(round_=march, homes=[org.home_a])[0]
    fu = services.followup_prepare(followup=fu, user=org.consultant, note="", seen_version=fu.version)
    return march, fu


def test_deleted_action_plan_item_shows_in_the_followup_history(org, client_for):
    march, fu = _fu(org)
    action = services.action_add(
        followup=fu,
        user=org.manager,
        description="Stop for eksterne vikarer",
        owner="Leder",
        deadline=dt.date(2026, 5, 1),
        expected_effect=Decimal("25000"),
    )
    client = client_for(org.manager)
    response = client.post(f"/opfoelgning/{march.pk}/botilbud/{org.home_a.pk}/handling/{action.pk}/slet/")
    assert response.status_code in (200, 302), response.content.decode()[:3000]
    assert not Action.objects.filter(pk=action.pk).exists()

    rows = object_history(fu, children=[(Action, "followup_id")])
    deleted = [r for r in rows if r["action"] == "Slettet"]
    assert len(deleted) == 1
    assert deleted[0]["subject"] == "Handling: Stop for eksterne vikarer"
    assert deleted[0]["who"] == str(org.manager)  # the acting user, from the middleware
    assert any(c["field"] == "handling" and c["before"] == "Stop for eksterne vikarer" for c in deleted[0]["changes"])

    page = client.get(f"/historik/opfoelgning/{fu.pk}/").content.decode()
    assert "Slettet: Handling: Stop for eksterne vikarer" in page
    assert "Oprettet: Handling: Stop for eksterne vikarer" in page


def test_every_tracked_model_records_deletes(org):
    price = HourPrice.objects.get(home=org.home_a, year=2026)
    pk = price.pk
    with pghistory.context(user=org.administrator.pk):
        price.delete()
    event = HourPrice.pgh_event_model.objects.filter(pgh_obj_id=pk).order_by("-pgh_id").first()
    assert event.pgh_label == "delete"
    assert str(event.hour_price) == "400.00"


def test_access_grant_in_admin_appears_in_the_access_history(org, client_for):
    admin = client_for(org.administrator)
    area = org.area_south
    response = admin.post(
        f"/admin/botilbud/area/{area.pk}/change/",
        {"name": area.name, "managers": [org.area_manager.pk], "version": area.version},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert area.managers.filter(pk=org.area_manager.pk).exists()

    rows = [r for r in access_history(user=org.area_manager) if r["where"] == "området Område Syd"]
    assert len(rows) == 1
    assert rows[0]["action"] == "Fik adgang"
    assert rows[0]["who"] == str(org.administrator)  # the acting user, from the middleware

    page = admin.get(f"/brugere/{org.area_manager.pk}/adgang/").content.decode()
    assert "Fik adgang" in page and "Område Syd" in page


def test_home_access_history_names_who_gave_and_removed_access(org, client_for):
    with pghistory.context(user=org.administrator.pk):
        org.home_a.consultants.remove(org.consultant)
        org.home_a.managers.add(org.other_manager)
    rows = access_history(home=org.home_a)
    by_admin = [(r["action"], r["user"], r["role"]) for r in rows if r["who"] == str(org.administrator)]
    assert sorted(by_admin) == [
        ("Fik adgang", str(org.other_manager), "leder"),
        ("Mistede adgang", str(org.consultant), "økonomikonsulent"),
    ]

    page = client_for(org.department_head).get(f"/botilbud/{org.home_a.pk}/adgang/")
    assert page.status_code == 200
    assert "Mistede adgang" in page.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("manager", 200), ("department_head", 200), ("other_manager", 404), ("caseworker", 404)],
)
def test_home_access_page_is_scoped(org, client_for, persona, status):
    assert client_for(getattr(org, persona)).get(f"/botilbud/{org.home_a.pk}/adgang/").status_code == status


@pytest.mark.parametrize("persona", ["manager", "department_head", "caseworker", "area_manager"])
def test_user_access_page_is_for_the_administrator_only(org, client_for, persona):
    assert client_for(getattr(org, persona)).get(f"/brugere/{org.manager.pk}/adgang/").status_code == 404


def test_offer_history_only_for_roles_that_see_the_offer(org, client_for):
    own = Provider.objects.create(name="Egne", kind=Provider.Kind.OWN)
    private = Provider.objects.create(name="Privat ApS", kind=Provider.Kind.PRIVATE)

    p108 = Paragraph.objects.get(code="§108")
    own_offer = Offer.objects.create(provider=own, name="Egebakken", paragraph=p108, home=org.home_a)
    external = Offer.objects.create(provider=private, name="Engly", paragraph=p108)

    def status(persona, offer):
        return client_for(getattr(org, persona)).get(f"/historik/tilbud/{offer.pk}/").status_code

    assert status("caseworker", external) == 200
    assert status("department_head", external) == 200
    assert status("manager", own_offer) == 200
    assert status("manager", external) == 404
    assert status("other_manager", own_offer) == 404
