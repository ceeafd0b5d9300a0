"""The PL index step 2026 → 2027 (hand-computed).

PL 2027 set to 2,50 % in these tests (factor 1,025), every amount rounded half-up to øre:

- hour price Egebakken 100,20 → 102,705 → 102,71 (half-up; banker's rounding would give 102,70);
- Lindehuset already has a 2027 hour price: skipped;
- external list price Engly 600.000 (from 01-01-2026) → 615.000 from 01-01-2027; Kildebo has a
  2027 price already: skipped;
- Egebakken's approved 2026 rate 365.000,00 a year → 374.125,00; day rate 374.125 ÷ 365 = 1.025,00;
- refusion thresholds 2026 998.266,12 → 1.023.222,773 → 1.023.222,77 (and the other two);
- an own citizen at Engly from 01-06-2026, 600.000 a year → 615.000 from 01-01-2027;
- an own citizen in Egebakken with 6 h/week: 6 × 100,20 × 52 = 31.262,40 → 6 × 102,71 × 52 = 32.045,52;
- a placement with a package change dated in 2027 is left for manual review.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse

from botilbud.lib.locking import VersionConflict, save_versioned
from botilbud.models import HourPrice
from botilbud.registry import load_reference_data
from budget.authority import authority_forecast
from budget.rates import indexing
from budget.rates.models import IndexRun, PriceIndex, RateCalculation, RefusionTier
from visitation.models import Citizen, OfferPrice, Placement, PlacementChange


@pytest.mark.parametrize(
    "amount,pct,expected",
    [
        ("100.20", "2.5", "102.71"),  # 102,705: half-up
        ("100.02", "2.5", "102.52"),  # 102,5205
        ("0.00", "2.5", "0.00"),
        ("998266.12", "2.5", "1023222.77"),  # 1.023.222,773
        ("1000.00", "0", "1000.00"),  # no development
        ("1000.00", "-1.5", "985.00"),  # a falling index
    ],
)
def test_index_amount_rounds_half_up_to_ore(amount, pct, expected):
    assert indexing.index_amount(D(amount), D(pct)) == D(expected)


@pytest.fixture
def setup(org, vis):
    load_reference_data()
    PriceIndex.objects.filter(year=2027).update(pl_pct=D("2.50"))
    HourPrice.objects.filter(home=org.home_a, year=2026).update(hour_price=D("100.20"))
    HourPrice.objects.create(home=org.home_b, year=2026, hour_price=D("300.00"))
    HourPrice.objects.create(home=org.home_b, year=2027, hour_price=D("310.00"))
    OfferPrice.objects.create(offer=vis.ext_107, valid_from=dt.date(2027, 1, 1), annual_price=D("900000"))
    RateCalculation.objects.create(
        home=org.home_a,
        year=2026,
        places=20,
        occupancy_pct=D("95"),
        overhead_pct=D("3"),
        regulation_limit_pct=D("5"),
        cost_groups=["loen", "drift"],
        status="godkendt",
        approved_annual=D("365000.00"),
        approved_day=D("1000.00"),
    )

    def place(case, offer, price, start, end=None, package=None):
        return Placement.objects.create(
            citizen=Citizen.objects.create(case_number=case, initials=case[:2]),
            offer=offer,
            package=package,
            start_date=start,
            end_date=end,
            annual_price=D(price),
            status="aktiv",
            required_level="visitationsudvalg",
        )

    s = type("S", (), {})()
    s.ext = place("EXT-1", vis.ext_108, "600000", dt.date(2026, 6, 1))
    s.ext_short = place("EXT-2", vis.ext_108, "600000", dt.date(2026, 6, 1), end=dt.date(2027, 3, 31))
    s.ended = place("EXT-3", vis.ext_108, "600000", dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
    s.own = place("OWN-1", vis.own_108, "31262.40", dt.date(2026, 3, 1), package=vis.pkg6)
    s.changed = place("CHG-1", vis.ext_107, "870000", dt.date(2026, 2, 1))
    PlacementChange.objects.create(
        placement=s.changed,
        kind="pakke",
        effective_date=dt.date(2027, 2, 1),
        old_annual_price=D("870000"),
        new_annual_price=D("880000"),
        created_by=org.caseworker,
    )
    return s


def _lines(plan, kind):
    return [(ln.label, ln.old, ln.new, ln.create) for ln in plan.lines if ln.kind == kind]


def test_preview_lists_old_and_new_per_line(org, setup):
    plan = indexing.plan(2026, org.administrator)
    assert plan.pl_pct == D("2.50") and plan.to_year == 2027
    assert _lines(plan, "timepris") == [
        ("Egebakken", D("100.20"), D("102.71"), True),
        ("Lindehuset", D("300.00"), D("310.00"), False),  # has its 2027 price
    ]
    assert _lines(plan, "takst") == [("Egebakken – Alle pladser (årstakst)", D("365000.00"), D("374125.00"), True)]
    assert [ln.note for ln in plan.lines if ln.kind == "takst"] == ["Døgntakst 2027: 1.025,00 kr."]
    assert [new for _, _, new, _ in _lines(plan, "refusion")] == [
        D("1023222.77"),  # 998.266,12 × 1,025
        D("1998853.78"),  # 1.950.101,25 × 1,025 = 1.998.853,78125
        D("2522363.11"),  # 2.460.842,06 × 1,025 = 2.522.363,1115
    ]
    offers = {label.split(" (")[0]: (old, new, create) for label, old, new, create in _lines(plan, "tilbudspris")}
    assert offers["Bostedet Engly"] == (D("600000.00"), D("615000.00"), True)
    assert offers["Kildebo"][2] is False  # has a 2027 price
    placements = {label.split(" ")[0]: (old, new, create) for label, old, new, create in _lines(plan, "bevilling")}
    assert placements == {
        "EXT-1": (D("600000.00"), D("615000.00"), True),
        "EXT-2": (D("600000.00"), D("615000.00"), True),
        "OWN-1": (D("31262.40"), D("32045.52"), True),  # 6 × 102,71 × 52
        "CHG-1": (D("870000.00"), None, False),  # a change dated in 2027: manual review
    }  # EXT-3 ends 31-12-2026: nothing to index


def test_confirm_writes_everything_and_costs_split_on_1_january(org, setup):
    before_2026 = authority_forecast(2026, 12).total("placements_cost")
    plan = indexing.plan(2026, org.administrator)
    run = indexing.apply(from_year=2026, user=org.administrator, fingerprint=plan.fingerprint)
    assert len(run.lines) == len(plan.to_create) == 9  # 1 + 1 + 3 + 1 + 3
    assert HourPrice.objects.get(home=org.home_a, year=2027).hour_price == D("102.71")
    assert OfferPrice.objects.get(offer__name="Bostedet Engly", valid_from=dt.date(2027, 1, 1)).annual_price == D(
        "615000.00"
    )
    calc = RateCalculation.objects.get(home=org.home_a, year=2027)
    assert (calc.status, calc.approved_annual, calc.approved_day, calc.indexed_from) == (
        "fremskrevet",
        D("374125.00"),
        D("1025.00"),
        2026,
    )
    assert RefusionTier.objects.filter(year=2027).count() == 3
    change = PlacementChange.objects.get(placement=setup.ext, kind="pris")
    assert (change.effective_date, change.old_annual_price, change.new_annual_price) == (
        dt.date(2027, 1, 1),
        D("600000.00"),
        D("615000.00"),
    )
    # The price in force on each day: 2026 is untouched; 2027 is at the new price.
    assert authority_forecast(2026, 12).total("placements_cost") == before_2026
    rows_2027 = authority_forecast(2027, 1)
    # EXT-1 615.000 + EXT-2 615.000 × 90/365 (1 Jan–31 Mar) + OWN-1 32.045,52
    # + CHG-1 870.000 × 31/365 + 880.000 × 334/365 (its own package change on 1 February).
    expected = (
        D("615000") + D("615000") * 90 / 365 + D("32045.52") + (D("870000") * 31 + D("880000") * 334) / 365
    ).quantize(D("0.01"))
    assert sum((r.placements_cost for r in rows_2027.rows), D(0)) == pytest.approx(expected, abs=D("0.03"))
    # Nothing is left to index: a second confirm is refused.
    again = indexing.plan(2026, org.administrator)
    assert again.to_create == []
    with pytest.raises(indexing.IndexStepError, match="intet at fremskrive"):
        indexing.apply(from_year=2026, user=org.administrator, fingerprint=again.fingerprint)


def test_a_stale_preview_is_refused_and_writes_nothing(org, setup):
    plan = indexing.plan(2026, org.administrator)
    HourPrice.objects.filter(home=org.home_a, year=2026).update(hour_price=D("101.00"))
    with pytest.raises(indexing.IndexConflict, match="ændret"):
        indexing.apply(from_year=2026, user=org.administrator, fingerprint=plan.fingerprint)
    assert not HourPrice.objects.filter(home=org.home_a, year=2027).exists()
    assert not IndexRun.objects.exists()


def test_undo_removes_exactly_what_the_run_wrote(org, setup):
    plan = indexing.plan(2026, org.administrator)
    run = indexing.apply(from_year=2026, user=org.administrator, fingerprint=plan.fingerprint)
    indexing.undo(run=run, user=org.administrator, seen_version=run.version)
    run.refresh_from_db()
    assert run.is_undone and run.undone_by == org.administrator
    assert not HourPrice.objects.filter(home=org.home_a, year=2027).exists()
    assert HourPrice.objects.filter(home=org.home_b, year=2027).exists()  # was there before: kept
    assert not RateCalculation.objects.filter(year=2027).exists()
    assert not RefusionTier.objects.filter(year=2027).exists()
    assert not OfferPrice.objects.filter(offer__name="Bostedet Engly", valid_from__year=2027).exists()
    assert not PlacementChange.objects.filter(kind="pris").exists()
    setup.ext.refresh_from_db()
    assert setup.ext.annual_price == D("600000.00")
    with pytest.raises(indexing.IndexStepError, match="allerede fortrudt"):
        indexing.undo(run=run, user=org.administrator, seen_version=run.version)


def test_undo_is_refused_when_something_it_wrote_was_changed(org, setup):
    plan = indexing.plan(2026, org.administrator)
    run = indexing.apply(from_year=2026, user=org.administrator, fingerprint=plan.fingerprint)
    hp = HourPrice.objects.get(home=org.home_a, year=2027)
    hp.hour_price = D("105.00")
    save_versioned(hp, seen_version=hp.version)
    with pytest.raises(indexing.IndexConflict, match="Egebakken"):
        indexing.undo(run=run, user=org.administrator, seen_version=run.version)
    assert HourPrice.objects.get(home=org.home_a, year=2027).hour_price == D("105.00")
    with pytest.raises(VersionConflict):
        indexing.undo(run=run, user=org.administrator, seen_version=run.version - 1)


def test_a_consultant_indexes_own_homes_only(org, setup):
    plan = indexing.plan(2026, org.consultant)
    assert {ln.kind for ln in plan.lines} == {"timepris", "takst", "bevilling"}
    # Home-side roles see citizens by initials only, never the case number.
    assert [label for label, *_ in _lines(plan, "bevilling")] == [f"OW (bevilling {setup.own.pk}) i Egebakken"]
    assert not indexing.can_index(org.caseworker) and not indexing.can_index(org.manager)


def test_index_pages_and_roles(org, setup, client_for):
    url = reverse("rates:index_step") + "?fra=2026"
    assert client_for(org.manager).get(url).status_code == 403
    c = client_for(org.administrator)
    page = c.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and "102,71 kr." in body and "615.000,00 kr." in body
    fingerprint = page.context["plan"].fingerprint
    assert c.post(url, {"fra": "2026", "fingerprint": "x"}).status_code == 400
    assert c.post(reverse("rates:index_step") + "?fra=abc").status_code == 400
    response = c.post(url, {"fra": "2026", "fingerprint": fingerprint})
    assert response.status_code == 302
    run = IndexRun.objects.get()
    body = c.get(url).content.decode()
    assert "Gælder" in body and "Fortryd" in body
    assert c.post(reverse("rates:index_undo", args=[run.pk]), {"version": run.version}).status_code == 302
    assert IndexRun.objects.get().is_undone
    assert client_for(org.manager).post(reverse("rates:index_undo", args=[run.pk]), {"version": 1}).status_code == 403


def test_price_index_page_edits_with_history_and_locking(org, client_for):
    load_reference_data()
    url = reverse("rates:price_index")
    pl = PriceIndex.objects.get(year=2027)
    assert "Nej, ikke bekræftet" in client_for(org.caseworker).get(url).content.decode()
    assert client_for(org.caseworker).post(url, {"year": "2028", "pl_pct": "2,5"}).status_code == 403
    c = client_for(org.consultant)
    data = {"aar": "2027", "year": "2027", "pl_pct": "3,1", "source": "KL juni", "confirmed": "on"}
    assert c.post(url, {**data, "version": pl.version}).status_code == 302
    pl.refresh_from_db()
    assert (pl.pl_pct, pl.confirmed, pl.updated_by) == (D("3.10"), True, org.consultant)
    stale = c.post(url, {**data, "pl_pct": "3,2", "version": pl.version - 1})
    assert stale.status_code == 409
    assert c.post(url, {"year": "2028", "pl_pct": "abc"}).status_code == 400
    assert c.post(url, {"year": "2027", "pl_pct": "2"}).status_code == 400  # the year exists
    history = c.get(reverse("history", args=["pl", pl.pk])).content.decode()
    assert "3,10" in history or "3.10" in history


@pytest.mark.parametrize("n", [1, 8])
def test_preview_and_pl_pages_run_a_bounded_number_of_queries(
    org, setup, vis, client_for, django_assert_max_num_queries, n
):
    for i in range(n):
        Placement.objects.create(
            citizen=Citizen.objects.create(case_number=f"MORE-{i}", initials="MO"),
            offer=vis.ext_108 if i % 2 else vis.own_108,
            package=vis.pkg9,
            start_date=dt.date(2026, 5, 1),
            annual_price=D("500000"),
            status="aktiv",
            required_level="visitationsudvalg",
        )
    c = client_for(org.administrator)
    with django_assert_max_num_queries(30):
        assert c.get(reverse("rates:index_step") + "?fra=2026").status_code == 200
    with django_assert_max_num_queries(12):
        assert c.get(reverse("rates:price_index")).status_code == 200


@pytest.mark.parametrize(
    "line",
    [
        indexing.IndexLine(
            "bevilling",
            "placement:7",
            "AB i X",
            D("100.00"),
            D("102.50"),
            True,
            "Fra 01-01-2027",
            {"placement_id": 7, "version": 3, "date": "2027-01-01"},
        ),
        indexing.IndexLine("takst", "calc:1", "Hjem – Alle pladser (årstakst)", D("5"), None, False, "Har allerede"),
    ],
)
def test_a_lines_json_is_its_fields_in_order_with_amounts_as_text(line):
    """What a run stores of each line and what the plan's fingerprint hashes: every field as
    dataclasses.asdict gives it (same keys, same order), the amounts as text."""
    expected = dataclasses.asdict(line)
    expected["old"] = None if line.old is None else str(line.old)
    expected["new"] = None if line.new is None else str(line.new)
    got = line.as_json()
    assert list(got.items()) == list(expected.items())
    got["data"]["extra"] = 1  # a copy: the line's own data is untouched
    assert "extra" not in line.data


def test_a_preview_holds_the_first_lines_with_the_whole_plans_counts_and_fingerprint(org, setup, client_for):
    """The page reads only the first placement lines (the administrator's plan has about
    5,000): their counts come from the database, and the fingerprint it shows is the one
    ``apply`` computes from the whole plan."""
    full = indexing.plan(2026, org.administrator)
    preview = indexing.plan(2026, org.administrator, preview_lines=1)
    assert preview.fingerprint == full.fingerprint
    assert preview.create_count == len(full.to_create) == 9
    counts = {g["kind"]: (g["create"], g["skip"], g["hidden"]) for g in preview.groups(shown=1)}
    assert counts["bevilling"] == (3, 1, 3)  # EXT-1, EXT-2, OWN-1 to write; CHG-1 skipped
    assert [ln.key for ln in preview.lines if ln.kind == "bevilling"] == [
        ln.key for ln in full.lines if ln.kind == "bevilling"
    ][:1]
    # Any change to what a placement line is made of changes the fingerprint.
    Citizen.objects.filter(pk=setup.own.citizen_id).update(initials="ZZ")
    assert indexing.plan(2026, org.administrator, preview_lines=1).fingerprint != full.fingerprint
    c = client_for(org.administrator)
    body = c.get(reverse("rates:index_step") + "?fra=2026").content.decode()
    assert "fremskriv 9 linjer til 2027" in body and "Springes over: Har en ændring fra 01-02-2027" in body
