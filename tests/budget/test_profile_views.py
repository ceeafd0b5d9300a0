"""Profile pages with the live preview, the import with a profile over HTTP, the import's page, postings."""

from __future__ import annotations

import re
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from budget.forms import ImportProfileForm
from budget.importer import Reconciliation
from budget.models import Actual, ActualsImport, ImportProfile
from budget.services import import_actuals

DEMO = Path(__file__).resolve().parents[2] / "demo"
SAP = "KMD Opus (SAP) posteringsudtræk"


def _sample(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (DEMO / name).read_bytes())


def _profile_post(profile: ImportProfile, **changes):
    data = {f: getattr(profile, f) for f in ImportProfileForm.Meta.fields}
    data.update(changes)
    return {k: ("" if v is None else v) for k, v in data.items()}


def test_profile_pages_only_for_consultant_and_admin(org, client_for):
    for user in (org.manager, org.area_manager, org.caseworker, org.department_head):
        assert client_for(user).get(reverse("budget:import_profiles")).status_code == 403
    page = client_for(org.consultant).get(reverse("budget:import_profiles"))
    assert page.status_code == 200 and SAP in page.content.decode()


def test_live_preview_reads_the_sample_as_the_form_says(org, client_for):
    c = client_for(org.consultant)
    sap = ImportProfile.objects.get(name=SAP)
    response = c.post(
        reverse("budget:import_profile_preview"), {**_profile_post(sap), "sample": _sample("forbrug_sap_opus.csv")}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Overskriften er linje 4" in html and "Windows-1252" in html
    assert "5.38.50" in html and "2026-11" in html and "538500 1 47" in html
    # A wrong pattern shows the reason per row instead of failing.
    response = c.post(
        reverse("budget:import_profile_preview"),
        {**_profile_post(sap, account_pattern="F.FF.FF D AA"), "sample": _sample("forbrug_sap_opus.csv")},
    )
    assert "passer ikke til mønsteret" in response.content.decode()
    # Junk instead of a file: a Danish message, no 500.
    response = c.post(
        reverse("budget:import_profile_preview"),
        {**_profile_post(sap), "sample": SimpleUploadedFile("x.xlsx", b"not a zip")},
    )
    assert response.status_code == 200 and "zip" in response.content.decode()


def test_create_and_edit_profile_with_locking(org, client_for):
    c = client_for(org.consultant)
    sap = ImportProfile.objects.get(name=SAP)
    response = c.post(reverse("budget:import_profile_new"), _profile_post(sap, name="Min SAP"))
    assert response.status_code == 302
    mine = ImportProfile.objects.get(name="Min SAP")
    assert not mine.is_builtin
    stale = _profile_post(mine, version=mine.version, title_lines=2)
    assert c.post(reverse("budget:import_profile", args=[mine.pk]), stale).status_code == 302
    # The same (now stale) version again: refused with a conflict, not overwritten.
    response = c.post(reverse("budget:import_profile", args=[mine.pk]), {**stale, "title_lines": 5})
    assert response.status_code == 409
    mine.refresh_from_db()
    assert mine.title_lines == 2 and mine.version == 2
    # Missing account columns are refused in Danish.
    response = c.post(reverse("budget:import_profile_new"), _profile_post(sap, name="X", col_account="", col_art=""))
    assert response.status_code == 400 and "funktion og art" in response.content.decode()


def test_import_with_profile_over_http_keeps_reconciliation(org, client_for):
    c = client_for(org.administrator)
    sap = ImportProfile.objects.get(name=SAP)
    response = c.post(reverse("budget:actuals_import"), {"file": _sample("forbrug_sap_opus.csv"), "profile": sap.pk})
    html = response.content.decode()
    assert response.status_code == 200 and 'id="reconciliation"' in html
    batch = ActualsImport.objects.get()
    assert c.post(reverse("budget:actuals_import_confirm", args=[batch.pk])).status_code == 302
    assert Actual.objects.count() == 60
    detail = c.get(reverse("budget:import_detail", args=[batch.pk])).content.decode()
    assert "52010" in detail and SAP in detail and "Afstemning" in detail
    # Another user's import is not theirs to see.
    assert client_for(org.consultant).get(reverse("budget:import_detail", args=[batch.pk])).status_code == 404


def test_two_bad_lines_refused_over_http(org, client_for):
    c = client_for(org.administrator)
    sap = ImportProfile.objects.get(name=SAP)
    response = c.post(
        reverse("budget:actuals_import"), {"file": _sample("forbrug_sap_opus_med_fejl.csv"), "profile": sap.pk}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-row="11"' in html and 'data-row="21"' in html
    assert not Actual.objects.exists()


def test_refused_file_reconciliation_shows_real_figures_and_nothing_written(org, client_for):
    """A refused file never claims it reconciles: per cost centre the rows and amount read and staged,
    its bad rows, 0 written; the unreadable line (wrong column count) is counted on its own row."""

    c = client_for(org.administrator)
    sap = ImportProfile.objects.get(name=SAP)
    response = c.post(
        reverse("budget:actuals_import"), {"file": _sample("forbrug_sap_opus_med_fejl.csv"), "profile": sap.pk}
    )
    html = response.content.decode()
    assert response.status_code == 400
    table = html[html.index('id="reconciliation"') : html.index("</table>", html.index('id="reconciliation"'))]
    assert 'data-refused="1"' in html
    assert "Stemmer" not in table and ">Ja<" not in table
    assert "Afvist: intet skrevet" in table and "Ulæselige linjer" in table

    def row(cc: str) -> list[str]:
        start = table.index(f'data-cost-centre="{cc}"')
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", table[start : table.index("</tr>", start)])
        return [re.sub(r"<[^>]+>", "", x) for x in cells]

    # The file has 60 data lines: 20 per cost centre; line 11 (52000) has a column too few, line 21
    # (52010) a bad amount. Hand-counted from demo/forbrug_sap_opus_med_fejl.csv.
    cc_52000, cc_52010, cc_52020 = row("52000"), row("52010"), row("52020")
    assert cc_52000[2] == "19" and cc_52000[6] == "0"  # the unreadable line is not 52000's
    assert cc_52010[2] == "20" and cc_52010[4] == "20" and cc_52010[6] == "1"
    assert cc_52020[2] == "20" and cc_52020[6] == "0"
    assert all(r[7] == "0" for r in (cc_52000, cc_52010, cc_52020))
    assert not Actual.objects.exists() and not ActualsImport.objects.exists()
    # The object itself: refused is never ok, even where file = staged.
    assert not Reconciliation(rows=[{"ok": True}], refused=True).ok


def test_postings_drill_down_scoped(org, client_for):
    with (DEMO / "forbrug_sap_opus.csv").open("rb") as f:
        import_actuals(
            stream=f, file_name="f.csv", user=None, mode="apply", profile=ImportProfile.objects.get(name=SAP)
        )
    url = reverse("budget:postings", args=[org.home_a.pk]) + "?maaned=2026-11&gruppe=koeb_kommuner"
    html = client_for(org.manager).get(url).content.decode()
    assert "538500 1 47" in html and "538500 1 11" not in html
    assert client_for(org.other_manager).get(url).status_code == 404
    assert client_for(org.caseworker).get(url).status_code == 404
    coarse = client_for(org.manager).get(url.replace("koeb_kommuner", "drift")).content.decode()
    assert "538500 1 47" in coarse and "538500 1 11" not in coarse  # the kind includes its fine groups
