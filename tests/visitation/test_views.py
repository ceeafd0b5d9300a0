from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.http import urlencode
from openpyxl import load_workbook

from botilbud.demo import DemoContext
from botilbud.lib.dates import add_months
from botilbud.models import Job, Paragraph
from botilbud.registry import load_reference_data
from tests.visitation.conftest import make_placement
from visitation import demo, selectors
from visitation.models import Citizen, Decision, Placement, Provider, SupportPackage


def test_pages_render_for_authority(org, vis, client_for):
    p = make_placement(vis.ext_108, price="600000.00", status=Placement.Status.PROPOSED, level="visitationsudvalg")
    c = client_for(org.caseworker)
    for name, args in [
        ("visitation:placement_list", []),
        ("visitation:placement_create", []),
        ("visitation:price_panel", []),
        ("visitation:worklist", []),
        ("visitation:approval_queue", []),
        ("visitation:purchases_sales", []),
        ("visitation:placement_detail", [p.pk]),
    ]:
        r = c.get(reverse(name, args=args))
        assert r.status_code == 200, name
    assert "Opfølgninger, der forfalder" in c.get("/").content.decode()


def test_create_flow_without_js(org, vis, client_for):
    c = client_for(org.caseworker)
    data = {
        "case_number": "2026-0001",
        "initials": "ab",
        "paragraph": vis.p108.pk,
        "offer": vis.ext_108.pk,
        "start_date": "01-12-2026",
    }
    # The price panel as a plain page (no JS): the price and the level are shown before saving.
    r = c.get(reverse("visitation:price_panel"), data)
    body = r.content.decode()
    assert "600.000,00 kr." in body and "Visitationsudvalget" in body
    r = c.post(reverse("visitation:placement_create"), data)
    assert r.status_code == 302
    p = Placement.objects.get(citizen__case_number="2026-0001")
    assert r["Location"] == p.get_absolute_url()
    assert p.required_level == "visitationsudvalg" and p.annual_price == Decimal("600000.00")
    agenda = c.get(reverse("visitation:approval_queue")).content.decode()
    assert "2026-0001" in agenda


def test_price_panel_htmx_returns_partial(org, vis, client_for):
    c = client_for(org.caseworker)
    r = c.get(
        reverse("visitation:price_panel"),
        {"paragraph": vis.p85.pk, "offer": vis.own_85.pk, "package": vis.pkg6.pk, "start_date": "2026-03-01"},
        headers={"HX-Request": "true"},
    )
    body = r.content.decode()
    assert r.status_code == 200
    assert "<html" not in body and 'id="price-panel"' in body
    assert "124.800,00 kr." in body and "Myndighedsleder" in body
    # Paragraph changed away from the offer's: the offer list comes out of band.
    r = c.get(
        reverse("visitation:price_panel"),
        {"paragraph": vis.p108.pk, "offer": vis.own_85.pk},
        headers={"HX-Request": "true"},
    )
    assert 'hx-swap-oob="true"' in r.content.decode()


def test_bad_input_is_400_with_danish_message(org, vis, client_for):
    c = client_for(org.caseworker)
    r = c.post(
        reverse("visitation:placement_create"),
        {
            "case_number": "X",
            "initials": "12",
            "paragraph": vis.p108.pk,
            "offer": vis.ext_108.pk,
            "start_date": "31-02-2026",
            "annual_price": "abc",
        },
    )
    assert r.status_code == 400
    body = r.content.decode()
    assert "Skriv kun initialer" in body and "gyldigt tal" in body
    r = c.get(reverse("visitation:price_panel"), {"paragraph": "x", "offer": "99999", "annual_price": "1,2,3"})
    assert r.status_code == 200


def test_wrong_method_is_405(org, vis, client_for):
    p = make_placement(vis.ext_108)
    c = client_for(org.caseworker)
    assert c.get(reverse("visitation:placement_approve", args=[p.pk])).status_code == 405
    assert c.post(reverse("visitation:placement_list")).status_code == 405
    assert c.delete(reverse("visitation:placement_end", args=[p.pk])).status_code == 405


def test_authority_head_cannot_approve_committee_case(org, vis, client_for):
    p = make_placement(vis.ext_108, price="600000.00", status=Placement.Status.PROPOSED, level="visitationsudvalg")
    c = client_for(org.caseworker)
    r = c.post(reverse("visitation:placement_approve", args=[p.pk]), {"version": p.version})
    assert r.status_code == 403
    assert "uden for din kompetence" in r.content.decode()
    p.refresh_from_db()
    assert p.status == Placement.Status.PROPOSED


