"""Sickness absence from payroll: reading through a profile, reconciliation, refusal, replace, scoping.

Hand-computed figures: sickness % = Σ sick hours / Σ norm hours × 100, half up to one decimal.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from budget.absence import selectors, services
from budget.absence.models import AbsenceImport, AbsenceProfile, SicknessAbsence
from budget.absence.reading import ensure_builtin_profiles
from budget.models import CostCentre
from disponering.models import Category, LedgerEntry
from tests.conftest import make_user

HEADER = "Omkostningssted;Faggruppe;Periode;Normtimer;Sygetimer;Heraf langtidssyg timer;Langtidssygemeldte"
TITLE = ["Løn og Personale - Fraværsstatistik", "Udtrukket 01.12.2026"]


def payroll_file(*rows: str) -> bytes:
    return ("\r\n".join([*TITLE, HEADER, *rows]) + "\r\n").encode("cp1252")


@pytest.fixture
def profile(db) -> AbsenceProfile:
    ensure_builtin_profiles()
    return AbsenceProfile.objects.get(is_builtin=True)


def stage(data: bytes, profile: AbsenceProfile, user=None, **kw):
    return services.stage(io.BytesIO(data), "loen.csv", profile, user, **kw)


GOOD = payroll_file(
    "52000;Pædagoger;11.2026;800,00;40,50;0,00;0",
    "52000;SSA;11.2026;803,20;55,25;30,00;1",
    "52010;Alle;11.2026;500,00;12,25;;0",
)


def test_good_file_is_staged_then_written_and_reconciles(org, profile):
    staged = stage(GOOD, profile, org.consultant)
    assert staged.ok and staged.errors == [] and staged.row_count == 3
    assert SicknessAbsence.objects.count() == 0  # nothing written before the confirmation
    by_cc = {r["cost_centre"]: r for r in staged.reconciliation}
    assert (by_cc["52000"]["file_rows"], by_cc["52000"]["file_hours"]) == (2, D("95.75"))
    assert (by_cc["52000"]["staged_rows"], by_cc["52000"]["staged_hours"]) == (2, D("95.75"))
    assert by_cc["52010"]["staged_hours"] == D("12.25")

    batch = services.confirm(staged.batch.pk, org.consultant)
    assert batch.status == AbsenceImport.Status.DONE
    a = SicknessAbsence.objects.get(cost_centre="52000")
    # Two rows of one cost centre and month are added up.
    assert (a.home, a.month, a.rows) == (org.home_a, dt.date(2026, 11, 1), 2)
    assert (a.norm_hours, a.sick_hours, a.long_term_hours, a.long_term_people) == (
        D("1603.20"),
        D("95.75"),
        D("30.00"),
        1,
    )
    rec = {r["cost_centre"]: r for r in batch.reconciliation}
    assert rec["52000"]["write_rows"] == 2 and D(rec["52000"]["write_hours"]) == D("95.75") and rec["52000"]["ok"]
    assert SicknessAbsence.objects.get(cost_centre="52010").long_term_hours is None  # empty cell: not given

    figures = selectors.by_home([org.home_a.pk, org.home_b.pk], dt.date(2026, 11, 1))
    # 95,75 / 1.603,20 = 5,972… % → 6,0 %
    assert figures[org.home_a.pk]["pct"] == D("6.0")
    # 12,25 / 500 = 2,45 % exactly → 2,5 % (half up, not to even)
    assert figures[org.home_b.pk]["pct"] == D("2.5")


def test_year_to_date_adds_hours_not_percentages(org, profile):
    data = payroll_file(
        "52000;Alle;01.2026;1.000,00;50,00;0;0",
        "52000;Alle;02.2026;3.000,00;30,00;0;0",
    )
    services.confirm(stage(data, profile).batch.pk, None)
    feb = selectors.by_home([org.home_a.pk], dt.date(2026, 2, 1))[org.home_a.pk]
    # February 30 / 3.000 = 1,0 %; year to date (50 + 30) / 4.000 = 2,0 % (not the mean of 5 % and 1 %)
    assert (feb["pct"], feb["ytd_pct"], feb["ytd_months"]) == (D("1.0"), D("2.0"), 2)
    jan = selectors.by_home([org.home_a.pk], dt.date(2026, 1, 1))[org.home_a.pk]
    assert (jan["pct"], jan["ytd_pct"]) == (D("5.0"), D("5.0"))
    # A month without figures: no % for the month, the year to date so far.
    mar = selectors.by_home([org.home_a.pk], dt.date(2026, 3, 1))[org.home_a.pk]
    assert (mar["has_month"], mar["pct"], mar["ytd_pct"]) == (False, None, D("2.0"))


def test_several_cost_centres_of_one_home_add_up(org, profile):
    CostCentre.objects.create(code="52001", home=org.home_a, name="Egebakken nat")
    data = payroll_file("52000;Alle;11.2026;900,00;45,00;0;0", "52001;Alle;11.2026;100,00;15,00;0;0")
    services.confirm(stage(data, profile).batch.pk, None)
    # (45 + 15) / (900 + 100) = 6,0 %
    assert selectors.by_home([org.home_a.pk], dt.date(2026, 11, 1))[org.home_a.pk]["pct"] == D("6.0")


def test_bad_file_names_every_bad_line_and_writes_nothing(org, profile):
    data = payroll_file(
        "52000;Alle;11.2026;800,00;40,00;0;0",  # line 4: good
        "99999;Alle;11.2026;800,00;40,00;0;0",  # line 5: unknown cost centre
        "52000;Alle;13.2026;800,00;40,00;0;0",  # line 6: not a month
        "52010;Alle;11.2026;100,00;120,00;0;0",  # line 7: more sick than norm hours
        "52010;Alle;11.2026;-5,00;1,00;0;0",  # line 8: negative
        "52010;Alle;11.2026;abc;1,00;0;0",  # line 9: not a number
        "52010;Alle;11.2026;100,00;10,00;20,00;1",  # line 10: long-term over sick
        "52010;Alle;11.2026;100,00;10,00",  # line 11: too few fields
    )
    staged = stage(data, profile)
    assert not staged.ok and staged.batch is None
    lines = dict(staged.errors)
    assert sorted(lines) == [5, 6, 7, 8, 9, 10, 11]
    assert "99999" in lines[5][0]
    assert "13.2026" in lines[6][0]
    assert "flere end normtimerne" in lines[7][0]
    assert "negative" in lines[8][0]
    assert "abc" in lines[9][0]
    assert "flere end sygetimerne" in lines[10][0]
    assert AbsenceImport.objects.count() == 0 and SicknessAbsence.objects.count() == 0
    totals = services.reconciliation_totals(staged.reconciliation)
    assert totals["file_rows"] == 8 and totals["staged_rows"] == 1 and not totals["ok"]


def test_missing_column_refuses_the_file(org, profile):
    data = ("Omkostningssted;Periode;Sygetimer\r\n52000;11.2026;4\r\n").encode("cp1252")
    p = AbsenceProfile.objects.create(
        name="Uden titel",
        col_cost_centre="Omkostningssted",
        col_period="Periode",
        col_norm_hours="Normtimer",
        col_sick_hours="Sygetimer",
    )
    staged = stage(data, p)
    assert "Normtimer" in staged.file_error and not staged.ok


def test_reimport_replaces_the_cost_centre_month(org, profile):
    services.confirm(stage(GOOD, profile).batch.pk, None)
    again = payroll_file("52000;Alle;11.2026;1.000,00;10,00;0;0")
    batch = services.confirm(stage(again, profile).batch.pk, None)
    a = SicknessAbsence.objects.get(cost_centre="52000")
    assert (a.norm_hours, a.sick_hours, a.batch_id) == (D("1000.00"), D("10.00"), batch.pk)
    rec = {r["cost_centre"]: r for r in batch.reconciliation}
    assert rec["52000"]["replace_months"] == 1 and D(rec["52000"]["replace_hours"]) == D("95.75")
    assert SicknessAbsence.objects.filter(cost_centre="52010").exists()  # other cost centres stay


def test_consultant_imports_only_own_homes(org, profile):
    data = payroll_file("52000;Alle;11.2026;800,00;40,00;0;0", "52020;Alle;11.2026;800,00;40,00;0;0")
    staged = stage(data, profile, org.consultant, allowed_home_ids=[org.home_a.pk, org.home_b.pk])
    assert dict(staged.errors) == {5: ["Du har ikke adgang til omkostningssted »52020«"]}


def test_confirm_twice_and_discard_are_refused(org, profile):
    staged = stage(GOOD, profile)
    services.confirm(staged.batch.pk, None)
    with pytest.raises(services.AbsenceImportError, match="allerede indlæst"):
        services.confirm(staged.batch.pk, None)
    with pytest.raises(services.AbsenceImportError):
        services.discard(staged.batch.pk)


def test_cost_centre_moved_between_check_and_confirm_is_refused(org, profile):
    CostCentre.objects.create(code="52005", home=org.home_a)
    staged = stage(payroll_file("52005;Alle;11.2026;800,00;40,00;0;0"), profile)
    CostCentre.objects.filter(code="52005").update(home=org.home_b)
    with pytest.raises(services.AbsenceImportError, match="52005"):
        services.confirm(staged.batch.pk, None)
    assert SicknessAbsence.objects.count() == 0


def test_demo_sample_file_reads_with_the_builtin_profile(org, profile):
    """demo/sygefravaer_loen.csv: three staff-group rows for 52000, one row each for 52010 and 52020
    (the demo consultant's first homes, as in the actuals samples)."""
    path = Path(__file__).resolve().parents[2] / "demo" / "sygefravaer_loen.csv"
    staged = stage(path.read_bytes(), profile)
    assert staged.ok, staged.errors or staged.file_error
    rec = {r["cost_centre"]: r for r in staged.reconciliation}
    assert rec["52000"]["staged_rows"] == 3 and rec["52000"]["staged_hours"] == D("220.75")  # 96,50 + 112,25 + 12
    assert sorted(rec) == ["52000", "52010", "52020"]


def test_command_imports_and_refuses(org, profile, tmp_path):
    good = tmp_path / "loen.csv"
    good.write_bytes(GOOD)
    out = io.StringIO()
    call_command("import_absence", str(good), "--profile", profile.name, "--dry-run", stdout=out)
    assert "Intet skrevet" in out.getvalue() and SicknessAbsence.objects.count() == 0
    assert AbsenceImport.objects.count() == 0  # the dry run rolls its staging back too
    call_command("import_absence", str(good), "--profile", profile.name, stdout=out)
    assert SicknessAbsence.objects.count() == 2
    bad = tmp_path / "bad.csv"
    bad.write_bytes(payroll_file("52000;Alle;11.2026;x;1;0;0"))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 af 1 rækker"):
        call_command("import_absence", str(bad), "--profile", profile.name, stderr=err)
    assert "Linje 4" in err.getvalue()
    with pytest.raises(CommandError, match="findes ikke"):
        call_command("import_absence", str(bad), "--profile", "Ukendt")


# --- Through the pages ---------------------------------------------------------------------------


def upload(client, data: bytes, profile: AbsenceProfile, name: str = "loen.csv"):
    return client.post(
        reverse("absence:import"), {"file": SimpleUploadedFile(name, data, "text/csv"), "profile": profile.pk}
    )


def test_import_flow_through_the_pages(org, profile, client_for):
    client = client_for(org.consultant)
    response = upload(client, GOOD, profile)
    assert response.status_code == 302
    batch = AbsenceImport.objects.get()
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "Intet er skrevet endnu" in html and "6,0 %" in html and "2,5 %" in html
    assert "Ja (ikke skrevet endnu)" in html
    response = client.post(reverse("absence:confirm", args=[batch.pk]))
    assert response.status_code == 302 and SicknessAbsence.objects.count() == 2
    html = client.get(reverse("absence:batch", args=[batch.pk])).content.decode()
    assert "Indlæst" in html and "95,75" in html
    again = client.post(reverse("absence:confirm", args=[batch.pk]))
    assert again.status_code == 409 and "allerede indlæst" in again.content.decode()


def test_refused_upload_is_400_names_lines_and_does_not_claim_it_reconciles(org, profile, client_for):
    client = client_for(org.consultant)
    response = upload(client, payroll_file("52000;Alle;11.2026;800,00;40,00;0;0", "52000;Alle;x;1;1;0;0"), profile)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-line="5"' in html and "Intet er indlæst" in html
    assert "<strong>Nej</strong>" in html and "Ja (ikke skrevet" not in html.split("<tfoot>")[1]
    assert AbsenceImport.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "data", "text"),
    [
        ("loen.exe", b"MZ", "Filtypen kendes ikke"),
        ("loen.xlsx", b"not a zip", "xlsx"),
        ("loen.csv", b"\x00\x01\x02" * 50, "Intet er indlæst"),
    ],
)
def test_junk_files_get_a_danish_4xx(org, profile, client_for, name, data, text):
    response = upload(client_for(org.consultant), data, profile, name)
    assert response.status_code == 400 and text in response.content.decode()
    assert AbsenceImport.objects.count() == 0


