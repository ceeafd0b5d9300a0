"""The follow-up: numbers, the threshold rule, each step's role, the freeze,
the roll-ups."""

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from botilbud.lib.locking import VersionConflict
from botilbud.models import AccountGroup, Home
from budget.followup import services
from budget.followup.models import Action, AreaApproval, Explanation, HomeFollowUp, Round, Settings, Step
from budget.followup.selectors import live_numbers, live_totals, steering_budget
from budget.models import ActualTotal


def url(march, home, suffix=""):
    return f"/opfoelgning/{march.pk}/botilbud/{home.pk}/{suffix}"


def fu_for(march, home):
    return services.followups_for_round(round_=march, homes=[home])[0]


def test_threshold_is_the_smaller_of_pct_and_amount(db):
    rules = Settings.load()
    assert rules.threshold_for(Decimal("840000")) == Decimal("8400.00")
    assert rules.threshold_for(Decimal("25000000")) == Decimal("100000")
    assert rules.threshold_for(Decimal("-840000")) == Decimal("8400.00")


def test_numbers_are_hand_computed(org, march):
    n = live_numbers([org.home_a], march)[org.home_a.pk]
    wages = next(r for r in n["economy"] if r["group"] == AccountGroup.WAGES)
    assert Decimal(wages["budget_to_date"]) == Decimal("300000.00")
    assert Decimal(wages["actuals_to_date"]) == Decimal("330000.00")
    assert Decimal(wages["forecast"]) == Decimal("1230000.00")
    assert Decimal(wages["deviation"]) == Decimal("30000.00")
    assert Decimal(n["totals"]["corrected_budget"]) == Decimal("840000.00")
    assert Decimal(n["totals"]["deviation"]) == Decimal("30000.00")
    # home_a is activity-funded: steered on its gross expenditure budget,
    # wages 1.200.000 + operations 240.000 = 1.440.000; 1 % = 14.400 kr.
    assert n["financing"] == "aktivitet"
    assert Decimal(n["steering_budget"]) == Decimal("1440000.00")
    assert Decimal(n["threshold"]) == Decimal("14400.00")
    assert n["totals"]["deviation_pct"] == "2.1"  # 30.000 / 1.440.000 = 2,083 %
    assert n["action_required"] is True
    assert live_numbers([org.home_b], march)[org.home_b.pk]["action_required"] is False


def test_frame_funded_home_is_steered_on_net(org, march):
    org.home_a.financing = "ramme"
    n = live_numbers([org.home_a], march)[org.home_a.pk]
    # Net 840.000: 1 % = 8.400 kr.; deviation 30.000 / 840.000 = 3,571 % → 3,6 %.
    assert Decimal(n["steering_budget"]) == Decimal("840000.00")
    assert Decimal(n["threshold"]) == Decimal("8400.00")
    assert n["totals"]["deviation_pct"] == "3.6"


def test_threshold_boundary_is_not_over(org, march):
    economy = [
        {"group": "loen", "corrected_budget": "1000000.00"},
        {"group": "drift", "corrected_budget": "300000.00"},
        {"group": "indtaegt", "corrected_budget": "-1250000.00"},
    ]
    org.home_a.financing = "aktivitet"
    assert steering_budget(org.home_a, economy) == Decimal("1300000.00")
    org.home_a.financing = "ramme"
    assert steering_budget(org.home_a, economy) == Decimal("50000.00")


def test_each_step_belongs_to_one_role(org, march):
    fu = fu_for(march, org.home_a)
    for user in (org.manager, org.area_manager, org.department_head, org.caseworker):
        with pytest.raises(PermissionDenied):
            services.followup_prepare(followup=fu, user=user, note="", seen_version=fu.version)
    fu = services.followup_prepare(followup=fu, user=org.consultant, note="Vikarforbrug", seen_version=fu.version)
    assert fu.step == Step.MANAGER
    for user in (org.consultant, org.area_manager, org.other_manager):
        with pytest.raises(PermissionDenied):
            services.followup_confirm(followup=fu, user=user, seen_version=fu.version)
        with pytest.raises(PermissionDenied):
            services.explanation_save(followup=fu, user=user, group=AccountGroup.WAGES, text="x")


