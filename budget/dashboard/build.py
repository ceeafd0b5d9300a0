"""Builds each drill-down level's key figures and charts from the selectors.

Every level returns ``{"figures": …, "charts": {id: Chart}, …}``; the page
renders the charts and the Excel download picks one chart by id, so the
figure, its table and its download always show the same numbers.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.urls import reverse

from botilbud.lib.dates import MONTH_ABBR, MONTH_NAMES, month_end
from botilbud.lib.money import percent
from botilbud.models import AccountGroup, Area, Home, User
from botilbud.permissions import can
from budget.absence import selectors as absence_selectors
from budget.dashboard import selectors as sel
from budget.dashboard.charts import Chart, Series
from budget.models import BudgetLine
from budget.moments import Moment
from budget.selectors import monthly_table
from visitation.occupancy import Occupancy, month_occupancy
from visitation.occupancy import total as occupancy_total

ZERO = Decimal("0.00")
PLOT_LIMIT = 20  # bars in a per-home figure; its table always lists every home


def _month_label(day: dt.date) -> str:
    return f"{MONTH_NAMES[day.month - 1]} {day.year}"


def _pct(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    return percent(part, whole)


def _economy_figures(econ: sel.Economy, homes: list[Home]) -> dict[str, Any]:
    """Totals; the deviation % is of the budget the homes are steered on
    (gross expenditure for activity-funded homes, net for the others)."""
    totals = econ.totals([h.pk for h in homes])
    basis = sum((econ.steering_budget(h) for h in homes), ZERO)
    return {
        "net_budget": totals["corrected_budget"],
        "steering_budget": basis,
        "forecast": totals["forecast"],
        "deviation": totals["deviation"],
        "deviation_pct": _pct(totals["deviation"], basis),
        "actuals_to_date": totals["actuals_to_date"],
    }


def _source(econ: sel.Economy, home_ids: list[int]) -> dict[str, Any]:
    frozen = len([h for h in home_ids if h in econ.frozen])
    return {
        "round": econ.round,
        "month": econ.month,
        "frozen": frozen,
        "live": len(home_ids) - frozen,
        "moment": econ.sum_moment(home_ids),
        "live_moment": Moment.live(econ.year, econ.month, econ.today, econ.round),
    }


def _homes_chart(
    chart_id: str, title: str, homes: list[Home], econ: sel.Economy, filters: sel.Filters, *, by_deviation: bool
) -> Chart:
    rows = [(h, econ.home_totals(h.pk)) for h in homes]
    if by_deviation:
        rows.sort(key=lambda r: (-abs(r[1]["deviation"]), r[0].name))
    query = filters.query()
    return Chart(
        id=chart_id,
        title=title,
        category_label="Botilbud",
        categories=[h.name for h, _ in rows],
        links=[reverse("dashboard:home", args=[h.pk]) + query for h, _ in rows],
        series=[
            Series(
                "Korrigeret budget",
                [t["corrected_budget"] for _, t in rows],
                in_chart=not by_deviation,
                figure="corrected_budget",
            ),
            Series("Prognose", [t["forecast"] for _, t in rows], in_chart=not by_deviation, figure="forecast"),
            Series(
                "Afvigelse (+ = merforbrug)",
                [t["deviation"] for _, t in rows],
                by_sign=True,
                secondary=not by_deviation,
                figure="deviation",
            ),
            Series(
                "Afvigelse i % (af bruttoudgift for aktivitetsfinansierede)",
                [_pct(t["deviation"], econ.steering_budget(h)) for h, t in rows],
                unit="pct",
                in_chart=False,
            ),
        ],
        text_columns=[("Tal fra", [econ.moment(h.pk).label for h, _ in rows])],
        row_keys=[
            {"home": h.pk, "moment": econ.moment(h.pk).key, "month": econ.moment(h.pk).month_key} for h, _ in rows
        ],
        horizontal=by_deviation,
        plot_limit=PLOT_LIMIT if by_deviation else None,
        y2_title="" if by_deviation else "afvigelse (kr.)",
        description=(
            "Afvigelsen er prognose minus korrigeret budget: orange (positiv) er merforbrug, blå (negativ) mindreforbrug."
            if by_deviation
            else "Øverst budget og prognose; nederst afvigelsen (prognose minus budget): orange er merforbrug, "
            "blå mindreforbrug. Vælg et botilbud i figuren eller tabellen."
        ),
    )


def _occupancy_chart(chart_id: str, homes: list[Home], occ: dict[int, Occupancy], month: dt.date) -> Chart:
    rows = sorted(homes, key=lambda h: (occ[h.pk].pct or Decimal(0), h.name))
    return Chart(
        id=chart_id,
        title=f"Belægning pr. botilbud {_month_label(month)}, lavest først",
        category_label="Botilbud",
        categories=[h.name for h in rows],
        series=[
            Series("Belægning", [occ[h.pk].pct for h in rows], unit="pct", figure="occupancy"),
            Series("Budgetteret belægning", [h.budgeted_occupancy for h in rows], unit="pct", type="line"),
            Series("Pladser", [h.capacity for h in rows], unit="antal", in_chart=False),
            Series(
                "Beboere ved månedens udgang",
                [occ[h.pk].residents for h in rows],
                unit="antal",
                in_chart=False,
                figure="residents",
            ),
            Series("Beboerdøgn", [occ[h.pk].resident_days for h in rows], unit="antal", in_chart=False),
            Series("Udekørende § 85 (ikke pladser)", [occ[h.pk].outreach for h in rows], unit="antal", in_chart=False),
            Series("Dagtilbud (ikke pladser)", [occ[h.pk].day_activity for h in rows], unit="antal", in_chart=False),
        ],
        row_keys=[{"home": h.pk, "moment": "live", "month": f"{month:%Y-%m}"} for h in rows],
        horizontal=True,
        plot_limit=PLOT_LIMIT,
        y_title="%",
        description="Beboerdøgn i botilbuddets pladser (midlertidige og længerevarende botilbud) ÷ (pladser × "
        "månedens dage), beregnet live ud fra bevillingerne. Udekørende § 85-støtte og dagtilbud tælles for sig og "
        "aldrig som pladser.",
    )


def _occupancy_month(econ: sel.Economy, ref: dt.date) -> dt.date:
    """Occupancy is read for the month the economy figures are from."""
    month = econ.month or (ref.month if econ.year == ref.year else 1)
    return dt.date(econ.year, month, 1)


def _occupancy_figures(homes: list[Home], occ: dict[int, Occupancy], month: dt.date) -> dict[str, Any]:
    days = (month_end(month) - month).days + 1
    summed = occupancy_total([occ[h.pk] for h in homes], days)
    places = sum(h.capacity for h in homes)
    budgeted = (
        percent(sum((h.capacity * h.budgeted_occupancy for h in homes), Decimal(0)), places * 100) if places else None
    )
    return {
        "places": places,
        "residents": summed.residents,
        "outreach": summed.outreach,
        "day_activity": summed.day_activity,
        "occupancy_pct": summed.pct,
        "budgeted_occupancy": budgeted,
        "occupancy_month": month,
        "occupancy_month_key": f"{month:%Y-%m}",
    }


def _payroll_sickness(
    home_ids: list[int], year: int, upto: dt.date
) -> tuple[dt.date | None, dict[int, dict[str, Any]]]:
    """Sickness absence from payroll for the latest imported month of ``year`` not after ``upto`` (the month
    the economy figures are from): that month and the year to date per home. Two queries."""
    month = absence_selectors.latest_month(home_ids, year, upto=upto)
    return month, (absence_selectors.by_home(home_ids, month) if month else {})


def _sickness_chart(
    chart_id: str,
    homes: list[Home],
    sick: dict[int, dict[str, Any]],
    year: int,
    payroll_month: dt.date | None = None,
    payroll: dict[int, dict[str, Any]] | None = None,
) -> Chart:
    payroll = payroll or {}

    def pct(home_id: int) -> Decimal:
        value = payroll.get(home_id, {}).get("pct")
        return value if value is not None else Decimal(-1)

    ledger = {h: sick.get(h, {"now": 0, "year": 0, "amount": Decimal(0)}) for h in set(sick) | set(payroll)}
    rows = sorted(
        [h for h in homes if h.pk in ledger],
        key=lambda h: (-pct(h.pk), -ledger[h.pk]["now"], -ledger[h.pk]["amount"], h.name),
    )
    series = []
    description = "Langtidssygdom registreret i disponeringen (annullerede poster tæller ikke), live."
    if payroll_month is not None:
        label = f"{MONTH_NAMES[payroll_month.month - 1]} {payroll_month.year}"
        series += [
            Series(
                f"Sygefravær {label} (lønsystemet)",
                [payroll.get(h.pk, {}).get("pct") for h in rows],
                unit="pct",
                figure="sickness_pct",
            ),
            Series(
                "Sygefravær år til dato",
                [payroll.get(h.pk, {}).get("ytd_pct") for h in rows],
                unit="pct",
                in_chart=False,
                figure="sickness_ytd_pct",
            ),
            Series(
                "Langtidssygemeldte (lønsystemet)",
                [payroll.get(h.pk, {}).get("long_term_people") for h in rows],
                unit="antal",
                in_chart=False,
            ),
        ]
        description = (
            f"Sygefravær = sygetimer ÷ normtimer fra lønsystemets fraværsstatistik for {label} (seneste indlæste "
            "måned) og år til dato. " + description
        )
    series += [
        Series(
            "Langtidssyge nu (disponeringen)",
            [ledger[h.pk]["now"] for h in rows],
            unit="antal",
            in_chart=payroll_month is None,
        ),
        Series(f"Sygeforløb i {year}", [ledger[h.pk]["year"] for h in rows], unit="antal", in_chart=False),
        Series(f"Forventet udgift {year}", [ledger[h.pk]["amount"] for h in rows], in_chart=False),
    ]
    return Chart(
        id=chart_id,
        title="Sygefravær pr. botilbud, højest først" if payroll_month else "Langtidssygdom pr. botilbud, flest først",
        category_label="Botilbud",
        categories=[h.name for h in rows],
        series=series,
        row_keys=[{"home": h.pk, "moment": "live", "month": f"{payroll_month:%Y-%m}"} for h in rows]
        if payroll_month
        else [],
        horizontal=True,
        plot_limit=PLOT_LIMIT,
        y_title="%" if payroll_month else "medarbejdere",
        description=description,
    )


def _reference_note(ref: dt.date, today: dt.date) -> str:
    return "i dag" if ref == today else f"den {ref:%d-%m-%Y}"


def department(user: User, filters: sel.Filters, today: dt.date) -> dict[str, Any]:
    """The department (or, for an area manager, their areas) with all charts."""
    homes_qs = Home.objects.visible_to(user).filter(is_active=True)
    if filters.area_id:
        homes_qs = homes_qs.filter(area_id=filters.area_id)
    homes = list(homes_qs.select_related("area").order_by("area__name", "name"))
    home_ids = [h.pk for h in homes]
    ref = sel.reference_date(filters.year, today)
    round_ = sel.year_round(filters.year)
    econ = sel.economy(home_ids, filters.year, round_, today)
    occ_month = _occupancy_month(econ, ref)
    occ = month_occupancy(homes, occ_month)
    large = sel.large_placements(user, filters, ref)
    query = filters.query()

    figures = {
        **_economy_figures(econ, homes),
        "homes": len(homes),
        "action_plans": sel.homes_with_action_plans(home_ids, round_),
        **_occupancy_figures(homes, occ, occ_month),
        "overdue": sel.overdue_followups(user, filters, today),
        "large_count": large["count"],
        "large_total": large["total"],
    }

    charts: dict[str, Chart] = {}
    # Budget vs forecast per area.
    areas: dict[int, dict[str, Any]] = {}
    for h in homes:
        a = areas.setdefault(h.area_id, {"area": h.area, "ids": []})
        a["ids"].append(h.pk)
    area_rows = [(a["area"], econ.totals(a["ids"])) for a in areas.values()]
    charts["omraader"] = Chart(
        id="omraader",
        title=f"Budget og prognose pr. område {filters.year}",
        category_label="Område",
        categories=[a.name for a, _ in area_rows],
        links=[reverse("dashboard:area", args=[a.pk]) + query for a, _ in area_rows],
        series=[
            Series("Korrigeret budget", [t["corrected_budget"] for _, t in area_rows]),
            Series("Prognose", [t["forecast"] for _, t in area_rows]),
            Series(
                "Afvigelse (+ = merforbrug)",
                [t["deviation"] for _, t in area_rows],
                by_sign=True,
                secondary=True,
            ),
            Series("Forbrug til dato", [t["actuals_to_date"] for _, t in area_rows], in_chart=False),
        ],
        y2_title="afvigelse (kr.)",
        description="Øverst budget og prognose; nederst afvigelsen (prognose minus budget): orange er merforbrug, blå mindreforbrug.",
    )
    charts["botilbud"] = _homes_chart(
        "botilbud", f"Afvigelse pr. botilbud {filters.year}, største først", homes, econ, filters, by_deviation=True
    )

    movement = sel.forecast_movement(home_ids, filters.year, econ)
    charts["prognose-udvikling"] = Chart(
        id="prognose-udvikling",
        title=f"Prognosen fra runde til runde {filters.year}",
        category_label="Opfølgningsrunde",
        categories=[_month_label(r["month"]) for r in movement],
        series=[
            Series("Prognose", [r["forecast"] for r in movement], type="line"),
            Series("Korrigeret budget", [r["budget"] for r in movement], type="line"),
            Series("Botilbud i tallet", [r["homes"] for r in movement], unit="antal", in_chart=False),
            Series("Heraf fastfrosne (godkendte)", [r["frozen"] for r in movement], unit="antal", in_chart=False),
        ],
        description="Tidligere runder: summen af de godkendte, fastfrosne opfølgninger. Seneste runde: som nøgletallene.",
    )
    closed = filters.year - 1
    accuracy = sel.accuracy(home_ids, closed)
    charts["praecision"] = Chart(
        id="praecision",
        title=f"Prognosernes præcision {closed}",
        category_label="Opfølgningsrunde",
        categories=[_month_label(r["month"]) for r in accuracy],
        series=[
            Series(
                "Prognosens afvigelse fra regnskabet",
                [_pct(r["deviation"], r["basis"]) for r in accuracy],
                unit="pct",
                by_sign=True,
            ),
            Series("Prognose (sum)", [r["forecast"] for r in accuracy], in_chart=False),
            Series("Regnskab (sum)", [r["actual"] for r in accuracy], in_chart=False),
            Series("Prognose − regnskab", [r["deviation"] for r in accuracy], in_chart=False),
            Series(
                "Gns. numerisk afvigelse pr. botilbud",
                [r["mean_abs_pct"] for r in accuracy],
                unit="pct",
                in_chart=False,
            ),
            Series("Botilbud", [r["homes"] for r in accuracy], unit="antal", in_chart=False),
        ],
        y_title="%",
        description=f"Hver rundes fastfrosne prognoser (summen for botilbuddene) sammenholdt med deres endelige forbrug "
        f"{closed}, i procent af nettoforbruget – for aktivitetsfinansierede botilbud af bruttoudgifterne; positiv: "
        "prognosen var for høj.",
    )

    spending = sel.spending_by_provider_kind(user, filters)
    last = len(spending["years"]) - 1
    charts["leverandoertyper"] = Chart(
        id="leverandoertyper",
        title=f"Udgifter til bevillinger pr. leverandørtype {filters.year}",
        category_label="Leverandørtype",
        categories=[k["label"] for k in spending["kinds"]],
        series=[
            Series(f"Udgift {filters.year}", [k["per_year"][last] for k in spending["kinds"]]),
            Series(
                "Andel",
                [_pct(k["per_year"][last], spending["totals"][last]) for k in spending["kinds"]],
                unit="pct",
                in_chart=False,
            ),
        ],
        description="Kommunens egne borgeres bevillinger (godkendt, aktiv eller ophørt), årsprisen fordelt efter dage i året.",
    )
    charts["leverandoertyper-udvikling"] = Chart(
        id="leverandoertyper-udvikling",
        title=f"Udgifter pr. leverandørtype {spending['years'][0]}–{spending['years'][-1]}",
        category_label="År",
        categories=[str(y) for y in spending["years"]],
        series=[Series(k["label"], k["per_year"]) for k in spending["kinds"]]
        + [
            Series("I alt", spending["totals"], in_chart=False),
            Series("Andel eksterne køb", spending["external_share"], unit="pct", in_chart=False),
        ],
        stacked=True,
    )
    external_now = spending["external_share"][last]

    last_month = 12 if ref.year < today.year or ref.month == 12 else ref.month
    if filters.year > today.year:
        last_month = 0
    recipients = sel.recipients_by_paragraph(user, filters, last_month)
    months = [MONTH_ABBR[m.month - 1] for m in recipients["months"]]
    paragraphs = recipients["paragraphs"]
    focus = paragraphs if filters.paragraph_id else [p for p in paragraphs if p["code"] == "§107"] or paragraphs

    def _sum(key: str) -> list[int]:
        return [sum(p[key][i] for p in focus) for i in range(len(months))]

    focus_label = ", ".join(p["code"] for p in focus) if len(focus) < 4 else "alle paragraffer"
    charts["modtagere"] = Chart(
        id="modtagere",
        title=f"Modtagere {focus_label} {filters.year}: tilgang, afgang og i alt",
        category_label="Måned",
        categories=months,
        series=[
            Series("Tilgang", _sum("inflow"), unit="antal", secondary=True),
            Series("Afgang", _sum("outflow"), unit="antal", secondary=True),
            Series("I alt ved månedens udgang", _sum("total"), type="line", unit="antal"),
        ],
        y_title="i alt",
        y2_title="tilgang og afgang",
        description="Kommunens egne borgere med en bevilling (godkendt, aktiv eller ophørt).",
    )
    charts["modtagere-paragraf"] = Chart(
        id="modtagere-paragraf",
        title=f"Modtagere pr. paragraf ved månedens udgang {filters.year}",
        category_label="Måned",
        categories=months,
        series=[Series(p["code"], p["total"], type="line", unit="antal") for p in paragraphs],
        y_title="borgere",
    )

    charts["belaegning"] = _occupancy_chart("belaegning", homes, occ, occ_month)
    sick = sel.sickness(home_ids, filters.year, ref)
    payroll_month, payroll = _payroll_sickness(home_ids, filters.year, occ_month)
    charts["sygdom"] = _sickness_chart("sygdom", homes, sick, filters.year, payroll_month, payroll)

    rows = large["rows"]
    charts["store-bevillinger"] = Chart(
        id="store-bevillinger",
        title="Bevillinger på 1.000.000 kr. eller mere om året",
        category_label="Borger",
        categories=[f"{p.citizen.initials} ({p.citizen.case_number})" for p in rows],
        links=[p.get_absolute_url() for p in rows],
        text_columns=[
            ("Tilbud", [p.offer.name for p in rows]),
            ("Paragraf", [p.offer.paragraph.code for p in rows]),
            ("Leverandørtype", [p.offer.provider.get_kind_display() for p in rows]),
        ],
        series=[Series("Årspris", [p.annual_price for p in rows])],
        plot=False,
        description=f"I kraft {_reference_note(ref, today)}; de {len(rows)} dyreste vises.",
    )
    if filters.area_id:
        scope = f"area-{filters.area_id}"
    elif can(user, "dashboard.view_department"):
        scope = "department"
    else:
        scope = f"user-{user.pk}"
    return {
        "level": "department",
        "scope": scope,
        "homes": homes,
        "figures": figures,
        "external_share": external_now,
        "source": _source(econ, home_ids),
        "charts": charts,
        "summary_refreshed_at": sel.summary_refreshed_at(),
        "reference": ref,
        "reference_note": _reference_note(ref, today),
    }


def area(user: User, area_obj: Area, filters: sel.Filters, today: dt.date) -> dict[str, Any]:
    homes = list(
        Home.objects.visible_to(user).filter(is_active=True, area=area_obj).select_related("area").order_by("name")
    )
    home_ids = [h.pk for h in homes]
    ref = sel.reference_date(filters.year, today)
    round_ = sel.year_round(filters.year)
    econ = sel.economy(home_ids, filters.year, round_, today)
    occ_month = _occupancy_month(econ, ref)
    occ = month_occupancy(homes, occ_month)
    figures = {
        **_economy_figures(econ, homes),
        "homes": len(homes),
        "action_plans": sel.homes_with_action_plans(home_ids, round_),
        **_occupancy_figures(homes, occ, occ_month),
    }
    sick = sel.sickness(home_ids, filters.year, ref)
    payroll_month, payroll = _payroll_sickness(home_ids, filters.year, occ_month)
    charts = {
        "botilbud": _homes_chart(
            "botilbud",
            f"Budget og prognose pr. botilbud i {area_obj.name} {filters.year}",
            homes,
            econ,
            filters,
            by_deviation=False,
        ),
        "belaegning": _occupancy_chart("belaegning", homes, occ, occ_month),
        "sygdom": _sickness_chart("sygdom", homes, sick, filters.year, payroll_month, payroll),
    }
    return {
        "level": "area",
        "scope": f"area-{area_obj.pk}",
        "area": area_obj,
        "homes": homes,
        "figures": figures,
        "source": _source(econ, home_ids),
        "charts": charts,
        "reference_note": _reference_note(ref, today),
    }


def _months_chart(home_obj: Home, year: int, month: int) -> Chart:
    """Month by month (all account groups, net): budget by profile, actuals and
    the ledger's expected changes, as the home's budget page computes them."""

    lines = list(BudgetLine.objects.filter(home=home_obj, year=year))
    table = monthly_table(home_obj, year, lines, month)
    months = [cell.month for cell in next(iter(table.values()))]
    budget = [sum((table[g][i].budget for g in table), ZERO) for i in range(12)]
    actual = [
        None
        if all(table[g][i].actual is None for g in table)
        else sum((table[g][i].actual or ZERO for g in table), ZERO)
        for i in range(12)
    ]
    expected = [sum((table[g][i].expected for g in table), ZERO) for i in range(12)]
    return Chart(
        id="maaneder",
        title=f"{home_obj.name}: måned for måned {year} (netto)",
        category_label="Måned",
        categories=[MONTH_ABBR[m.month - 1] for m in months],
        series=[
            Series("Budget (efter profil)", budget),
            Series("Forbrug", actual),
            Series("Disponeringer (forventede ændringer)", expected),
        ],
        description="Alle kontogrupper tilsammen; indtægter er negative.",
    )


def home(user: User, home_obj: Home, filters: sel.Filters, today: dt.date) -> dict[str, Any]:
    ref = sel.reference_date(filters.year, today)
    round_ = sel.year_round(filters.year)
    econ = sel.economy([home_obj.pk], filters.year, round_, today)
    ledger = sel.ledger_by_group(home_obj.pk, filters.year)
    occ_month = _occupancy_month(econ, ref)
    occ = month_occupancy([home_obj], occ_month)
    groups = [AccountGroup(g) for g in sel.GROUPS]
    values = econ.per_home[home_obj.pk]
    query = filters.query()
    charts = {
        "kontogrupper": Chart(
            id="kontogrupper",
            title=f"{home_obj.name}: budget og prognose pr. kontogruppe {filters.year}",
            category_label="Kontogruppe",
            categories=[g.label for g in groups],
            links=[reverse("dashboard:home_group", args=[home_obj.pk, g.value]) + query for g in groups],
            series=[
                Series("Korrigeret budget", [values[g.value]["corrected_budget"] for g in groups]),
                Series("Prognose", [values[g.value]["forecast"] for g in groups]),
                Series(
                    "Afvigelse (+ = merforbrug)",
                    [values[g.value]["deviation"] for g in groups],
                    by_sign=True,
                    secondary=True,
                ),
                Series("Forbrug til dato", [values[g.value]["actuals_to_date"] for g in groups], in_chart=False),
                Series(f"Disponeringer {filters.year}", [ledger.get(g.value, ZERO) for g in groups], in_chart=False),
            ],
            y2_title="afvigelse (kr.)",
            description="Indtægter er negative. Nederst afvigelsen: orange er merforbrug, blå mindreforbrug. "
            "Vælg en kontogruppe for at se disponeringerne bag prognosen.",
        )
    }
    charts["maaneder"] = _months_chart(home_obj, filters.year, econ.month)
    return {
        "level": "home",
        "home": home_obj,
        "figures": {
            **_economy_figures(econ, [home_obj]),
            **_occupancy_figures([home_obj], occ, occ_month),
        },
        "moment": econ.moment(home_obj.pk),
        "source": _source(econ, [home_obj.pk]),
        "charts": charts,
        "reference_note": _reference_note(ref, today),
    }


def home_group(user: User, home_obj: Home, group: AccountGroup, filters: sel.Filters, today: dt.date) -> dict[str, Any]:
    round_ = sel.year_round(filters.year)
    econ = sel.economy([home_obj.pk], filters.year, round_, today)
    values = econ.per_home[home_obj.pk][group.value]
    entries = list(sel.ledger_entries(home_obj.pk, group.value, filters.year).select_related("registered_by"))
    counted = [e for e in entries if e.status != "annulleret"]
    charts = {
        "disponeringer": Chart(
            id="disponeringer",
            title=f"{home_obj.name}: disponeringer i {group.label.lower()} {filters.year}",
            category_label="Disponering",
            categories=[e.title for e in entries],
            links=[e.get_absolute_url() for e in entries],
            text_columns=[
                ("Kategori", [e.get_category_display() for e in entries]),
                ("Status", [e.get_status_display() for e in entries]),
                ("Periode", [f"{e.start_date:%d-%m-%Y} – {e.end_date:%d-%m-%Y}" for e in entries]),
            ],
            series=[
                Series("Beløb i alt", [e.amount for e in entries]),
                Series(f"Heraf i {filters.year}", [e.year_amount for e in entries]),
            ],
            plot=False,
        )
    }
    return {
        "level": "group",
        "home": home_obj,
        "moment": econ.moment(home_obj.pk),
        "group": group,
        "values": values,
        "entries_total": sum((e.year_amount for e in counted), ZERO),
        "source": _source(econ, [home_obj.pk]),
        "charts": charts,
    }
