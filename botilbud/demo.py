"""The demo municipality's organisation: areas, homes and users.

``manage.py seed_demo`` runs this first, then each app's own seeder (they
register with ``botilbud.registry.demo_seeder``). Everything is derived from
one ``random.Random(seed)``, so the same seed gives the same municipality.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password

from botilbud.models import Area, Home, HourPrice, Paragraph, Role, User

DEMO_PASSWORD = "demo"

SCALES: dict[str, dict[str, int]] = {
    "small": {"areas": 3, "homes": 10},
    "medium": {"areas": 6, "homes": 40},
    "large": {"areas": 12, "homes": 150},
}

AREA_NAMES = [
    "Amager",
    "Nørrebro",
    "Valby",
    "Bispebjerg",
    "Østerbro",
    "Vesterbro",
    "Brønshøj",
    "Vanløse",
    "Sydhavnen",
    "Indre By",
    "Husum",
    "Tingbjerg",
]
NAME_FIRST = [
    "Ege",
    "Birke",
    "Linde",
    "Bøge",
    "Ahorn",
    "Pile",
    "Hassel",
    "Rønne",
    "Hyld",
    "Kastanje",
    "Elme",
    "Ask",
    "Syren",
    "Rose",
    "Kløver",
    "Lærke",
    "Svane",
    "Mølle",
    "Sø",
    "Engs",
    "Skov",
    "Strand",
    "Bakke",
    "Kilde",
    "Solsikke",
]
NAME_LAST = ["huset", "gården", "bakken", "lund", "vang", "højen", "bo", "toften", "hjemmet", "lyst"]
STREETS = [
    "Amagerbrogade",
    "Nørrebrogade",
    "Valby Langgade",
    "Frederikssundsvej",
    "Østerbrogade",
    "Istedgade",
    "Brønshøjvej",
    "Jyllingevej",
    "Sydhavnsgade",
    "Store Kongensgade",
    "Husumvej",
    "Ruskovvej",
]
FIRST_NAMES = [
    "Anne",
    "Mette",
    "Lars",
    "Jens",
    "Hanne",
    "Susanne",
    "Peter",
    "Michael",
    "Louise",
    "Camilla",
    "Søren",
    "Henrik",
    "Maria",
    "Kirsten",
    "Thomas",
    "Rasmus",
    "Line",
    "Birgitte",
    "Ole",
    "Pia",
    "Mads",
    "Sofie",
    "Jesper",
    "Charlotte",
]
LAST_NAMES = [
    "Jensen",
    "Nielsen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
    "Dahl",
]

# The fixed demo logins, one per role (password "demo"; demo data only).
DEMO_LOGINS = [
    ("leder", Role.HOME_MANAGER, "Anne", "Lund", "Botilbudsleder"),
    ("omraadeleder", Role.AREA_MANAGER, "Lars", "Holm", "Områdeleder"),
    ("konsulent", Role.CONSULTANT, "Mette", "Kjær", "Økonomikonsulent"),
    ("sagsbehandler", Role.CASEWORKER, "Søren", "Bach", "Socialrådgiver"),
    ("myndighedsleder", Role.AUTHORITY_HEAD, "Hanne", "Vestergaard", "Myndighedsleder"),
    ("fagchef", Role.DEPARTMENT_HEAD, "Peter", "Brandt", "Fagchef for socialområdet"),
    ("admin", Role.ADMIN, "Jens", "Skov", "Systemejer"),
]


@dataclass
class DemoContext:
    """What each app's seeder gets: the random source and what exists so far."""

    rng: random.Random
    scale: str
    today: dt.date
    years: list[int]
    areas: list[Area] = field(default_factory=list)
    homes: list[Home] = field(default_factory=list)
    users: dict[str, User] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)

    @property
    def year(self) -> int:
        return self.today.year


def person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)