def test_manager_cannot_confirm_an_overspend_without_explanation_and_plan(org, march):
    fu = fu_for(march, org.home_a)
    fu = services.followup_prepare(followup=fu, user=org.consultant, note="", seen_version=fu.version)
    with pytest.raises(ValidationError) as refused:
        services.followup_confirm(followup=fu, user=org.manager, seen_version=fu.version)
    assert any("forklaring" in m and "løn" in m for m in refused.value.messages)
    assert any("handleplanen" in m for m in refused.value.messages)

    services.explanation_save(followup=fu, user=org.manager, group=AccountGroup.WAGES, text="Vikarer under sygdom")
    services.action_add(
        followup=fu,
        user=org.manager,
        description="Stop for eksterne vikarer",
        owner="Leder",
        deadline=dt.date(2026, 5, 1),
        expected_effect=Decimal("25000"),
    )
    fu = services.followup_confirm(followup=fu, user=org.manager, seen_version=fu.version)
    assert fu.step == Step.AREA


def test_under_threshold_confirms_without_a_plan(org, march):
    fu = fu_for(march, org.home_b)
    fu = services.followup_prepare(followup=fu, user=org.consultant, note="", seen_version=fu.version)
    assert services.followup_confirm(followup=fu, user=org.manager, seen_version=fu.version).step == Step.AREA


def _to_area(org, march, home):
    fu = fu_for(march, home)
    fu = services.followup_prepare(followup=fu, user=org.consultant, note="", seen_version=fu.version)
    Explanation.objects.create(followup=fu, group=AccountGroup.WAGES, text="Vikarer")
    Action.objects.create(
        followup=fu,
        description="Færre vikarer",
        owner="Leder",
        deadline=dt.date(2026, 5, 1),
        expected_effect=Decimal("25000"),
    )
    return services.followup_confirm(followup=fu, user=org.manager, seen_version=fu.version)


def test_area_manager_sends_back_with_comment_then_approves(org, march):
    fu = _to_area(org, march, org.home_a)
    with pytest.raises(ValidationError):
        services.followup_return(followup=fu, user=org.area_manager, comment=" ", seen_version=fu.version)
    fu = services.followup_return(
        followup=fu, user=org.area_manager, comment="Uddyb handleplanen", seen_version=fu.version
    )
    assert fu.step == Step.MANAGER and fu.returned_count == 1
    fu = services.followup_confirm(followup=fu, user=org.manager, seen_version=fu.version)
    with pytest.raises(PermissionDenied):
        services.followup_approve(followup=fu, user=org.department_head, seen_version=fu.version)
    fu = services.followup_approve(followup=fu, user=org.area_manager, seen_version=fu.version)
    assert fu.step == Step.APPROVED
    # Net forecast 1,230,000 + 240,000 − 600,000 = 870,000; the plan saves 25,000.
    assert Decimal(fu.snapshot["forecast_after_plan"]) == Decimal("845000.00")


def test_approved_followup_is_frozen(org, march, client_for):
    fu = _to_area(org, march, org.home_a)
    fu = services.followup_approve(followup=fu, user=org.area_manager, seen_version=fu.version)
    # A later import raises March wages by 50,000: the live forecast moves …
    ActualTotal.objects.filter(home=org.home_a, month=dt.date(2026, 3, 1), group=AccountGroup.WAGES).update(
        amount=Decimal("160000")
    )
    live = live_numbers([org.home_a], march)[org.home_a.pk]
    assert Decimal(live["totals"]["forecast"]) == Decimal("920000.00")
    # … the approved follow-up does not.
    fu.refresh_from_db()
    assert Decimal(fu.snapshot["totals"]["forecast"]) == Decimal("870000.00")
    page = client_for(org.manager).get(url(march, org.home_a)).content.decode()
    assert "870.000,00 kr." in page and "920.000,00 kr." not in page
    assert "fastfrosset" in page