def test_import_pages_by_role(org, profile, client, client_for):
    for user in org.all_users:
        c = client_for(user)
        expected = 200 if user in (org.consultant, org.administrator) else 403
        assert c.get(reverse("absence:import")).status_code == expected, user.username
        assert c.get(reverse("absence:profiles")).status_code == expected, user.username


def test_another_users_import_is_404(org, profile, client_for):
    staged = stage(GOOD, profile, org.consultant)
    other = make_user("konsulent2", "konsulent")
    assert client_for(other).get(reverse("absence:batch", args=[staged.batch.pk])).status_code == 404
    assert client_for(other).post(reverse("absence:confirm", args=[staged.batch.pk])).status_code == 404
    assert client_for(org.administrator).get(reverse("absence:batch", args=[staged.batch.pk])).status_code == 200


def test_home_page_scoped_per_role(org, profile, client_for):
    services.confirm(stage(GOOD, profile).batch.pk, None)
    url_a = reverse("absence:home", args=[org.home_a.pk]) + "?aar=2026"
    url_c = reverse("absence:home", args=[org.home_c.pk]) + "?aar=2026"
    expect = {
        "leder": (200, 404),
        "leder2": (404, 200),
        "omraadeleder": (200, 404),
        "konsulent": (200, 404),
        "fagchef": (200, 200),
        "admin": (200, 200),
        "sagsbehandler": (404, 404),
        "myndighedsleder": (404, 404),
    }
    for user in org.all_users:
        c = client_for(user)
        got = (c.get(url_a).status_code, c.get(url_c).status_code)
        assert got == expect[user.username], user.username


