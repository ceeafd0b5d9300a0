"""The audit trail records who changed what; stale edits are refused."""

import pytest

from botilbud.lib.history import object_history
from botilbud.lib.locking import VersionConflict, save_versioned
from botilbud.models import Home


def test_admin_edit_shows_in_the_home_history(org, client_for):
    admin = client_for(org.administrator)
    url = f"/admin/botilbud/home/{org.home_a.pk}/change/"
    form = admin.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "name": "Egebakken",
            "area": org.area_north.pk,
            "capacity": "24",
            "target_group": "handicap",
            "cost_centre": "52000",
            "financing": "aktivitet",
            "address": "Nørrebrogade 1, 2200 København N",
            "paragraphs": [p.pk for p in org.home_a.paragraphs.all()],
            "managers": [org.manager.pk],
            "consultants": [org.consultant.pk],
            "is_active": "on",
            "version": str(org.home_a.version),
        }
    )
    response = admin.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    org.home_a.refresh_from_db()
    assert org.home_a.capacity == 24

    rows = object_history(org.home_a)
    assert rows[0]["who"] == str(org.administrator)
    assert {"field": "antal pladser", "before": "20", "after": "24"} in rows[0]["changes"]

    page = client_for(org.manager).get(f"/historik/botilbud/{org.home_a.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Antal pladser" in text and str(org.administrator) in text


def test_history_is_scoped(org, client_for):
    assert client_for(org.other_manager).get(f"/historik/botilbud/{org.home_a.pk}/").status_code == 404
    assert client_for(org.caseworker).get(f"/historik/botilbud/{org.home_a.pk}/").status_code == 404
    assert client_for(org.manager).get(f"/historik/ukendt/{org.home_a.pk}/").status_code == 404


def test_a_stale_save_is_refused_and_names_the_other_change(org):
    mine = Home.objects.get(pk=org.home_a.pk)
    theirs = Home.objects.get(pk=org.home_a.pk)
    theirs.capacity = 30
    save_versioned(theirs, seen_version=theirs.version)

    mine.capacity = 25
    with pytest.raises(VersionConflict) as conflict:
        save_versioned(mine, seen_version=mine.version)
    assert "en anden har ændret" in conflict.value.message()
    assert "20 → 30" in conflict.value.message()
    assert Home.objects.get(pk=org.home_a.pk).capacity == 30


def test_admin_refuses_a_stale_form(org, client_for):
    admin = client_for(org.administrator)
    url = f"/admin/botilbud/area/{org.area_north.pk}/change/"
    stale_version = org.area_north.version
    fresh = admin.post(
        url, {"name": "Område Nord-Vest", "managers": [org.area_manager.pk], "version": str(stale_version)}
    )
    assert fresh.status_code == 302
    stale = admin.post(
        url, {"name": "Område Nordøst", "managers": [org.area_manager.pk], "version": str(stale_version)}
    )
    assert stale.status_code == 200
    assert "en anden har ændret" in stale.content.decode()
    org.area_north.refresh_from_db()
    assert org.area_north.name == "Område Nord-Vest"