def test_stale_approval_is_refused(org, march):
    fu = _to_area(org, march, org.home_a)
    seen = fu.version
    services.followup_return(followup=fu, user=org.area_manager, comment="Ret", seen_version=seen)
    with pytest.raises(VersionConflict):
        services.followup_approve(followup=fu, user=org.area_manager, seen_version=seen)


def test_rollups_sum_homes_and_need_every_home_approved(org, march, client_for):
    fa = services.followup_approve(followup=_to_area(org, march, org.home_a), user=org.area_manager, seen_version=None)
    with pytest.raises(ValidationError, match="Lindehuset"):
        services.area_approve(round_=march, area=org.area_north, user=org.area_manager)
    fb = fu_for(march, org.home_b)
    fb = services.followup_prepare(followup=fb, user=org.consultant, note="", seen_version=None)
    fb = services.followup_confirm(followup=fb, user=org.manager, seen_version=None)
    fb = services.followup_approve(followup=fb, user=org.area_manager, seen_version=None)
    approval = services.area_approve(round_=march, area=org.area_north, user=org.area_manager)
    # 870,000 (A) + 840,000 (B) = 1,710,000; budgets 840,000 + 840,000.
    assert Decimal(approval.snapshot["totals"]["forecast"]) == Decimal("1710000.00")
    assert Decimal(approval.snapshot["totals"]["corrected_budget"]) == Decimal("1680000.00")
    assert approval.snapshot["homes_with_action_plans"] == ["Egebakken"]
    assert Decimal(approval.snapshot["totals"]["forecast"]) == Decimal(fa.snapshot["totals"]["forecast"]) + Decimal(
        fb.snapshot["totals"]["forecast"]
    )
    page = client_for(org.area_manager).get(f"/opfoelgning/{march.pk}/omraade/{org.area_north.pk}/").content.decode()
    assert "1.710.000,00 kr." in page
    with pytest.raises(PermissionDenied):
        services.round_approve(round_=march, user=org.area_manager, seen_version=None)
    with pytest.raises(ValidationError, match="Område Syd"):
        services.round_approve(round_=march, user=org.department_head, seen_version=None)


def test_department_rollup_live_sum(org, march, client_for):
    page = client_for(org.department_head).get(f"/opfoelgning/{march.pk}/forvaltning/").content.decode()
    # Live: A 870,000 + B 840,000 + C 0 = 1,710,000.
    assert "1.710.000,00 kr." in page


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("manager", 200),
        ("consultant", 200),
        ("area_manager", 200),
        ("department_head", 200),
        ("other_manager", 404),
        ("caseworker", 404),
        ("authority_head", 404),
    ],
)
def test_followup_page_is_scoped(org, march, client_for, persona, status):
    assert client_for(getattr(org, persona)).get(url(march, org.home_a)).status_code == status


def test_wrong_method_and_wrong_role_over_http(org, march, client_for):
    fu = fu_for(march, org.home_a)
    assert client_for(org.consultant).get(url(march, org.home_a, "forbered/")).status_code == 405
    assert client_for(org.manager).post(url(march, org.home_a, "forbered/"), {"version": fu.version}).status_code == 403
    assert (
        client_for(org.other_manager).post(url(march, org.home_a, "forbered/"), {"version": fu.version}).status_code
        == 404
    )
    response = client_for(org.consultant).post(
        url(march, org.home_a, "forbered/"), {"version": fu.version, "note": "Se løn"}
    )
    assert response.status_code == 302
    assert HomeFollowUp.objects.get(pk=fu.pk).step == Step.MANAGER


def test_confirm_over_http_names_what_is_missing(org, march, client_for):
    fu = fu_for(march, org.home_a)
    fu = services.followup_prepare(followup=fu, user=org.consultant, note="", seen_version=fu.version)
    response = client_for(org.manager).post(url(march, org.home_a, "bekraeft/"), {"version": fu.version})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Skriv en forklaring på afvigelsen for løn" in text
    bad = client_for(org.manager).post(
        url(march, org.home_a, "handling/"),
        {"description": "x", "owner": "y", "deadline": "31-02-2026", "expected_effect": "abc"},
    )
    assert bad.status_code == 400
    assert "Ikke gemt" in bad.content.decode()


