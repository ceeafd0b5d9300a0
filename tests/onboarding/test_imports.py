"""Each onboarding import: the sample file goes in with an equal reconciliation;
the file with deliberate errors is refused naming every bad line by its line
number in the file, and nothing is written."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import Workbook

from botilbud.models import Area, Home, HourPrice, Municipality, Role, User
from budget.chart import ensure_default_accounts
from budget.models import Actual, BudgetCorrection, BudgetLine, CostCentre
from budget.services import import_actuals
from onboarding import services
from onboarding.kinds import get_kind
from onboarding.models import ImportBatch, StagedRow
from tests.conftest import make_user
from tests.onboarding.conftest import FILES, SAMPLES
from visitation.models import Citizen, Offer, Placement, Provider


def by_key(targets):
    return {t.key: t for t in targets}


def test_organisation_sample_is_staged_reconciled_and_written(run_import):
    outcome, targets = run_import("organisation", SAMPLES / "organisation.csv", confirm=False)
    batch = outcome.batch
    assert batch.reconciliation["in_file"] == 6 == batch.reconciliation["staged"]
    assert StagedRow.objects.filter(batch=batch).count() == 6
    assert Home.objects.count() == 0, "nothing is written before the confirmation"
    planned = by_key(services.targets_of(batch))
    assert (planned["areas"].create, planned["homes"].create, planned["offers"].create) == (2, 6, 7)
    assert planned["cost_centres"].create == 3  # Egely 61011 and 61012, Lyngbakken 62011

    written = by_key(services.confirm_import(spec=get_kind("organisation"), batch=batch, user=batch.uploaded_by))
    assert {k: t.written for k, t in written.items()} == {
        "areas": 2,
        "homes": 6,
        "offers": 7,
        "hour_prices": 6,
        "cost_centres": 3,
    }
    assert Home.objects.count() == 6 and Area.objects.count() == 2
    lyng = Home.objects.get(cost_centre="62010")
    assert lyng.name == "Lyngbakken" and lyng.area.name == "Syd" and lyng.capacity == 30
    assert sorted(lyng.paragraph_codes()) == ["§108", "§85"]
    assert lyng.financing == Home.Financing.ACTIVITY and lyng.budgeted_occupancy == Decimal("97.00")
    assert Home.objects.get(cost_centre="61020").financing == Home.Financing.FRAME
    assert HourPrice.objects.get(home=lyng).hour_price == Decimal("420.00")
    assert Offer.objects.filter(home=lyng).count() == 2
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE and not batch.rows.exists()


def test_organisation_reimport_updates_only_what_changed(run_import, tmp_path):
    run_import("organisation", SAMPLES / "organisation.csv")
    changed = tmp_path / "org.csv"
    text = (
        (SAMPLES / "organisation.csv")
        .read_text()
        .replace("Kildevang;62020;Kildevej 8, 4100 Fjordby Syd;18", "Kildevang;62020;Kildevej 8, 4100 Fjordby Syd;20")
    )
    changed.write_text(text)
    _, targets = run_import("organisation", changed)
    homes = by_key(targets)["homes"]
    assert (homes.create, homes.update, homes.unchanged, homes.written) == (0, 1, 5, 1)
    assert Home.objects.get(cost_centre="62020").capacity == 20


def test_organisation_errors_name_every_bad_line_and_write_nothing(run_import):
    outcome, _ = run_import("organisation", FILES / "organisation_med_fejl.csv")
    assert outcome.batch is None
    lines = {e.line: " ".join(e.reasons) for e in outcome.errors}
    # Line 3 of the file is blank: the lines are counted as in the file.
    assert sorted(lines) == [4, 5, 6]
    assert "seksten" in lines[4]
    assert "står også i linje 2" in lines[5] and "§999" in lines[5]
    assert "Børn" in lines[6] and "120" in lines[6]
    assert outcome.in_file == 5
    assert Home.objects.count() == 0 and Area.objects.count() == 0 and ImportBatch.objects.count() == 0


def test_users_sample_get_homes_areas_and_no_password(run_import):
    run_import("organisation", SAMPLES / "organisation.csv")
    outcome, targets = run_import("brugere", SAMPLES / "brugere.csv")
    assert by_key(targets)["users"].written == 12
    anne = User.objects.get(username="anne.holm")
    assert anne.role == Role.HOME_MANAGER and not anne.has_usable_password()
    assert sorted(Home.objects.visible_to(anne).values_list("cost_centre", flat=True)) == ["61010", "61020"]
    gitte = User.objects.get(username="gitte.moerk")
    assert Home.objects.visible_to(gitte).count() == 3
    erik = User.objects.get(username="erik.bach")
    assert sorted(Home.objects.visible_to(erik).values_list("name", flat=True)) == [
        "Egely",
        "Havnehuset",
        "Skovbrynet",
    ]
    assert User.objects.get(username="bo.nielsen").managed_homes.get().name == "Havnehuset"


def test_users_reimport_moves_a_manager(run_import, tmp_path):
    run_import("organisation", SAMPLES / "organisation.csv")
    run_import("brugere", SAMPLES / "brugere.csv")
    moved = tmp_path / "brugere.csv"
    moved.write_text((SAMPLES / "brugere.csv").read_text().replace("Leder;Havnehuset;", "Leder;62030;"))
    _, targets = run_import("brugere", moved)
    users = by_key(targets)["users"]
    assert (users.update, users.unchanged) == (1, 11)
    assert User.objects.get(username="bo.nielsen").managed_homes.get().cost_centre == "62030"


def test_users_errors_name_every_bad_line_and_write_nothing(run_import):
    run_import("organisation", SAMPLES / "organisation.csv")
    before = User.objects.count()
    outcome, _ = run_import("brugere", FILES / "brugere_med_fejl.csv")
    lines = {e.line: " ".join(e.reasons) for e in outcome.errors}
    assert sorted(lines) == [3, 4, 5, 6]
    assert "bo nielsen" in lines[3]
    assert "Chef" in lines[4] and "ikke-en-mail" in lines[4]
    assert "linje 2" in lines[5]
    assert "Kun botilbudsledere og økonomikonsulenter" in lines[6] and "Vest" in lines[6]
    assert User.objects.count() == before and ImportBatch.objects.filter(kind="brugere").count() == 0


def test_users_file_cannot_change_the_importing_user(run_import, admin, tmp_path):
    path = tmp_path / "u.csv"
    path.write_text("Brugernavn;Rolle\nadmin;Sagsbehandler\n")
    outcome, _ = run_import("brugere", path)
    assert outcome.errors[0].line == 2 and "din egen bruger" in outcome.errors[0].reasons[0]
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN


def test_budget_sample_sums_accounts_into_groups(onboarded):
    egely = Home.objects.get(cost_centre="61010")
    lines = dict(BudgetLine.objects.filter(home=egely, year=2026).values_list("group", "original"))
    # 24 places: wages 24 × (520.000 + 30.000); other 24 × (40.000 + 60.000); income −24 × 640.000.
    assert lines == {
        "loen": Decimal("13200000.00"),
        "drift": Decimal("2400000.00"),
        "indtaegt": Decimal("-15360000.00"),
    }
    batch = ImportBatch.objects.get(kind="budget")
    target = services.targets_of(batch)[0]
    assert batch.reconciliation["in_file"] == 30
    assert target.written == 18
    assert Decimal(batch.reconciliation["amount_in_file"]) == target.amount == target.written_amount


def test_budget_keeps_corrections(onboarded, run_import, admin, tmp_path):
    line = BudgetLine.objects.get(home__cost_centre="61010", year=2026, group="loen")
    BudgetCorrection.objects.create(line=line, date="2026-03-01", amount="5000.00", reason="Tillæg", created_by=admin)
    path = tmp_path / "b.csv"
    path.write_text("Omkostningssted;År;Kontogruppe;Budget\n61010;2026;Løn;13.000.000,00\n")
    _, targets = run_import("budget", path)
    assert (targets[0].update, targets[0].written) == (1, 1)
    line.refresh_from_db()
    assert line.original == Decimal("13000000.00") and line.corrections.count() == 1


def test_budget_errors_name_every_bad_line_and_write_nothing(onboarded, run_import):
    before = list(BudgetLine.objects.order_by("pk").values_list("pk", "original"))
    outcome, _ = run_import("budget", FILES / "budget_med_fejl.csv")
    lines = {e.line: " ".join(e.reasons) for e in outcome.errors}
    assert sorted(lines) == [3, 4, 5, 6]
    assert "99999" in lines[3]
    assert "1999" in lines[4]
    assert "8.00" in lines[5]
    assert "12,345,00" in lines[6]
    assert list(BudgetLine.objects.order_by("pk").values_list("pk", "original")) == before


def test_budget_consultant_only_for_own_homes(onboarded, run_import, tmp_path):
    gitte = User.objects.get(username="gitte.moerk")  # consultant for 61010-61030
    path = tmp_path / "b.csv"
    path.write_text("Omkostningssted;År;Kontogruppe;Budget\n61010;2027;Løn;1,00\n62010;2027;Løn;1,00\n")
    outcome, _ = run_import("budget", path, user=gitte)
    assert [(e.line, e.reasons) for e in outcome.errors] == [(3, ["Du har ikke adgang til omkostningssted »62010«"])]
    assert not BudgetLine.objects.filter(year=2027).exists()


def test_confirm_refuses_when_data_changed_since_preview(run_import):
    outcome, _ = run_import("organisation", SAMPLES / "organisation.csv", confirm=False)
    Area.objects.create(name="Nord")  # someone else created an area meanwhile
    with pytest.raises(services.ImportStateError, match="ændret"):
        services.confirm_import(spec=get_kind("organisation"), batch=outcome.batch, user=outcome.batch.uploaded_by)
    assert Home.objects.count() == 0
    outcome.batch.refresh_from_db()
    assert outcome.batch.status == ImportBatch.Status.PREVIEW


def test_confirm_twice_is_refused(run_import):
    outcome, _ = run_import("organisation", SAMPLES / "organisation.csv")
    with pytest.raises(services.ImportStateError, match="allerede"):
        services.confirm_import(spec=get_kind("organisation"), batch=outcome.batch, user=outcome.batch.uploaded_by)


def test_xlsx_file_counts_lines_like_the_sheet(run_import, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["Omkostningssted", "År", "Kontogruppe", "Budget"])
    ws.append([])
    ws.append(["00000", 2026, "Løn", 100.5])
    path = tmp_path / "b.xlsx"
    wb.save(path)
    make_user("x", Role.CONSULTANT)
    outcome, _ = run_import("budget", path)
    assert [e.line for e in outcome.errors] == [3]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.pdf", b"%PDF", "Filtypen"),
        ("a.xlsx", b"not a zip", "Excel"),
        ("a.csv", b"", "tom"),
        ("a.csv", b"Navn;Foo\nx;y\n", "Der mangler"),
        ("a.csv", b"Omr\x00de", "Kolonneoverskrifterne blev ikke fundet"),
    ],
)
def test_unreadable_files_are_refused_whole(run_import, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    outcome, _ = run_import("organisation", path)
    assert outcome.batch is None and message in outcome.file_error


def test_placements_sample_after_the_organisation(onboarded, run_import):
    outcome, targets = run_import("bevillinger", SAMPLES / "bevillinger.csv")
    t = by_key(targets)
    assert outcome.batch.reconciliation["in_file"] == 30
    assert (t["citizens"].written, t["providers"].written, t["offers"].written, t["placements"].written) == (
        30,
        4,
        5,
        30,
    )
    assert (
        t["placements"].amount
        == t["placements"].written_amount
        == Decimal(outcome.batch.reconciliation["amount_in_file"])
    )
    assert Placement.objects.count() == 30 and Citizen.objects.count() == 30
    assert Placement.objects.filter(status="aktiv").count() == 26
    assert Placement.objects.filter(status="ophoert", end_date__isnull=False).count() == 3
    # Three sales: Frederiksberg (by name), Gladsaxe ("Gladsaxe Kommune") and 159 (Gladsaxe by number).
    sales = Placement.objects.sales()
    assert sorted(sales.values_list("paying_municipality__name", flat=True)) == [
        "Frederiksberg",
        "Gladsaxe",
        "Gladsaxe",
    ]
    assert all(p.acting_municipality_id == p.paying_municipality_id for p in sales)
    assert Placement.objects.own_citizens().count() == 27
    assert (
        not Placement.objects.exclude(acting_municipality_id=Municipality.own_code())
        .exclude(pk__in=sales.values("pk"))
        .exists()
    )
    first = Placement.objects.get(citizen__case_number="SAG-2021-1001")
    assert first.offer.home.name == "Egely" and first.package.name == "Døgnpakke A"
    assert first.annual_price == Decimal("539500.00")  # 25 h × 415 kr. × 52
    assert first.next_follow_up >= timezone.localdate()
    assert Provider.objects.get(name="Region Sjælland").kind == "region"
    assert 1958 <= first.citizen.birth_year <= 2004
    assert Placement.objects.get(citizen__case_number="SAG-2026-1030").status == "indstillet"

    # The same file again: everything is there already, nothing is written twice.
    _, again = run_import("bevillinger", SAMPLES / "bevillinger.csv")
    assert {k: (x.create, x.written) for k, x in by_key(again).items()} == {
        "citizens": (0, 0),
        "providers": (0, 0),
        "offers": (0, 0),
        "placements": (0, 0),
    }
    assert Placement.objects.count() == 30


def test_placements_errors_name_every_bad_line_and_write_nothing(onboarded, run_import):
    before = (Placement.objects.count(), Citizen.objects.count(), Provider.objects.count())
    outcome, _ = run_import("bevillinger", FILES / "bevillinger_med_fejl.csv")
    lines = {e.line: " ".join(e.reasons) for e in outcome.errors}
    assert sorted(lines) == [3, 4, 5, 6]
    assert "Atlantis" in lines[3] and "Egely har ikke tilbud efter §107" in lines[3] and "31-02-2021" in lines[3]
    assert "andre initialer i linje 2" in lines[4]
    assert "Ukendt Hus" in lines[5] and "før startdatoen" in lines[5]
    assert "Leverandørtype" in lines[6] and "Salg" in lines[6] and "negativ" in lines[6] and "Slut" in lines[6]
    assert (Placement.objects.count(), Citizen.objects.count(), Provider.objects.count()) == before


def test_placements_reimport_with_a_new_price_is_refused(onboarded, run_import, tmp_path):
    run_import("bevillinger", SAMPLES / "bevillinger.csv")
    path = tmp_path / "b.csv"
    text = (SAMPLES / "bevillinger.csv").read_text().replace(";539.500,00;05-07-2021;", ";600.000,00;05-07-2021;")
    path.write_text(text)
    outcome, _ = run_import("bevillinger", path)
    assert [e.line for e in outcome.errors] == [2]
    assert "539.500,00 kr." in outcome.errors[0].reasons[0]


def test_placements_refuse_cpr_numbers(onboarded, run_import, tmp_path):
    path = tmp_path / "b.csv"
    path.write_text(
        "Sagsnummer;Initialer;Tilbud;Paragraf;Årspris;Startdato;Status\n"
        "010190-1234;AB;Egely;§108;1,00;01-01-2024;Aktiv\n"
    )
    outcome, _ = run_import("bevillinger", path)
    assert "CPR" in outcome.errors[0].reasons[0]


def test_stale_previews_are_discarded(run_import):
    old, _ = run_import("organisation", SAMPLES / "organisation.csv", confirm=False)
    ImportBatch.objects.filter(pk=old.batch.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    run_import("organisation", SAMPLES / "organisation.csv", confirm=False)
    old.batch.refresh_from_db()
    assert old.batch.status == ImportBatch.Status.DISCARDED and not old.batch.rows.exists()


def test_reader_lines_and_kind_errors_are_named_together(run_import, tmp_path):
    """Title lines above the header are skipped; a line the reader cannot split
    (too many fields, NUL bytes) is named beside the kind's own errors, in file order."""
    path = tmp_path / "org.csv"
    path.write_bytes(
        "Organisation, Fjordby Kommune\n"
        "Udtrukket 01-12-2026\n"
        "Område;Botilbud;Omkostningssted;Pladser;Målgruppe\n"
        "Nord;Egely;61010;24;Handicap\n"
        "Nord;Skovbrynet;61020;16;Sindslidelse;ekstra\n"
        "Nord;Hav\x00nehuset;61030;10;Sindslidelse\n"
        "Syd;Lyngbakken;62010;tredive;Handicap\n".encode()
    )
    outcome, _ = run_import("organisation", path)
    assert [e.line for e in outcome.errors] == [5, 6, 7]
    assert "tredive" in outcome.errors[2].reasons[0]
    assert outcome.in_file == 4
    assert Home.objects.count() == 0 and ImportBatch.objects.count() == 0


