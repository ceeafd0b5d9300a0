"""How far the municipality has got with onboarding: the "Kom i gang" steps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse

from botilbud.models import Area, Home, Role, User
from budget.models import Account, ActualsImport, BudgetLine
from onboarding.kinds import get_kind
from visitation.models import Placement


@dataclass
class Step:
    number: int
    title: str
    text: str
    done: bool
    facts: list[str]
    links: list[tuple[str, str]]  # (label, url)


def _url(name: str, *args: object) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _upload(slug: str) -> str | None:
    return _url("onboarding:upload", slug) if get_kind(slug) else None


def _links(*pairs: tuple[str, str | None]) -> list[tuple[str, str]]:
    return [(label, url) for label, url in pairs if url]


def onboarding_steps(today: dt.date | None = None) -> list[Step]:
    year = (today or dt.date.today()).year
    homes = Home.objects.filter(is_active=True).aggregate(
        n=Count("id"), places=Count("id", filter=Q(capacity__gt=0)), areas=Count("area", distinct=True)
    )
    area_count = Area.objects.count()
    users = (
        User.objects.filter(is_active=True)
        .exclude(role=Role.ADMIN)
        .aggregate(n=Count("id"), no_password=Count("id", filter=Q(password__startswith="!")))
    )
    managed = Home.objects.filter(is_active=True, managers__isnull=False).values("id").distinct().count()
    accounts = Account.objects.filter(is_active=True).count()
    budget = BudgetLine.objects.filter(year=year, home__is_active=True).aggregate(
        lines=Count("id"), homes=Count("home", distinct=True)
    )
    placements = Placement.objects.aggregate(
        n=Count("id"), active=Count("id", filter=Q(status=Placement.Status.ACTIVE))
    )
    actuals = ActualsImport.objects.filter(status=ActualsImport.Status.DONE).count()
    return [
        Step(
            1,
            "Områder og botilbud",
            "Områder og botilbud med omkostningssted, pladser, paragraffer, finansiering og budgetteret belægning.",
            homes["n"] > 0,
            [f"{area_count} områder", f"{homes['n']} aktive botilbud"],
            _links(("Indlæs områder og botilbud", _upload("organisation"))),
        ),
        Step(
            2,
            "Brugere",
            "Ledere, områdeledere, økonomikonsulenter, sagsbehandlere og ledelse med deres botilbud og områder.",
            users["n"] > 0,
            [
                f"{users['n']} brugere ud over administratorer",
                f"{managed} af {homes['n']} botilbud har en leder",
                f"{users['no_password']} har endnu ikke valgt adgangskode",
            ],
            _links(
                ("Indlæs brugere", _upload("brugere")),
                ("Adgangskoder", _url("onboarding:passwords")),
            ),
        ),
        Step(
            3,
            "Kontoplan og importprofil",
            "Kontoplanen kobler økonomisystemets konti (funktion og art) til kontogrupperne.",
            accounts > 0,
            [f"{accounts} aktive koblinger i kontoplanen"],
            # The import profiles page appears here once it exists (issue 10's actuals part).
            _links(
                ("Se kontoplanen", _url("admin:budget_account_changelist")),
                ("Importprofiler", _url("budget:import_profiles")),
            ),
        ),
        Step(
            4,
            f"Oprindeligt budget {year}",
            "Budgettet pr. botilbud og konto fra økonomisystemets budgeteksport.",
            homes["n"] > 0 and budget["homes"] >= homes["n"],
            [f"{budget['homes']} af {homes['n']} botilbud har budget for {year}", f"{budget['lines']} budgetlinjer"],
            _links(("Indlæs budget", _upload("budget"))),
        ),
        Step(
            5,
            "Bevillinger",
            "Eksisterende bevillinger fra sagssystemet: borger, tilbud, pakke, pris, start og slut.",
            placements["n"] > 0,
            [f"{placements['n']} bevillinger", f"{placements['active']} aktive"],
            _links(("Indlæs bevillinger", _upload("bevillinger"))),
        ),
        Step(
            6,
            "Første forbrugsimport",
            "Månedens forbrug fra økonomisystemet; derefter er prognosen i gang.",
            actuals > 0,
            [f"{actuals} indlæste forbrugsfiler"],
            _links(("Indlæs forbrug", _url("budget:actuals_import"))),
        ),
    ]
