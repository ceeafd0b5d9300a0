"""The organisation file: one row per home, with its area.

Columns: Område, Botilbud, Omkostningssted, Adresse, Pladser, Paragraffer,
Målgruppe, Finansiering, Budgetteret belægning, Timepris, Øvrige
omkostningssteder. A home is found by its (main) cost centre (the finance
system's key): a known cost centre updates the home, a new one creates it. A
home may have more cost centres or PSP elements (``budget.CostCentre``), listed
comma-separated; the actuals import recognises each of them. Listed ones are
added; ones already there but not listed are kept (nothing is lost). Areas are created by name. Each home gets an own
offer (tilbud) per paragraph, so visitation can place citizens there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from botilbud.models import Area, Home, HourPrice, Paragraph, User
from botilbud.permissions import can
from budget.models import CostCentre
from onboarding.framework import (
    RowError,
    Staged,
    Target,
    capitalise,
    choice,
    parse_amount,
    parse_int,
    parse_percent,
    split_list,
    too_long,
)
from onboarding.models import ImportKind
from onboarding.reader import Column, SourceRow
from visitation.models import Offer, Provider

TARGET_GROUPS = {
    "handicap": Home.TargetGroup.DISABILITY.value,
    "handicapområdet": Home.TargetGroup.DISABILITY.value,
    "sindslidelse": Home.TargetGroup.MENTAL_ILLNESS.value,
    "psykiatri": Home.TargetGroup.MENTAL_ILLNESS.value,
}
FINANCING = {
    "ramme": Home.Financing.FRAME.value,
    "rammebudgetteret": Home.Financing.FRAME.value,
    "rammestyret": Home.Financing.FRAME.value,
    "aktivitet": Home.Financing.ACTIVITY.value,
    "aktivitetsbaseret": Home.Financing.ACTIVITY.value,
    "aktivitetsfinansieret": Home.Financing.ACTIVITY.value,
    "takstfinansieret": Home.Financing.ACTIVITY.value,
}
HOME_FIELDS = ("name", "address", "capacity", "target_group", "financing", "budgeted_occupancy")
OWN_PROVIDER_NAME = "Egne botilbud"


def paragraph_key(code: str) -> str:
    """'§ 108', '108' and '§108' are the same paragraph."""
    key = code.replace(" ", "").lower()
    return key if key.startswith("§") else "§" + key


class OrganisationKind:
    kind = ImportKind.ORGANISATION.value
    title = "Områder og botilbud"
    intro = (
        "Én række pr. botilbud. Et kendt omkostningssted opdaterer botilbuddet, et nyt opretter det. "
        "Områder oprettes efter navn. Paragraffer adskilles med komma (fx »§107, §108«). Har et botilbud flere "
        "omkostningssteder eller PSP-elementer, skrives de øvrige i »Øvrige omkostningssteder«, adskilt med komma."
    )
    sample = "organisation.csv"
    amount_key: str | None = None
    columns = [
        Column("area", "Område", frozenset({"omraade", "område navn"})),
        Column("name", "Botilbud", frozenset({"navn", "botilbuddets navn", "tilbud"})),
        Column("cost_centre", "Omkostningssted", frozenset({"omk.sted", "omk. sted", "omksted"})),
        Column("address", "Adresse", required=False),
        Column("capacity", "Pladser", frozenset({"antal pladser"})),
        Column("paragraphs", "Paragraffer", frozenset({"paragraf"}), required=False),
        Column("target_group", "Målgruppe", frozenset({"maalgruppe"})),
        Column("financing", "Finansiering", frozenset({"finansieringsform"}), required=False),
        Column(
            "budgeted_occupancy",
            "Budgetteret belægning",
            frozenset({"belægning", "budgetteret belægning (%)", "belægningsprocent"}),
            required=False,
        ),
        Column("hour_price", "Timepris", frozenset({"timepris (kr.)"}), required=False),
        Column(
            "extra_cost_centres",
            "Øvrige omkostningssteder",
            frozenset({"ekstra omkostningssteder", "flere omkostningssteder", "psp-elementer", "psp"}),
            required=False,
        ),
    ]

    def may_import(self, user: User) -> bool:
        return can(user, "onboarding.use")

    def validate(self, rows: Iterable[SourceRow], user: User) -> Staged:
        paragraphs = {paragraph_key(p.code): p.code for p in Paragraph.objects.all()}
        by_name = {h.name.lower(): h.cost_centre for h in Home.objects.all()}

        main_of = dict(Home.objects.values_list("cost_centre", "cost_centre"))
        extra_of = dict(CostCentre.objects.values_list("code", "home__cost_centre"))
        out = Staged()
        seen_cc: dict[str, int] = {}
        seen_name: dict[str, int] = {}
        for row in rows:
            out.in_file += 1
            reasons: list[str] = []
            area = row.get("area")
            if not area:
                reasons.append("Område mangler")
            elif err := too_long(area, "Område", 120):
                reasons.append(err)
            name = row.get("name")
            if not name:
                reasons.append("Botilbuddets navn mangler")
            elif err := too_long(name, "Navnet", 160):
                reasons.append(err)
            cc = row.get("cost_centre")
            if not cc:
                reasons.append("Omkostningssted mangler")
            elif err := too_long(cc, "Omkostningsstedet", 20):
                reasons.append(err)
            elif cc in seen_cc:
                reasons.append(f"Omkostningssted »{cc}« står også i linje {seen_cc[cc]}")
            if cc:
                seen_cc.setdefault(cc, row.line)
            extras: list[str] = []
            for code in split_list(row.get("extra_cost_centres")):
                if err := too_long(code, "Omkostningsstedet", 40):
                    reasons.append(err)
                elif code == cc:
                    reasons.append(f"Omkostningssted »{code}« er botilbuddets eget (hovedomkostningsstedet)")
                elif code in seen_cc:
                    reasons.append(f"Omkostningssted »{code}« står også i linje {seen_cc[code]}")
                elif code in main_of:
                    reasons.append(f"Omkostningssted »{code}« er hovedomkostningssted for et andet botilbud")
                elif extra_of.get(code) not in (None, cc):
                    reasons.append(
                        f"Omkostningssted »{code}« hører allerede til botilbuddet med omkostningssted {extra_of[code]}"
                    )
                else:
                    extras.append(code)
                seen_cc.setdefault(code, row.line)
            if name:
                if name.lower() in seen_name:
                    reasons.append(f"Botilbuddet »{name}« står også i linje {seen_name[name.lower()]}")
                seen_name.setdefault(name.lower(), row.line)
                other_cc = by_name.get(name.lower())
                if other_cc and cc and other_cc != cc:
                    reasons.append(f"Navnet »{name}« bruges allerede af botilbuddet med omkostningssted {other_cc}")
            capacity, err = parse_int(row.get("capacity"), "Antal pladser", maximum=10_000)
            if err:
                reasons.append(err)
            codes: list[str] = []
            for part in split_list(row.get("paragraphs")):
                paragraph = paragraphs.get(paragraph_key(part))
                if paragraph is None:
                    reasons.append(f"Paragraf »{part}« kendes ikke (kendte: {', '.join(sorted(paragraphs.values()))})")
                elif paragraph not in codes:
                    codes.append(paragraph)
            target_group, err = choice(
                row.get("target_group"), "Målgruppe", TARGET_GROUPS, ["Handicap", "Sindslidelse"]
            )
            if err:
                reasons.append(err)
            financing: str | None = Home.Financing.FRAME.value
            if row.get("financing"):
                financing, err = choice(
                    row.get("financing"), "Finansiering", FINANCING, ["Rammebudgetteret", "Aktivitetsbaseret"]
                )
                if err:
                    reasons.append(err)
            occupancy: Decimal | None = Decimal("95.00")
            if row.get("budgeted_occupancy"):
                occupancy, err = parse_percent(row.get("budgeted_occupancy"), "Budgetteret belægning")
                if err:
                    reasons.append(err)
            hour_price = None
            if row.get("hour_price"):
                hour_price, err = parse_amount(row.get("hour_price"), "Timeprisen")
                if err:
                    reasons.append(err)
                elif hour_price is not None and hour_price <= 0:
                    reasons.append("Timeprisen skal være større end 0")
            if reasons:
                out.errors.append(RowError(row.line, [capitalise(r) for r in reasons]))
                continue
            out.rows.append(
                (
                    row.line,
                    {
                        "area": area,
                        "name": name,
                        "cost_centre": cc,
                        "address": row.get("address")[:200],
                        "capacity": capacity,
                        "paragraphs": codes,
                        "target_group": target_group,
                        "financing": financing,
                        "budgeted_occupancy": str(occupancy),
                        "hour_price": None if hour_price is None else str(hour_price),
                        "extra_cost_centres": extras,
                    },
                )
            )
        return out

    # --- plan and write --------------------------------------------------------------------

    def _existing(self, staged: list[dict[str, Any]]) -> tuple[dict[str, Home], dict[str, Area]]:
        ccs = [d["cost_centre"] for d in staged]
        homes = {
            h.cost_centre: h
            for h in Home.objects.filter(cost_centre__in=ccs).select_related("area").prefetch_related("paragraphs")
        }
        areas = {a.name: a for a in Area.objects.filter(name__in={d["area"] for d in staged})}
        return homes, areas

    def plan(self, staged: list[dict[str, Any]], user: User) -> list[Target]:
        homes, areas = self._existing(staged)
        year = dt.date.today().year
        area_t = Target("areas", "Områder")
        for name in dict.fromkeys(d["area"] for d in staged):
            if name in areas:
                area_t.unchanged += 1
            else:
                area_t.create += 1
        home_t = Target("homes", "Botilbud")
        offer_t = Target("offers", "Egne tilbud (botilbud × paragraf)")
        price_t = Target("hour_prices", f"Timepriser {year}")
        cc_t = Target("cost_centres", "Øvrige omkostningssteder")

        have = set(CostCentre.objects.values_list("code", flat=True))
        offers = set(
            Offer.objects.filter(home__cost_centre__in=list(homes)).values_list("home__cost_centre", "paragraph__code")
        )
        prices = dict(
            HourPrice.objects.filter(home__cost_centre__in=list(homes), year=year).values_list(
                "home__cost_centre", "hour_price"
            )
        )
        for d in staged:
            home = homes.get(d["cost_centre"])
            if home is None:
                home_t.create += 1
            elif self._differs(home, d):
                home_t.update += 1
            else:
                home_t.unchanged += 1
            for code in d["paragraphs"]:
                if (d["cost_centre"], code) in offers:
                    offer_t.unchanged += 1
                else:
                    offer_t.create += 1
            for code in d.get("extra_cost_centres", []):
                if code in have:
                    cc_t.unchanged += 1
                else:
                    cc_t.create += 1
            if d["hour_price"] is not None:
                old = prices.get(d["cost_centre"])
                if old is None:
                    price_t.create += 1
                elif old != Decimal(d["hour_price"]):
                    price_t.update += 1
                else:
                    price_t.unchanged += 1
        return [area_t, home_t, offer_t, price_t, cc_t]

    @staticmethod
    def _differs(home: Home, d: dict[str, Any]) -> bool:
        if home.area.name != d["area"]:
            return True
        for f in HOME_FIELDS:
            new = Decimal(d[f]) if f == "budgeted_occupancy" else d[f]
            if getattr(home, f) != new:
                return True
        return sorted(p.code for p in home.paragraphs.all()) != sorted(d["paragraphs"])

    def write(self, staged: list[dict[str, Any]], user: User) -> dict[str, tuple[int, Decimal | None]]:
        homes, areas = self._existing(staged)
        have = set(CostCentre.objects.values_list("code", flat=True))
        cc_count = 0
        year = dt.date.today().year
        paragraphs = {p.code: p for p in Paragraph.objects.all()}
        new_areas = [Area(name=n) for n in dict.fromkeys(d["area"] for d in staged) if n not in areas]
        Area.objects.bulk_create(new_areas)
        areas.update({a.name: a for a in new_areas})
        home_count = 0
        offer_count = 0
        price_count = 0
        own = Provider.objects.filter(kind=Provider.Kind.OWN).order_by("pk").first()
        if own is None:
            own = Provider.objects.create(name=OWN_PROVIDER_NAME, kind=Provider.Kind.OWN)
        existing_offers = set(
            Offer.objects.filter(home__cost_centre__in=list(homes)).values_list("home__cost_centre", "paragraph__code")
        )
        for d in staged:
            home = homes.get(d["cost_centre"])
            values = {f: d[f] for f in HOME_FIELDS}
            values["budgeted_occupancy"] = Decimal(d["budgeted_occupancy"])
            if home is None:
                home = Home.objects.create(area=areas[d["area"]], cost_centre=d["cost_centre"], **values)
                home_count += 1
            elif self._differs(home, d):
                for f, v in values.items():
                    setattr(home, f, v)
                home.area = areas[d["area"]]
                home.version += 1
                home.save()
                home_count += 1
            home.paragraphs.set([paragraphs[c] for c in d["paragraphs"]])
            for code in d["paragraphs"]:
                if (d["cost_centre"], code) not in existing_offers:
                    _offer, created = Offer.objects.get_or_create(
                        provider=own, name=home.name, paragraph=paragraphs[code], defaults={"home": home}
                    )
                    if not created and _offer.home_id != home.pk:
                        _offer.home = home
                        _offer.save(update_fields=["home"])
                    offer_count += 1
            for code in d.get("extra_cost_centres", []):
                if code not in have:
                    CostCentre.objects.create(code=code, home=home, name=f"{home.name} ({code})"[:200])
                    have.add(code)
                    cc_count += 1
            if d["hour_price"] is not None:
                price = Decimal(d["hour_price"])
                obj, created = HourPrice.objects.get_or_create(home=home, year=year, defaults={"hour_price": price})
                if created:
                    price_count += 1
                elif obj.hour_price != price:
                    obj.hour_price = price
                    obj.version += 1
                    obj.save(update_fields=["hour_price", "version"])
                    price_count += 1
        return {
            "areas": (len(new_areas), None),
            "homes": (home_count, None),
            "offers": (offer_count, None),
            "hour_prices": (price_count, None),
            "cost_centres": (cc_count, None),
        }


ORGANISATION = OrganisationKind()