def test_title_lines_and_windows_1252(run_import, tmp_path):
    path = tmp_path / "org.csv"
    path.write_bytes(
        "Botilbud i Fjordby\nOmråde;Botilbud;Omkostningssted;Pladser;Målgruppe\nSyd;Møllegården;62030;12;Sindslidelse\n".encode(
            "cp1252"
        )
    )
    outcome, _ = run_import("organisation", path)
    assert outcome.errors == [] and Home.objects.get().name == "Møllegården"


def test_a_home_may_have_several_cost_centres(run_import, tmp_path):
    """The organisation file's »Øvrige omkostningssteder«: each becomes a CostCentre of its home, the
    actuals import books them on it, a re-import leaves them alone, and a clash is named by its line."""

    run_import("organisation", SAMPLES / "organisation.csv")
    egely = Home.objects.get(cost_centre="61010")
    assert sorted(CostCentre.objects.filter(home=egely).values_list("code", flat=True)) == ["61011", "61012"]
    assert list(CostCentre.objects.filter(code="62011").values_list("home__name", flat=True)) == ["Lyngbakken"]

    ensure_default_accounts()
    data = (
        "Omkostningssted;Funktion;Art;Bogføringsdato;Beløb;Tekst\n"
        "61010;5.38.50;1.10;03-11-2026;100,00;Hovedomkostningssted\n"
        "61012;5.38.50;2.21;04-11-2026;25,50;Dagtilbuddets PSP\n"
    ).encode()
    outcome = import_actuals(stream=io.BytesIO(data), file_name="f.csv", user=None, mode="apply")
    assert outcome.stage.ok, outcome.stage.errors
    assert sorted(Actual.objects.filter(home=egely).values_list("cost_centre", "amount")) == [
        ("61010", Decimal("100.00")),
        ("61012", Decimal("25.50")),
    ]

    _, targets = run_import("organisation", SAMPLES / "organisation.csv")  # again: nothing new
    assert by_key(targets)["cost_centres"].unchanged == 3 and by_key(targets)["cost_centres"].written == 0

    clash = tmp_path / "org.csv"
    text = (SAMPLES / "organisation.csv").read_text()
    text = text.replace(";61011, 61012", ";61011, 61020")  # 61020 is Skovbrynet's own
    text = text.replace("420,00;62011", "420,00;61011")  # already Egely's (line 2 of this file, too)
    clash.write_text(text)
    outcome, _ = run_import("organisation", clash)
    lines = {e.line: " ".join(e.reasons) for e in outcome.errors}
    assert sorted(lines) == [2, 3, 5]  # both sides of each clash
    assert "»61020« er hovedomkostningssted for et andet botilbud" in lines[2]
    assert "»61020« står også i linje 2" in lines[3]
    assert "»61011« står også i linje 2" in lines[5]
    assert outcome.batch is None and CostCentre.objects.count() == 3
