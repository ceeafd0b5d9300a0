"""Existing placements from the case system's export (the last onboarding step).

Columns: Sagsnummer, Initialer, Fødselsår (the year only, for the refusion
of very expensive cases' age rule), Handlekommune, Betalingskommune, Tilbud,
Leverandør, Leverandørtype, Paragraf, Pakke, Årspris, Startdato, Slutdato,
Status. A placement is one row: the citizen (case number and initials only,
never a CPR number), the offer and its paragraph, the package, the agreed
annual price, the period and the status the case system has.

- Tilbud in an own home: leave Leverandør empty (or the own provider) and
  give the home's name or cost centre; the home must offer the paragraph.
- An external offer: Leverandør is the provider's name; a provider or offer
  the app does not know yet is created (a new provider needs its
  Leverandørtype: Anden kommune, Region or Privat).
- Handlekommune and Betalingskommune: a municipality's name or number; empty
  means our own. Another paying municipality makes the placement a sale,
  which only an own home can have.

A placement already in the app (same citizen, offer and start date) is left
as it is, so a file can be imported again. Imported placements carry their
decision from the case system: they do not go through the approval queue,
and they do not create ledger entries (they are already part of the budget
the homes start from); later changes go through visitation as usual.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.utils import timezone

from botilbud.lib.money import format_kr
from botilbud.models import Home, Municipality, Paragraph, User
from botilbud.permissions import can
from onboarding.framework import (
    RowError,
    Staged,
    Target,
    capitalise,
    choice,
    parse_amount,
    parse_date,
    parse_int,
    too_long,
)
from onboarding.kinds.organisation import paragraph_key
from onboarding.models import ImportKind
from onboarding.reader import Column, SourceRow
from visitation.models import Citizen, Offer, Placement, Provider, SupportPackage
from visitation.services import first_due, next_due_after, required_level

STATUSES = {
    "indstillet": "indstillet",
    "godkendt": "godkendt",
    "bevilget": "godkendt",
    "aktiv": "aktiv",
    "ophørt": "ophoert",
    "ophoert": "ophoert",
    "afsluttet": "ophoert",
    "afvist": "afvist",
}
STATUS_HINT = ["Indstillet", "Godkendt", "Aktiv", "Ophørt", "Afvist"]
PROVIDER_KINDS = {
    "anden kommune": "anden_kommune",
    "kommune": "anden_kommune",
    "region": "region",
    "privat": "privat",
    "egen kommune": "egen",
    "egen": "egen",
}


def _municipality_key(text: str) -> str:
    key = re.sub(r"\s+", " ", text.strip().lower())
    return key.removesuffix(" kommune").strip()


class Municipalities:
    def __init__(self) -> None:
        self.by_key: dict[str, int] = {}
        for code, name in Municipality.objects.values_list("code", "name"):
            self.by_key[str(code)] = code
            self.by_key[name.lower()] = code
        self.own = Municipality.own_code()

    def find(self, text: str) -> int | None:
        key = _municipality_key(text)
        if key.isdigit():
            key = str(int(key))
        code = self.by_key.get(key)
        if code is None and key.endswith("s"):
            code = self.by_key.get(key[:-1])  # "Københavns Kommune"
        return code


class PlacementsKind:
    kind = ImportKind.PLACEMENTS.value
    title = "Bevillinger"
    intro = (
        "Eksisterende bevillinger fra sagssystemet: én række pr. bevilling med sagsnummer og initialer (aldrig "
        "CPR-nummer; fødselsår kan angives), handle- og betalingskommune (tom = vores egen), tilbud, paragraf, pakke, årspris, start, "
        "slut og status. Egne botilbud angives med navn eller omkostningssted og tom leverandør; ukendte eksterne "
        "leverandører og tilbud oprettes. En bevilling, der allerede findes, lades urørt."
    )
    sample = "bevillinger.csv"
    amount_key: str | None = "annual_price"
    columns = [
        Column("case_number", "Sagsnummer", frozenset({"sagsnr", "sagsnr.", "sag"})),
        Column("initials", "Initialer", frozenset({"borger", "borgerens initialer"})),
        Column("birth_year", "Fødselsår", frozenset({"foedselsaar", "født"}), required=False),
        Column("acting", "Handlekommune", required=False),
        Column("paying", "Betalingskommune", required=False),
        Column("offer", "Tilbud", frozenset({"botilbud", "tilbuddets navn"})),
        Column("provider", "Leverandør", frozenset({"leverandoer", "udbyder"}), required=False),
        Column("provider_kind", "Leverandørtype", frozenset({"leverandoertype", "type"}), required=False),
        Column("paragraph", "Paragraf", frozenset({"paragraffer", "lovgrundlag"})),
        Column("package", "Pakke", frozenset({"støttepakke", "niveau"}), required=False),
        Column("annual_price", "Årspris", frozenset({"årspris (kr.)", "pris", "pris pr. år"})),
        Column("start_date", "Startdato", frozenset({"start", "fra"})),
        Column("end_date", "Slutdato", frozenset({"slut", "til"}), required=False),
        Column("status", "Status"),
    ]

    def may_import(self, user: User) -> bool:
        return can(user, "onboarding.use")

    def validate(self, rows: Iterable[SourceRow], user: User) -> Staged:
        municipalities = Municipalities()
        paragraphs = {paragraph_key(p.code): p for p in Paragraph.objects.all()}
        homes_by_cc = {h.cost_centre: h for h in Home.objects.all()}
        homes_by_name = {h.name.lower(): h for h in homes_by_cc.values()}
        own_offers = {(o.home_id, o.paragraph_id): o.pk for o in Offer.objects.filter(home__isnull=False)}
        own_providers = {p.name.lower() for p in Provider.objects.filter(kind=Provider.Kind.OWN)}
        providers = {p.name.lower(): p for p in Provider.objects.exclude(kind=Provider.Kind.OWN)}
        packages = {p.name.lower(): p for p in SupportPackage.objects.all()}
        citizens = dict(Citizen.objects.values_list("case_number", "initials"))
        birth_years = dict(Citizen.objects.filter(birth_year__isnull=False).values_list("case_number", "birth_year"))
        ext_offers = {
            (o.provider.name.lower(), o.name.lower(), o.paragraph_id): o.pk
            for o in Offer.objects.filter(home__isnull=True).select_related("provider")
        }
        # (case number, offer, start) → annual price; a row without an offer yet finds nothing.
        placed: dict[tuple[str, int | None, dt.date], Decimal] = {
            (case, offer_id, start): price
            for case, offer_id, start, price in Placement.objects.values_list(
                "citizen__case_number", "offer_id", "start_date", "annual_price"
            )
        }
        out = Staged(amount=Decimal("0"))
        total = Decimal("0")
        seen_initials: dict[str, tuple[str, int]] = {}
        seen_keys: dict[tuple[str, str, str, str], int] = {}
        for row in rows:
            out.in_file += 1
            reasons: list[str] = []
            case = row.get("case_number")
            initials = row.get("initials").upper()
            if not case:
                reasons.append("Sagsnummer mangler")
            elif err := too_long(case, "Sagsnummeret", 40):
                reasons.append(err)
            if not initials:
                reasons.append("Initialer mangler")
            elif err := too_long(initials, "Initialerne", 10):
                reasons.append(err)
            elif re.fullmatch(r"\d{6}-?\d{4}", case or "") or re.search(r"\d{6}-?\d{4}", initials):
                reasons.append("Ligner et CPR-nummer: filen må kun have sagsnummer og initialer")
            if case and initials:
                known = citizens.get(case)
                if known and known != initials:
                    reasons.append(f"Sagsnummer {case} findes allerede med initialerne {known}")
                prior = seen_initials.setdefault(case, (initials, row.line))
                if prior[0] != initials:
                    reasons.append(f"Sagsnummer {case} har andre initialer i linje {prior[1]}")
            birth_year = None
            if row.get("birth_year"):
                birth_year, err = parse_int(
                    row.get("birth_year"), "Fødselsåret", minimum=1900, maximum=dt.date.today().year
                )
                if err:
                    reasons.append(err)
                elif case in birth_years and birth_years[case] != birth_year:
                    reasons.append(f"Sagsnummer {case} findes allerede med fødselsåret {birth_years[case]}")
            paying: int | None = municipalities.own
            if row.get("paying"):
                paying = municipalities.find(row.get("paying"))
                if paying is None:
                    reasons.append(f"Betalingskommunen »{row.get('paying')}« kendes ikke (brug navn eller nummer)")
            acting = paying
            if row.get("acting"):
                acting = municipalities.find(row.get("acting"))
                if acting is None:
                    reasons.append(f"Handlekommunen »{row.get('acting')}« kendes ikke (brug navn eller nummer)")
            paragraph = paragraphs.get(paragraph_key(row.get("paragraph"))) if row.get("paragraph") else None
            if not row.get("paragraph"):
                reasons.append("Paragraf mangler")
            elif paragraph is None:
                reasons.append(f"Paragraf »{row.get('paragraph')}« kendes ikke")
            offer_name = row.get("offer")
            provider_name = row.get("provider")
            data: dict[str, Any] = {}
            if not offer_name:
                reasons.append("Tilbud mangler")
            elif not provider_name or provider_name.lower() in own_providers:
                home = homes_by_cc.get(offer_name) or homes_by_name.get(offer_name.lower())
                if home is None:
                    reasons.append(f"Botilbuddet »{offer_name}« findes ikke blandt egne botilbud")
                elif paragraph is not None:
                    offer_id = own_offers.get((home.pk, paragraph.pk))
                    if offer_id is None:
                        reasons.append(f"{home.name} har ikke tilbud efter {paragraph.code}")
                    data.update(offer_id=offer_id, home_id=home.pk, provider_kind="egen")
                    offer_name = home.name
            else:
                provider = providers.get(provider_name.lower())
                kind: str | None
                if provider is not None:
                    kind = provider.kind
                elif row.get("provider_kind"):
                    kind, err = choice(
                        row.get("provider_kind"),
                        "Leverandørtypen",
                        PROVIDER_KINDS,
                        ["Anden kommune", "Region", "Privat"],
                    )
                    if err:
                        reasons.append(err)
                    elif kind == "egen":
                        reasons.append("Egne botilbud angives uden leverandør")
                else:
                    kind = None
                    reasons.append(
                        f"Leverandøren »{provider_name}« findes ikke; angiv Leverandørtype "
                        "(Anden kommune, Region eller Privat), så oprettes den"
                    )
                if err := too_long(provider_name, "Leverandørens navn", 200) or too_long(
                    offer_name, "Tilbuddets navn", 200
                ):
                    reasons.append(err)
                data.update(provider=provider_name, provider_kind=kind, offer=offer_name)
                if paying != municipalities.own and paying is not None:
                    reasons.append("Salg (en anden betalingskommune) gælder kun egne botilbud")
            package_id = None
            if row.get("package"):
                package = packages.get(row.get("package").lower()) or next(
                    (p for n, p in packages.items() if n.startswith(row.get("package").lower() + " ")), None
                )
                if package is None:
                    reasons.append(f"Pakken »{row.get('package')}« kendes ikke")
                else:
                    package_id = package.pk
            price, err = parse_amount(row.get("annual_price"), "Årsprisen")
            if err:
                reasons.append(err)
            elif price is not None and price < 0:
                reasons.append("Årsprisen kan ikke være negativ")
            start, err = parse_date(row.get("start_date"), "Startdatoen")
            if err:
                reasons.append(err)
            end, err = parse_date(row.get("end_date"), "Slutdatoen", required=False)
            if err:
                reasons.append(err)
            if start and end and end < start:
                reasons.append("Slutdatoen ligger før startdatoen")
            status, err = choice(row.get("status"), "Status", STATUSES, STATUS_HINT)
            if err:
                reasons.append(err)
            elif status == "ophoert" and end is None:
                reasons.append("En ophørt bevilling skal have en slutdato")
            if not reasons:
                # Parsed without an error: each is set.
                assert paragraph is not None and price is not None and start is not None
                offer_id = data.get("offer_id") or ext_offers.get(
                    (data.get("provider", "").lower(), offer_name.lower(), paragraph.pk)
                )
                old_price = placed.get((case, offer_id, start))
                if old_price is not None and old_price != price:
                    reasons.append(
                        f"Bevillingen findes allerede med årsprisen {format_kr(old_price)}; "
                        "en ny pris registreres i visitationen"
                    )
                key = (case, (data.get("provider") or "").lower(), offer_name.lower(), start.isoformat())
                if key in seen_keys:
                    reasons.append(f"Samme borger, tilbud og startdato som linje {seen_keys[key]}")
                seen_keys.setdefault(key, row.line)
            if reasons:
                out.errors.append(RowError(row.line, [capitalise(r) for r in reasons]))
                continue
            assert paragraph is not None and price is not None and start is not None
            total += price
            out.amount = total
            out.rows.append(
                (
                    row.line,
                    {
                        "case_number": case,
                        "initials": initials,
                        "birth_year": birth_year,
                        "acting": acting,
                        "paying": paying,
                        "paragraph_id": paragraph.pk,
                        "package_id": package_id,
                        "annual_price": str(price),
                        "start_date": start.isoformat(),
                        "end_date": end.isoformat() if end else None,
                        "status": status,
                        **data,
                    },
                )
            )
        return out

    # --- plan and write ---------------------------------------------------------------------

    def _state(
        self, staged: list[dict[str, Any]]
    ) -> tuple[
        dict[str, Provider],
        dict[tuple[str, str, int], Offer],
        dict[str, Citizen],
        set[tuple[str, int, dt.date]],
    ]:
        providers = {p.name.lower(): p for p in Provider.objects.exclude(kind=Provider.Kind.OWN)}
        offers = {
            (o.provider.name.lower(), o.name.lower(), o.paragraph_id): o
            for o in Offer.objects.filter(home__isnull=True).select_related("provider")
        }
        citizens = {
            c.case_number: c for c in Citizen.objects.filter(case_number__in={d["case_number"] for d in staged})
        }
        existing = set(
            Placement.objects.filter(citizen__case_number__in=list(citizens)).values_list(
                "citizen__case_number", "offer_id", "start_date"
            )
        )
        return providers, offers, citizens, existing

    @staticmethod
    def _offer_key(d: dict[str, Any]) -> tuple[str, str, int]:
        return (d["provider"].lower(), d["offer"].lower(), d["paragraph_id"])

    def plan(self, staged: list[dict[str, Any]], user: User) -> list[Target]:
        providers, offers, citizens, existing = self._state(staged)
        t_citizens = Target("citizens", "Borgere (sagsnummer og initialer)")
        t_providers = Target("providers", "Eksterne leverandører")
        t_offers = Target("offers", "Eksterne tilbud")
        t_placements = Target("placements", "Bevillinger", amount=Decimal("0"))
        placements_total = Decimal("0")
        for case in dict.fromkeys(d["case_number"] for d in staged):
            if case in citizens:
                t_citizens.unchanged += 1
            else:
                t_citizens.create += 1
        external = [d for d in staged if d.get("offer_id") is None]
        for name in dict.fromkeys(d["provider"].lower() for d in external):
            if name in providers:
                t_providers.unchanged += 1
            else:
                t_providers.create += 1
        for key in dict.fromkeys(self._offer_key(d) for d in external):
            if key in offers:
                t_offers.unchanged += 1
            else:
                t_offers.create += 1
        for d in staged:
            placements_total += Decimal(d["annual_price"])
            t_placements.amount = placements_total
            offer = offers.get(self._offer_key(d)) if d.get("offer_id") is None else None
            offer_id = d.get("offer_id") or (offer.pk if offer else None)
            if (d["case_number"], offer_id, dt.date.fromisoformat(d["start_date"])) in existing:
                t_placements.unchanged += 1
            else:
                t_placements.create += 1
        return [t_citizens, t_providers, t_offers, t_placements]

    def write(self, staged: list[dict[str, Any]], user: User) -> dict[str, tuple[int, Decimal | None]]:
        providers, offers, citizens, existing = self._state(staged)
        new_citizens = [
            Citizen(case_number=case, initials=initials, birth_year=birth_year)
            for case, (initials, birth_year) in {
                d["case_number"]: (d["initials"], d.get("birth_year"))
                for d in staged
                if d["case_number"] not in citizens
            }.items()
        ]
        Citizen.objects.bulk_create(new_citizens)
        citizens.update({c.case_number: c for c in new_citizens})
        new_providers = 0
        new_offers = 0
        for d in staged:
            if d.get("offer_id") is not None:
                continue
            name = d["provider"].lower()
            if name not in providers:
                providers[name] = Provider.objects.create(name=d["provider"], kind=d["provider_kind"])
                new_providers += 1
            key = self._offer_key(d)
            if key not in offers:
                offers[key] = Offer.objects.create(
                    provider=providers[name], name=d["offer"], paragraph_id=d["paragraph_id"]
                )
                new_offers += 1
        provider_kind = dict(Offer.objects.values_list("pk", "provider__kind"))
        today = timezone.localdate()
        now = timezone.now()
        created: list[Placement] = []
        keys = []
        for d in staged:
            offer_id = d.get("offer_id") or offers[self._offer_key(d)].pk
            start = dt.date.fromisoformat(d["start_date"])
            placement_key = (d["case_number"], offer_id, start)
            keys.append(placement_key)
            if placement_key in existing:
                continue
            existing.add(placement_key)
            price = Decimal(d["annual_price"])
            due = None
            if d["status"] in ("indstillet", "godkendt", "aktiv"):
                due = first_due(paragraph_id=d["paragraph_id"], start_date=start)
                # A placement running for years is due at its next regular follow-up, not years ago.
                while due is not None and due < today:
                    due = next_due_after(paragraph_id=d["paragraph_id"], follow_up_date=due)
            created.append(
                Placement(
                    citizen=citizens[d["case_number"]],
                    offer_id=offer_id,
                    package_id=d["package_id"],
                    acting_municipality_id=d["acting"],
                    paying_municipality_id=d["paying"],
                    start_date=start,
                    end_date=dt.date.fromisoformat(d["end_date"]) if d["end_date"] else None,
                    annual_price=price,
                    status=d["status"],
                    required_level=required_level(price, provider_kind[offer_id]),
                    next_follow_up=due,
                    note="Indlæst fra sagssystemet.",
                    created_by=user,
                    decided_at=None if d["status"] == "indstillet" else now,
                )
            )
        Placement.objects.bulk_create(created)
        # Read back: the placements the file describes and what the table holds for them.
        total = Decimal("0")
        wanted = set(keys)
        for case, offer_id, start, price in Placement.objects.filter(
            citizen__case_number__in={k[0] for k in keys}
        ).values_list("citizen__case_number", "offer_id", "start_date", "annual_price"):
            if (case, offer_id, start) in wanted:
                total += price
        return {
            "citizens": (len(new_citizens), None),
            "providers": (new_providers, None),
            "offers": (new_offers, None),
            "placements": (len(created), total),
        }


PLACEMENTS = PlacementsKind()