def test_authority_head_approves_within_competence(org, vis, client_for):
    p = make_placement(
        vis.own_108, price="300000.00", status=Placement.Status.PROPOSED, level="myndighedsleder", package=vis.pkg25
    )
    c = client_for(org.authority_head)
    r = c.post(reverse("visitation:placement_approve", args=[p.pk]), {"version": p.version})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.status in (Placement.Status.ACTIVE, Placement.Status.APPROVED)


def test_stale_version_is_refused(org, vis, client_for):
    p = make_placement(vis.own_108, price="300000.00", status=Placement.Status.PROPOSED, level="myndighedsleder")
    c = client_for(org.authority_head)
    r = c.post(reverse("visitation:placement_approve", args=[p.pk]), {"version": p.version + 5})
    assert r.status_code == 409
    assert "ikke gemt" in r.content.decode()


def test_home_manager_sees_only_own_home_placements_with_initials(org, vis, client_for):
    mine = make_placement(vis.own_108, citizen=Citizen.objects.create(case_number="SECRET-1", initials="QQ"))
    other = make_placement(vis.own_107_c)
    external = make_placement(vis.ext_108)
    assert set(Placement.objects.visible_to(org.manager)) == {mine}
    assert set(Placement.objects.visible_to(org.other_manager)) == {other}
    assert set(Placement.objects.visible_to(org.caseworker)) == {mine, other, external}
    c = client_for(org.manager)
    r = c.get(reverse("visitation:placement_detail", args=[mine.pk]))
    assert r.status_code == 200
    body = r.content.decode()
    assert "QQ" in body and "SECRET-1" not in body
    listing = c.get(reverse("visitation:placement_list")).content.decode()
    assert "QQ" in listing and "SECRET-1" not in listing
    assert c.get(reverse("visitation:placement_detail", args=[external.pk])).status_code == 404
    c2 = client_for(org.other_manager)
    assert c2.get(reverse("visitation:placement_detail", args=[mine.pk])).status_code == 404
    assert c2.get(reverse("history", args=["bevilling", mine.pk])).status_code == 404
    # Managers cannot write.
    assert c.get(reverse("visitation:placement_create")).status_code == 403
    assert (
        c.post(
            reverse("visitation:placement_end", args=[mine.pk]), {"end_date": "2026-12-01", "version": 1}
        ).status_code
        == 403
    )