def test_home_page_shows_months_beside_the_ledger(org, profile, client_for):
    services.confirm(stage(GOOD, profile).batch.pk, None)  # 52000 November: 1 long-term sick
    LedgerEntry.objects.create(
        home=org.home_a,
        category=Category.SICKNESS,
        account_group="loen",
        title="AB langtidssygemeldt",
        amount=D("-10000"),
        start_date=dt.date(2026, 10, 15),
        end_date=dt.date(2026, 11, 5),
    )
    months = {m["month"].month: m for m in selectors.home_year(org.home_a, 2026)}
    assert months[11]["ledger_count"] == 1 and months[11]["agrees"] is True
    assert months[10]["has_month"] is False and months[10]["ledger_count"] == 1
    html = client_for(org.manager).get(reverse("absence:home", args=[org.home_a.pk]) + "?aar=2026").content.decode()
    assert "AB langtidssygemeldt" in html and "6,0 %" in html and "indlæst" in html
    bad = client_for(org.manager).get(reverse("absence:home", args=[org.home_a.pk]) + "?aar=abc")
    assert bad.status_code == 400 and "gyldigt år" in bad.content.decode()


def test_home_page_flags_a_ledger_that_disagrees(org, profile):
    data = payroll_file("52000;Alle;11.2026;800,00;300,00;200,00;2")
    services.confirm(stage(data, profile).batch.pk, None)
    nov = selectors.home_year(org.home_a, 2026)[10]
    assert (nov["long_term_people"], nov["ledger_count"], nov["agrees"]) == (2, 0, False)