def test_excel_export_has_the_seven_sections_and_page_numbers(org, march, client_for):
    response = client_for(org.consultant).get(url(march, org.home_a, "excel/"))
    assert response.status_code == 200
    ws = load_workbook(BytesIO(response.getvalue())).active
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    for heading in (
        "1. Økonomi",
        "2. Aktivitet",
        "3. Personale",
        "4. Disponeringer",
        "5. Forklaring",
        "6. Handleplan",
        "7. Godkendelse",
    ):
        assert any(t.startswith(heading) for t in texts), heading
    values = [c.value for row in ws.iter_rows() for c in row]
    assert Decimal("1230000.00") in values  # the wages forecast, as on the page
    assert ws.page_setup.orientation == "landscape"


def test_round_detail_query_count_does_not_grow_with_homes(org, march, client_for, django_assert_max_num_queries):
    client = client_for(org.department_head)
    with django_assert_max_num_queries(14):  # 12 when the follow-ups are made on this visit
        assert client.get(f"/opfoelgning/{march.pk}/").status_code == 200
    Home.objects.bulk_create(
        [
            Home(name=f"Hjem {i}", area=org.area_south, capacity=10, target_group="handicap", cost_centre=f"8{i:04d}")
            for i in range(60)
        ]
    )
    with django_assert_max_num_queries(14):  # 12 when the follow-ups are made on this visit
        assert client.get(f"/opfoelgning/{march.pk}/").status_code == 200


def test_area_approval_over_http(org, march, client_for):
    response = client_for(org.area_manager).post(f"/opfoelgning/{march.pk}/omraade/{org.area_north.pk}/godkend/")
    assert response.status_code == 400
    assert not AreaApproval.objects.exists()


def test_calendar_creates_a_year_of_rounds(db):
    created = services.rounds_create(year=2027, months=[2, 4, 6, 8, 10, 12])
    assert [r.month for r in created] == [dt.date(2027, m, 1) for m in (2, 4, 6, 8, 10, 12)]
    december = Round.objects.get(month=dt.date(2027, 12, 1))
    assert (december.prepare_deadline, december.approve_deadline) == (dt.date(2028, 1, 8), dt.date(2028, 1, 16))
    assert len(services.rounds_create(year=2027)) == 6  # monthly by default; existing months kept
    with pytest.raises(ValidationError):
        services.rounds_create(year=2027, months=[13])


def test_admin_copies_rounds_to_next_year(org, march, client_for):
    response = client_for(org.administrator).post(
        "/admin/followup/round/", {"action": "copy_to_next_year", "_selected_action": [march.pk]}
    )
    assert response.status_code == 302
    assert Round.objects.filter(month=dt.date(2027, 3, 1)).exists()


def _approved_round(month, homes, forecast_of):
    """A round before March with the homes' follow-ups approved, each frozen with a wages forecast."""
    round_ = Round.objects.create(
        month=month, prepare_deadline=month, confirm_deadline=month, approve_deadline=month, status="godkendt"
    )
    for fu in services.followups_for_round(round_=round_, homes=homes):
        snapshot = live_numbers([fu.home], round_)[fu.home_id]
        snapshot["economy"][0]["forecast"] = str(forecast_of(fu.home))
        snapshot["totals"]["forecast"] = str(forecast_of(fu.home))
        HomeFollowUp.objects.filter(pk=fu.pk).update(step=Step.APPROVED, snapshot=snapshot)
    return round_