def _export(client, jobs, params=None):
    """Ask for the export (POST, filters in the query string), run the job, download the file."""

    url = reverse("visitation:placement_export")
    r = client.post(url + ("?" + urlencode(params) if params else ""))
    assert r.status_code == 302
    job = Job.objects.get()
    assert r["Location"] == reverse("job_detail", args=[job.pk])
    assert jobs.run() == {"visitation.placement_export": "succeeded"}
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    download = client.get(reverse("job_download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="bevillinger-')
    return job, list(load_workbook(io.BytesIO(download.content)).active.iter_rows(values_only=True))


def test_export_applies_filters_and_neutralises_formulas(org, vis, client_for, jobs):
    make_placement(vis.ext_108, citizen=Citizen.objects.create(case_number="=HYPERLINK(1)", initials="AB"))
    make_placement(vis.ext_107, citizen=Citizen.objects.create(case_number="K-2", initials="CD"))
    job, rows = _export(client_for(org.caseworker), jobs, {"paragraph": vis.p108.pk})
    assert len(rows) == 2
    assert rows[1][1] == "'=HYPERLINK(1)"
    assert rows[1][12] == 300000
    # Progress: one row of one, and the summary on the job's page.
    assert (job.done, job.total, job.percent, job.message) == (1, 1, 100, "1 bevillinger.")


def test_export_is_a_post(org, vis, client_for):
    assert client_for(org.caseworker).get(reverse("visitation:placement_export")).status_code == 405


@pytest.mark.parametrize("n", [2, 40])
def test_export_is_one_query_of_values_at_any_size(org, vis, client_for, django_assert_max_num_queries, jobs, n):
    """The placement export reads its rows in one query with the joins done in
    SQL (no query per row), at 2 and at 40 placements; labels and the paying
    municipality of a sale are filled in. The request itself only queues the job."""
    for i in range(n):
        make_placement(vis.ext_108, citizen=Citizen.objects.create(case_number=f"K-{i}", initials="AB"))
    make_placement(
        vis.own_108,
        citizen=Citizen.objects.create(case_number="SALG-1", initials="XY"),
        paying_municipality_id=159,
        acting_municipality_id=159,
    )
    c = client_for(org.authority_head)
    c.get(reverse("visitation:placement_list"))  # warm the session
    with django_assert_max_num_queries(6):
        assert c.post(reverse("visitation:placement_export")).status_code == 302
    # The job: the user, the count, the rows, progress writes (one per 500 rows and the last), the file.
    with django_assert_max_num_queries(12):
        jobs.run()
    job = Job.objects.get()
    rows = list(load_workbook(io.BytesIO(bytes(job.content))).active.iter_rows(values_only=True))
    assert len(rows) == n + 2
    by_case = {row[1]: row for row in rows[1:]}
    sale = by_case["SALG-1"]
    assert sale[3] == "Gladsaxe" and sale[13] in dict(Placement.Status.choices).values()
    assert by_case["K-0"][3] in ("", None) and by_case["K-0"][7] in dict(Provider.Kind.choices).values()


def test_worklist_and_followup(org, vis, client_for):
    today = dt.date.today()
    p = make_placement(vis.own_85, next_follow_up=today - dt.timedelta(days=3), package=vis.pkg6)
    c = client_for(org.caseworker)
    body = c.get(reverse("visitation:worklist")).content.decode()
    assert "overskredet" in body
    r = c.post(
        reverse("visitation:followup_create", args=[p.pk]),
        {"date": today.isoformat(), "outcome": "uaendret", "version": p.version, "note": "Fint"},
    )
    assert r.status_code == 302
    p.refresh_from_db()

    assert p.next_follow_up == add_months(today, 3)


def test_purchases_and_sales_totals(org, vis, client_for):
    year = dt.date.today().year
    make_placement(vis.ext_108, price="365000.00", start_date=dt.date(year, 1, 1))
    make_placement(
        vis.own_108,
        price="100000.00",
        start_date=dt.date(year, 1, 1),
        citizen=Citizen.objects.create(case_number="SALG-1", initials="XY"),
        paying_municipality_id=159,
        acting_municipality_id=159,
    )

    rows = {
        r["kind"]: r for r in selectors.purchases_by_provider_kind(org.caseworker, year=year, on=dt.date(year, 6, 1))
    }
    assert rows["privat"]["placements"] == 1
    assert rows["privat"]["year_cost"] == Decimal("365000.00")
    assert rows["egen"]["placements"] == 0  # the sale is not a purchase
    sales = list(selectors.sales_by_municipality(org.caseworker, year=year, on=dt.date(year, 6, 1)))
    assert sales[0]["paying_municipality__name"] == "Gladsaxe"
    body = client_for(org.department_head).get(reverse("visitation:purchases_sales")).content.decode()
    assert "Gladsaxe (159)" in body and "365.000,00 kr." in body


def _bulk(vis, n):
    citizens = Citizen.objects.bulk_create([Citizen(case_number=f"B-{n}-{i}", initials="ZZ") for i in range(n)])
    Placement.objects.bulk_create(
        [
            Placement(
                citizen=c,
                offer=vis.ext_108 if i % 2 else vis.own_108,
                package=vis.pkg25 if i % 2 == 0 else None,
                start_date=dt.date(2026, 1, 1),
                annual_price=Decimal("500000.00"),
                status=Placement.Status.PROPOSED if i % 3 == 0 else Placement.Status.ACTIVE,
                required_level="visitationsudvalg",
                next_follow_up=dt.date.today() + dt.timedelta(days=i % 20),
            )
            for i, c in enumerate(citizens)
        ]
    )


@pytest.mark.parametrize("n", [5, 60])
def test_list_pages_have_bounded_queries(org, vis, client_for, django_assert_max_num_queries, n):
    _bulk(vis, n)
    c = client_for(org.authority_head)
    for name in (
        "visitation:placement_list",
        "visitation:worklist",
        "visitation:approval_queue",
        "visitation:purchases_sales",
    ):
        with django_assert_max_num_queries(10):
            assert c.get(reverse(name)).status_code == 200
    with django_assert_max_num_queries(14):
        assert c.get("/").status_code == 200


def test_admin_pages_render(org, vis, client_for):
    make_placement(vis.ext_108)
    c = client_for(org.administrator)
    for model in (
        "provider",
        "offer",
        "supportpackage",
        "competencethreshold",
        "followuprule",
        "citizen",
        "placement",
    ):
        assert c.get(f"/admin/visitation/{model}/").status_code == 200, model
    assert c.get(f"/admin/visitation/offer/{vis.ext_108.pk}/change/").status_code == 200
    assert c.get("/admin/visitation/competencethreshold/add/").status_code == 200


def test_demo_seeder_small(org):
    load_reference_data()

    org.home_a.paragraphs.add(*Paragraph.objects.filter(code__in=["§108", "§85"]))
    org.home_c.paragraphs.add(*Paragraph.objects.filter(code__in=["§107"]))
    today = dt.date(2026, 11, 23)
    ctx = DemoContext(
        rng=random.Random(1),
        scale="small",
        today=today,
        years=list(range(2022, 2027)),
        homes=[org.home_a, org.home_b, org.home_c],
        users={"sagsbehandler": org.caseworker, "myndighedsleder": org.authority_head},
    )
    demo.seed(ctx)
    assert Placement.objects.count() == demo.PLACEMENTS["small"]
    assert Placement.objects.filter(status=Placement.Status.ENDED).exists()
    assert Placement.objects.sales().exists()
    assert Placement.objects.sales().values("paying_municipality").distinct().count() >= 3
    assert Placement.objects.filter(start_date__year=2022).exists()
    assert Decision.objects.filter(level="visitationsudvalg", meeting_date__isnull=False).exists()
    assert ctx.log


def test_home_tab_lists_own_home_placements(org, vis, client_for):
    mine = make_placement(vis.own_108, citizen=Citizen.objects.create(case_number="HEM-1", initials="RS"))
    # "TØ", not letters a random CSRF token can hold ("TU" made this test fail now and then)
    make_placement(vis.own_107_c, citizen=Citizen.objects.create(case_number="HEM-2", initials="TØ"))
    c = client_for(org.manager)
    url = reverse("visitation:home_placements", args=[org.home_a.pk])
    body = c.get(url).content.decode()
    assert "RS" in body and "HEM-1" not in body and "TØ" not in body and "HEM-2" not in body
    assert mine.get_absolute_url() in body
    assert (
        reverse("visitation:home_placements", args=[org.home_a.pk])
        in c.get(org.home_a.get_absolute_url()).content.decode()
    )
    assert c.get(reverse("visitation:home_placements", args=[org.home_c.pk])).status_code == 404


def test_list_filters_and_htmx_partial(org, vis, client_for):
    make_placement(vis.ext_108, citizen=Citizen.objects.create(case_number="F-1", initials="AA"))
    make_placement(vis.ext_107, citizen=Citizen.objects.create(case_number="F-2", initials="BB"))
    c = client_for(org.caseworker)
    url = reverse("visitation:placement_list")
    r = c.get(url, {"paragraph": vis.p107.pk}, headers={"HX-Request": "true"})
    body = r.content.decode()
    assert "<html" not in body and 'id="results"' in body
    assert "F-2" in body and "F-1" not in body
    full = c.get(url, {"q": "F-1"}).content.decode()
    assert "<html" in full and "F-1" in full and "F-2" not in full
    # Bad filter values: a Danish form, never a 500.
    assert c.get(url, {"year": "abc", "paragraph": "x"}).status_code == 200


def test_history_of_a_placement(org, vis, client_for):
    p = make_placement(vis.own_108)
    assert client_for(org.caseworker).get(reverse("history", args=["bevilling", p.pk])).status_code == 200


def test_price_panel_follows_typed_agreed_price(org, vis, client_for):
    c = client_for(org.caseworker)
    url = reverse("visitation:price_panel")
    base = {"paragraph": vis.p108.pk, "offer": vis.ext_108.pk, "start_date": "01-03-2026"}
    body = c.get(url, {**base, "annual_price": "1.200.000"}, headers={"HX-Request": "true"}).content.decode()
    assert "1.200.000,00 kr." in body and "Politisk udvalg" in body and "600.000,00 kr." in body
    body = c.get(url, {**base, "annual_price": "12x"}, headers={"HX-Request": "true"}).content.decode()
    assert "gyldigt tal" in body
    body = c.get(
        url,
        {"paragraph": vis.p85.pk, "offer": vis.own_85.pk, "package": vis.pkg6.pk, "annual_price": "5"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "bruges ikke" in body


def test_create_with_agreed_price_in_danish_format(org, vis, client_for):
    c = client_for(org.caseworker)
    data = {
        "case_number": "AGREED-1",
        "initials": "AB",
        "paragraph": vis.p107.pk,
        "offer": vis.ext_107.pk,
        "start_date": "01-12-2026",
        "annual_price": "300.000,50",
    }
    r = c.post(reverse("visitation:placement_create"), data)
    assert r.status_code == 302
    assert Placement.objects.get(citizen__case_number="AGREED-1").annual_price == Decimal("300000.50")


GARBAGE = [
    {},
    {"version": "abc", "date": "99-99-9999", "outcome": "nope", "new_package": "x"},
    {"version": "1", "end_date": "31-02-2026", "effective_date": "1.1", "new_package": "999999"},
    {"version": "1", "meeting_date": "i morgen", "note": "=1+1"},
    {"version": "-1", "date": "01-01-1900", "outcome": "uaendret"},
]


@pytest.mark.parametrize("data", GARBAGE)
def test_garbage_never_gives_500(org, vis, client_for, data):
    p = make_placement(vis.own_85, package=vis.pkg6)
    proposed = make_placement(vis.ext_108, status=Placement.Status.PROPOSED, level="visitationsudvalg")
    for user in (org.caseworker, org.authority_head, org.administrator):
        c = client_for(user)
        for name, pk in [
            ("visitation:placement_approve", proposed.pk),
            ("visitation:placement_reject", proposed.pk),
            ("visitation:placement_change_package", p.pk),
            ("visitation:placement_end", p.pk),
            ("visitation:followup_create", p.pk),
            ("visitation:placement_create", None),
        ]:
            url = reverse(name, args=[pk] if pk else [])
            r = c.post(url, data)
            assert r.status_code < 500, (name, user.role, r.status_code)
            assert r.status_code != 302 or name == "visitation:placement_approve", (name, data)
    for params in ({"side": "x"}, {"dage": "-5"}, {"aar": "99999"}, {"mine": "ja"}):
        c = client_for(org.caseworker)
        for name in ("visitation:placement_list", "visitation:worklist", "visitation:purchases_sales"):
            assert c.get(reverse(name), params).status_code == 200


def test_edit_proposed_placement_with_optimistic_locking(org, vis, client_for):
    p = make_placement(vis.ext_108, status=Placement.Status.PROPOSED, level="visitationsudvalg")
    c = client_for(org.caseworker)
    url = reverse("visitation:placement_edit", args=[p.pk])
    assert c.get(url).status_code == 200
    r = c.post(url, {"end_date": "31-12-2026", "note": "Forventet ophør", "version": p.version})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.end_date == dt.date(2026, 12, 31) and p.version == 2
    # A stale form (version 1) is refused with the conflict message.
    r = c.post(url, {"end_date": "30-11-2026", "note": "", "version": 1})
    assert r.status_code == 409
    assert "ikke gemt" in r.content.decode()
    r = c.post(url, {"end_date": "01-01-2020", "note": "", "version": 2})
    assert r.status_code == 400 and "før startdatoen" in r.content.decode()
    active = make_placement(vis.ext_108)
    assert c.get(reverse("visitation:placement_edit", args=[active.pk])).status_code == 302


def test_package_change_beyond_competence_is_403_with_message(org, vis, client_for):
    p = make_placement(vis.own_85, price="41600.00", package=SupportPackage_(2), level="sagsbehandler")
    c = client_for(org.caseworker)
    r = c.post(
        reverse("visitation:placement_change_package", args=[p.pk]),
        {"new_package": vis.pkg6.pk, "effective_date": "01-03-2026", "version": p.version},
    )
    assert r.status_code == 403
    assert "uden for din kompetence" in r.content.decode()


def SupportPackage_(hours):  # noqa: N802
    return SupportPackage.objects.get(weekly_hours=Decimal(hours))


def test_a_decision_without_version_is_refused(org, vis, client_for):
    p = make_placement(vis.own_108, price="100000.00", status=Placement.Status.PROPOSED, level="sagsbehandler")
    r = client_for(org.caseworker).post(reverse("visitation:placement_approve", args=[p.pk]), {})
    assert r.status_code == 400
    p.refresh_from_db()
    assert p.status == Placement.Status.PROPOSED


def test_non_ascii_digits_are_bad_input_not_a_crash(org, vis, client_for):
    c = client_for(org.caseworker)
    assert c.get(reverse("visitation:placement_create") + "?paragraph=²").status_code < 500
