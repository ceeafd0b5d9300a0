"""Real data in, as a consultant does it in Chromium: a SAP-style export with a layout the app has never
seen gets a profile built with the live preview, its reconciliation is checked and confirmed, the forecast
moves, the posting list shows the rows behind a figure; a file with two bad lines is refused naming both
file lines, and nothing is written. Every page passes axe."""

from __future__ import annotations

from decimal import Decimal

from budget.chart import ensure_default_accounts
from budget.models import Actual, ActualsImport, BudgetLine, ImportProfile
from tests.browser.conftest import axe_violations, screenshot

HEADER = "Ansv.sted;Kontostreng;Periode (SAP);Bogført;Beløb i DKK;Posteringstekst"
# An extract from a finance system laid out as no shipped profile expects: two title lines, cp1252,
# account string "538500 1 11" (function, gruppering digit, dranst, art), SAP periods and a trailing minus.
ROWS = [
    ("52000", "538500 1 11", "011.2026", "03.11.2026", "210.000,00", "Fast løn november"),
    ("52000", "538500 1 22", "011.2026", "10.11.2026", "12.345,67", "Fødevarer"),
    ("52000", "538500 1 47", "011.2026", "12.11.2026", "30.000,00", "Køb hos Aarhus Kommune"),
    ("52000", "538500 1 77", "011.2026", "28.11.2026", "20.000,00-", "Salg af plads"),
    ("52010", "538500 1 11", "011.2026", "03.11.2026", "150.000,00", "Fast løn november"),
]
HOME_A_TOTAL = Decimal("232345.67")  # 210.000 + 12.345,67 + 30.000 − 20.000