def test_change_is_against_each_homes_latest_approved_follow_up_of_the_year(org, march):
    _approved_round(dt.date(2025, 12, 1), [org.home_a], lambda h: Decimal("1"))  # last year: not read
    _approved_round(dt.date(2026, 1, 1), [org.home_a, org.home_b], lambda h: Decimal("1000000"))
    _approved_round(dt.date(2026, 2, 1), [org.home_a], lambda h: Decimal("1200000"))
    numbers = live_numbers([org.home_a, org.home_b, org.home_c], march)
    wages = {home: numbers[home.pk]["economy"][0] for home in (org.home_a, org.home_b, org.home_c)}
    assert wages[org.home_a]["change"] == "30000.00"  # 1,230,000 − February's 1,200,000
    assert wages[org.home_b]["change"] == "200000.00"  # on budget 1,200,000 − January's 1,000,000 (none in February)
    assert wages[org.home_c]["change"] is None  # never approved this year
    totals = numbers[org.home_a.pk]["totals"]
    assert totals["change"] == str(Decimal(totals["forecast"]) - Decimal("1200000"))


def test_followups_for_round_reads_in_one_query_once_made(org, march, django_assert_num_queries):
    homes = [org.home_a, org.home_b, org.home_c]
    made = services.followups_for_round(round_=march, homes=homes[:1])
    with django_assert_num_queries(3):  # the read, the insert of the two missing, the read again
        followups = services.followups_for_round(round_=march, homes=homes)
    assert made[0] in followups and {fu.home for fu in followups} == set(homes)
    with django_assert_num_queries(1):
        assert services.followups_for_round(round_=march, homes=homes) == followups
    assert HomeFollowUp.objects.filter(round=march).count() == 3


@pytest.mark.parametrize("page", ["forvaltning/", "forvaltning/excel/", "omraade/{north}/"])
def test_rollup_query_count_does_not_grow_with_homes(org, march, client_for, django_assert_max_num_queries, page):
    _approved_round(dt.date(2026, 2, 1), [org.home_a, org.home_b], lambda h: Decimal("1000000"))
    client = client_for(org.department_head)
    path = f"/opfoelgning/{march.pk}/" + page.format(north=org.area_north.pk)
    for extra in (0, 60):
        Home.objects.bulk_create(
            [
                Home(
                    name=f"Hjem {i}", area=org.area_north, capacity=10, target_group="handicap", cost_centre=f"8{i:04d}"
                )
                for i in range(extra)
            ]
        )
        with django_assert_max_num_queries(24):  # the round's first visit makes the missing follow-ups
            assert client.get(path).status_code == 200
        with django_assert_max_num_queries(22):
            assert client.get(path).status_code == 200


def test_live_totals_are_live_numbers_totals(org, march):
    """The round page's figures (live_totals) are the ones live_numbers gives: A over its
    threshold, B on budget, C without a budget; an activity-funded home steered on its gross."""
    org.home_b.financing = Home.Financing.ACTIVITY
    org.home_b.save()
    homes = [org.home_a, org.home_b, org.home_c]
    full, totals = live_numbers(homes, march), live_totals(homes, march)
    for home in homes:
        want = full[home.pk]
        assert totals[home.pk] == {
            "totals": {k: v for k, v in want["totals"].items() if k != "change"},
            "steering_budget": want["steering_budget"],
            "threshold": want["threshold"],
            "action_required": want["action_required"],
        }
    assert totals[org.home_a.pk]["action_required"] and totals[org.home_a.pk]["totals"]["deviation"] == "30000.00"
    assert totals[org.home_b.pk]["steering_budget"] == "1440000.00"  # gross: wages + operations
    assert not totals[org.home_c.pk]["action_required"]


def test_numbers_for_sums_are_the_full_numbers_without_changes_and_staff(org, march):
    _approved_round(dt.date(2026, 2, 1), [org.home_a], lambda h: Decimal("1200000"))
    homes = [org.home_a, org.home_b, org.home_c]
    full, lean = live_numbers(homes, march), live_numbers(homes, march, for_sums=True)
    for home in homes:
        want = {k: v for k, v in full[home.pk].items() if k != "staff"}
        want["economy"] = [{k: v for k, v in row.items() if k != "change"} for row in want["economy"]]
        want["totals"] = {k: v for k, v in want["totals"].items() if k != "change"}
        assert lean[home.pk] == want
    assert full[org.home_a.pk]["totals"]["change"] is not None  # the full numbers had one to leave out