def test_profile_edit_preview_history_and_conflict(org, profile, client_for):
    client = client_for(org.consultant)
    fields = {
        "name": "Silkeborg Data",
        "description": "",
        "title_lines": "2",
        "separator": ";",
        "encoding": "cp1252",
        "col_cost_centre": "Omkostningssted",
        "col_period": "Periode",
        "period_format": "MM.YYYY",
        "col_norm_hours": "Normtimer",
        "col_sick_hours": "Sygetimer",
        "col_long_term_hours": "",
        "col_long_term_people": "",
        "number_format": "da",
    }
    preview = client.post(
        reverse("absence:profile_preview"), {**fields, "sample": SimpleUploadedFile("s.csv", GOOD, "text/csv")}
    )
    html = preview.content.decode()
    assert preview.status_code == 200 and 'id="preview-mapped"' in html and "1.603,20" not in html and "803,20" in html
    response = client.post(reverse("absence:profile_new"), fields)
    assert response.status_code == 302
    p = AbsenceProfile.objects.get(name="Silkeborg Data")
    response = client.post(reverse("absence:profile", args=[p.pk]), {**fields, "title_lines": "3", "version": "1"})
    assert response.status_code == 302
    stale = client.post(reverse("absence:profile", args=[p.pk]), {**fields, "title_lines": "4", "version": "1"})
    assert stale.status_code == 409 and "ikke gemt" in stale.content.decode()
    history = client.get(reverse("history", args=["fravaersprofil", p.pk]))
    assert history.status_code == 200 and "3" in history.content.decode()
    assert client_for(org.manager).get(reverse("history", args=["fravaersprofil", p.pk])).status_code == 404