def _file(path, rows, title="Økonomisystem A/S – posteringsliste"):
    lines = [title, "Udtræk 01.12.2026", HEADER, *(";".join(r) for r in rows)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path


def _budgets(org):
    ensure_default_accounts()
    for group, amount in (("loen", "4800000"), ("drift", "600000"), ("indtaegt", "-1200000")):
        BudgetLine.objects.create(home=org.home_a, year=2026, group=group, original=Decimal(amount))


def test_consultant_builds_a_profile_for_an_unseen_sap_layout(org, page, login, tmp_path):
    _budgets(org)
    login(org.consultant)
    budget_url = f"{page.base_url}/budget/botilbud/{org.home_a.pk}/?aar=2026&maaned=11"
    page.goto(budget_url)
    # No actuals yet: December's twelfth of the net budget 4.200.000 is all the forecast has.
    assert page.get_by_test_id("forecast-total").inner_text() == "350.000 kr."

    # 1. The profile, built against the sample file with the live preview.
    sample = _file(tmp_path / "posteringer_nov.csv", ROWS)
    page.goto(page.base_url + "/budget/forbrug/profiler/ny/")
    page.set_input_files("#id_sample", str(sample))
    # Read as it comes, the first title line is taken for the header: the live preview says so.
    page.wait_for_selector("#preview-detected")
    assert "Overskriften er linje 1: Økonomisystem A/S" in page.locator("#preview-detected").inner_text()
    page.fill("#id_name", "Økonomisystem A/S (SAP)")
    page.select_option("#id_separator", ";")
    page.select_option("#id_encoding", "cp1252")
    page.fill("#id_title_lines", "2")
    page.press("#id_title_lines", "Tab")  # a changed field updates the preview by itself
    page.wait_for_selector("#preview-raw >> text=Ansv.sted")  # before the columns are named: the file as read
    assert "Ansv.sted" in page.locator("#preview-raw").inner_text()
    assert "linje 3" in page.locator("#preview-detected").inner_text().lower()
    page.fill("#id_col_cost_centre", "Ansv.sted")
    page.fill("#id_col_account", "Kontostreng")
    page.fill("#id_account_pattern", "FFFFF? D AA")
    page.fill("#id_col_period", "Periode (SAP)")
    page.select_option("#id_period_format", "PPP.YYYY")
    page.fill("#id_col_posting_date", "Bogført")
    page.select_option("#id_date_format", "DD.MM.YYYY")
    page.fill("#id_col_text", "Posteringstekst")
    page.fill("#id_col_amount", "Beløb i DKK")
    page.get_by_role("button", name="Vis forhåndsvisning").click()
    mapped = page.locator("#preview-mapped")
    mapped.wait_for()
    text = mapped.inner_text()
    assert "5.38.50" in text and "2026-11" in text and "-20000,00" in text  # SAP's trailing minus read
    assert page.locator("#preview-mapped tbody tr").count() == len(ROWS)
    assert axe_violations(page) == []
    screenshot(page, "profile_live_preview")
    page.get_by_role("button", name="Gem profil").click()
    page.wait_for_load_state()
    profile = ImportProfile.objects.get(name="Økonomisystem A/S (SAP)")
    assert profile.account_pattern == "FFFFF? D AA" and profile.title_lines == 2

    # 2. The import through it: the reconciliation, then confirm.
    page.goto(page.base_url + "/budget/forbrug/")
    page.select_option("#id_profile", label=profile.name)
    page.set_input_files("#id_file", str(sample))
    page.click("text=Kontrollér filen")
    rec = page.locator("#reconciliation")
    rec.wait_for()
    foot = rec.locator("tfoot").inner_text()
    assert foot.count("5") >= 3 and "Ja" in foot  # 5 rows in the file = staged = to be written
    row_a = rec.locator("tbody tr", has_text="52000").inner_text()
    assert row_a.count("232.345,67 kr.") == 3  # file = staged = written
    assert axe_violations(page) == []
    screenshot(page, "profile_import_reconciliation")
    page.click("text=Godkend og indlæs")
    assert page.get_by_text("er indlæst: 5 posteringer").is_visible()
    assert Actual.objects.filter(home=org.home_a).count() == 4
    batch = ActualsImport.objects.get()
    page.goto(f"{page.base_url}/budget/forbrug/{batch.pk}/")
    assert "232.345,67 kr." in page.locator("#reconciliation").inner_text()  # kept on the import's page
    assert axe_violations(page) == []

    # 3. The forecast moved by exactly the home's November actuals.
    page.goto(budget_url)
    assert page.get_by_test_id("forecast-total").inner_text() == "582.346 kr."  # 350.000 + 232.345,67
    # The chart's finer groups under their kind: operations 42.345,67 = 12.345,67 + 30.000 (other municipalities).
    assert page.locator('#forecast-table tr[data-group="drift"] td[data-col="actuals"]').inner_text() == "42.345,67 kr."
    sub = page.locator('#forecast-table tr[data-subgroup="koeb_kommuner"]')
    assert "heraf køb hos andre kommuner" in sub.inner_text() and "30.000,00 kr." in sub.inner_text()
    assert "12.345,67 kr." in page.locator('#forecast-table tr[data-subgroup="drift"]').inner_text()
    assert axe_violations(page) == []
    screenshot(page, "profile_import_forecast_moved")

    # 4. Drill down from November's wages to the postings behind the figure.
    page.click("text=Vis som tabel")
    link = page.get_by_role("link", name="Posteringer løn nov: 210.000")
    link.click()
    page.wait_for_load_state()
    postings = page.locator("#postings").inner_text()
    assert "538500 1 11" in postings and "Fast løn november" in postings and "210.000,00 kr." in postings
    assert "Salg af plads" not in postings  # only the wage group
    assert axe_violations(page) == []
    screenshot(page, "profile_import_postings")
    page.goto(f"{page.base_url}/budget/botilbud/{org.home_a.pk}/posteringer/?maaned=2026-11")
    groups = page.locator("#posting-groups").inner_text()
    assert "Køb hos andre kommuner" in groups and "30.000,00 kr." in groups  # the finer group apart

    # 5. A file with two bad lines: refused, both named by their file line, nothing written.
    bad_rows = list(ROWS)
    bad_rows[1] = ("52000", "538500 1 22", "011.2026", "10.11.2026", "12,34,56", "Fødevarer")  # line 5
    bad_rows[3] = ("52000", "5385 1 77", "011.2026", "28.11.2026", "20.000,00-", "Salg af plads")  # line 7
    bad = _file(tmp_path / "posteringer_med_fejl.csv", bad_rows)
    before = list(Actual.objects.order_by("id").values_list("id", "amount"))
    page.goto(page.base_url + "/budget/forbrug/")
    page.select_option("#id_profile", label=profile.name)
    page.set_input_files("#id_file", str(bad))
    page.click("text=Kontrollér filen")
    errors = page.locator("#import-errors")
    errors.wait_for()
    assert "Intet er indlæst" in errors.inner_text()
    assert "12,34,56" in page.locator('tr[data-row="5"]').inner_text()
    assert "passer ikke til mønsteret" in page.locator('tr[data-row="7"]').inner_text()
    assert page.locator("#import-error-rows tbody tr").count() == 2
    assert axe_violations(page) == []
    screenshot(page, "profile_import_two_bad_lines")
    assert list(Actual.objects.order_by("id").values_list("id", "amount")) == before
    assert ActualsImport.objects.count() == 1
    assert page.csp_errors == []
