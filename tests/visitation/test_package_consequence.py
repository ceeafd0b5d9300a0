"""The package change page shows the own home's income consequence before saving."""

import datetime as dt

from tests.visitation.conftest import make_placement
from visitation.models import Placement


def url(placement, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/visitation/bevillinger/{placement.pk}/ny-pakke/konsekvens/?{query}"


def test_it_shows_the_income_change_per_month(org, vis, client_for):
    placement = make_placement(vis.own_85, package=vis.pkg6, start_date=dt.date(2026, 1, 1))
    response = client_for(org.caseworker).get(url(placement, new_package=vis.pkg9.pk, effective_date="01-07-2026"))
    assert response.status_code == 200
    text = response.content.decode()
    # 6 → 9 hours a week at 400 kr.: July = 3 × 400 × 31/7 = 5.314,29 kr. more income (negative).
    assert "-5.314,29 kr." in text
    assert "Egebakken" in text
    assert Placement.objects.get(pk=placement.pk).package == vis.pkg6  # nothing saved


def test_it_asks_for_package_and_date_first(org, vis, client_for):
    placement = make_placement(vis.own_85, package=vis.pkg6)
    text = client_for(org.caseworker).get(url(placement)).content.decode()
    assert "Vælg ny pakke og dato" in text


def test_external_offer_has_no_home_consequence(org, vis, client_for):
    placement = make_placement(vis.ext_108, package=vis.pkg6)
    text = client_for(org.caseworker).get(url(placement, new_package=vis.pkg9.pk, effective_date="01-07-2026"))
    assert "Eksternt tilbud" in text.content.decode()


def test_the_change_page_links_the_preview(org, vis, client_for):
    placement = make_placement(vis.own_85, package=vis.pkg6)
    page = client_for(org.caseworker).get(f"/visitation/bevillinger/{placement.pk}/ny-pakke/").content.decode()
    assert f"/visitation/bevillinger/{placement.pk}/ny-pakke/konsekvens/" in page


def test_preview_is_scoped_and_read_only(org, vis, client_for):
    placement = make_placement(vis.own_85, package=vis.pkg6)
    assert client_for(org.other_manager).get(url(placement)).status_code in (403, 404)
    assert client_for(org.caseworker).post(url(placement)).status_code == 405