def seed_organisation(ctx: DemoContext) -> None:
    rng = ctx.rng
    size = SCALES[ctx.scale]
    password = make_password(DEMO_PASSWORD)  # hash once, reuse: seeding stays fast

    users = [
        User(
            username=username,
            role=role,
            first_name=first,
            last_name=last,
            title=title,
            password=password,
            is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
            email=f"{username}@demo.botilbud.dk",
        )
        for username, role, first, last, title in DEMO_LOGINS
    ]
    User.objects.bulk_create(users)
    ctx.users = {u.username: u for u in User.objects.all()}

    ctx.areas = Area.objects.bulk_create([Area(name=f"Område {name}") for name in AREA_NAMES[: size["areas"]]])

    names: list[str] = []
    combos = [f"{a}{b}" for a in NAME_FIRST for b in NAME_LAST]
    rng.shuffle(combos)
    names = combos[: size["homes"]]
    paragraphs = {p.code: p for p in Paragraph.objects.all()}
    homes = []
    for index, name in enumerate(names):
        area = ctx.areas[index % len(ctx.areas)] if index >= 3 else ctx.areas[0]
        kind = rng.choices(["§108", "§107", "§105+§85", "§85"], weights=[45, 20, 20, 15])[0]
        capacity = {
            "§108": rng.randint(12, 32),
            "§107": rng.randint(8, 24),
            "§105+§85": rng.randint(14, 30),
            "§85": 0,  # a § 85 team has clients, never places (DESIGN: occupancy)
        }[kind]
        homes.append(
            Home(
                name=name,
                area=area,
                address=f"{rng.choice(STREETS)} {rng.randint(1, 240)}, {rng.randint(1000, 2770)} København",
                capacity=capacity,
                target_group=rng.choice([Home.TargetGroup.DISABILITY, Home.TargetGroup.MENTAL_ILLNESS]),
                cost_centre=f"{52000 + index * 10}",
                financing=Home.Financing.ACTIVITY if kind in ("§85", "§105+§85") else Home.Financing.FRAME,
            )
        )
        homes[-1]._kind = kind  # type: ignore[attr-defined]  # a seeding note on the unsaved instance, read below
    kinds = [h._kind for h in homes]  # type: ignore[attr-defined]  # set just above
    ctx.homes = Home.objects.bulk_create(homes)
    # The demo manager's first home is a §108 home with the §85 support too,
    # so every flow of the demo (placements, package changes) can happen there.
    kinds[0] = "§108"

    # Paragraphs per home (through table, bulk).
    through = Home.paragraphs.through
    links = []
    for home, kind in zip(ctx.homes, kinds, strict=True):
        codes = {kind}
        if kind in ("§108", "§107"):
            codes.add("§85")
        links += [through(home_id=home.pk, paragraph_id=paragraphs[c].pk) for c in sorted(codes)]
    through.objects.bulk_create(links)

    # One generated manager per home after the demo manager's two homes;
    # a consultant for every two areas; an area manager per area.
    generated: list[User] = []
    for i in range(2, len(ctx.homes)):
        first, last = person(rng)
        generated.append(
            User(
                username=f"leder{i:03d}",
                role=Role.HOME_MANAGER,
                first_name=first,
                last_name=last,
                title="Botilbudsleder",
                password=password,
            )
        )
    for i in range(1, len(ctx.areas)):
        first, last = person(rng)
        generated.append(
            User(
                username=f"omraadeleder{i:02d}",
                role=Role.AREA_MANAGER,
                first_name=first,
                last_name=last,
                password=password,
            )
        )
    for i in range(1, (len(ctx.areas) + 1) // 2 + 1):
        first, last = person(rng)
        generated.append(
            User(
                username=f"konsulent{i:02d}", role=Role.CONSULTANT, first_name=first, last_name=last, password=password
            )
        )
    User.objects.bulk_create(generated)
    ctx.users = {u.username: u for u in User.objects.all()}

    manager_links = [
        Home.managers.through(home_id=ctx.homes[0].pk, user_id=ctx.users["leder"].pk),
        Home.managers.through(home_id=ctx.homes[1].pk, user_id=ctx.users["leder"].pk),
    ]
    for i in range(2, len(ctx.homes)):
        manager_links.append(Home.managers.through(home_id=ctx.homes[i].pk, user_id=ctx.users[f"leder{i:03d}"].pk))
    Home.managers.through.objects.bulk_create(manager_links)

    area_links = [Area.managers.through(area_id=ctx.areas[0].pk, user_id=ctx.users["omraadeleder"].pk)]
    for i in range(1, len(ctx.areas)):
        area_links.append(Area.managers.through(area_id=ctx.areas[i].pk, user_id=ctx.users[f"omraadeleder{i:02d}"].pk))
    Area.managers.through.objects.bulk_create(area_links)

    consultant_links = []
    for home in ctx.homes:
        area_index = ctx.areas.index(next(a for a in ctx.areas if a.pk == home.area_id))
        pair = area_index // 2
        username = "konsulent" if pair == 0 else f"konsulent{pair:02d}"
        consultant_links.append(Home.consultants.through(home_id=home.pk, user_id=ctx.users[username].pk))
    Home.consultants.through.objects.bulk_create(consultant_links)
    # Hour prices per home and year (about 400 kr., +2.5 % a year).
    prices = []
    for home in ctx.homes:
        base = Decimal(rng.randint(370, 430))
        for offset, year in enumerate(ctx.years):
            factor = Decimal("1.025") ** (offset - len(ctx.years) + 1)
            prices.append(HourPrice(home=home, year=year, hour_price=(base * factor).quantize(Decimal("0.01"))))
    HourPrice.objects.bulk_create(prices)
    ctx.log.append(f"{len(ctx.areas)} områder, {len(ctx.homes)} botilbud, {len(ctx.users)} brugere")
