"""The original budget from the finance system's budget export (an onboarding import kind).

One row per home × account (or × account group): Omkostningssted, År, then
either Funktion + Art, a Konto string (``5.38.50/1.11`` or
``5.38.50.001.1.11``), or a Kontogruppe (Løn / Øvrig drift / Indtægter), and
the Budget. Accounts are mapped to their account group by the chart of
accounts (the most specific mapping row, as for actuals) and summed per home,
year and group into the budget lines' original budget. Corrections are kept:
they are never overwritten. Runs through the staged import framework
(``onboarding``): preview with reconciliation, refusal naming every bad line,
atomic write.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from botilbud.models import AccountGroup, Home, User
from botilbud.permissions import can
from budget.chart import Resolver
from budget.models import BudgetLine
from onboarding.framework import RowError, Staged, Target, capitalise, parse_amount, parse_int
from onboarding.models import ImportKind
from onboarding.reader import Column, SourceRow, norm_header

GROUPS = {
    "løn": AccountGroup.WAGES,
    "loen": AccountGroup.WAGES,
    "lønninger": AccountGroup.WAGES,
    "øvrig drift": AccountGroup.OPERATIONS,
    "drift": AccountGroup.OPERATIONS,
    "indtægter": AccountGroup.INCOME,
    "indtægt": AccountGroup.INCOME,
    "indtaegt": AccountGroup.INCOME,
}
_ACCOUNT_RE = re.compile(r"^[0-9]+(\.[0-9]+){3,}$")


def split_account(text: str) -> tuple[str, str] | None:
    """``5.38.50/1.11`` or ``5.38.50.001.1.11`` → (function, art); None if unreadable.

    The function is the first three parts (hovedkonto.hovedfunktion.funktion);
    the rest (gruppering, dranst, art) is matched by the art prefixes.
    """
    acc = re.sub(r"[ /-]+", ".", text.strip())
    if not _ACCOUNT_RE.match(acc):
        return None
    parts = acc.split(".")
    return ".".join(parts[:3]), ".".join(parts[3:])


class AccountMap:
    """The chart of accounts in memory (a budget file is small): ``budget.chart.Resolver``, the same
    rule as the actuals import's SQL. A budget line is per coarse group, so this gives the group's kind."""

    def __init__(self) -> None:
        self.resolver = Resolver()

    def group(self, function_code: str, art: str) -> str | None:
        return self.resolver.kind(function_code, art, "1")


def import_home_ids(user: User) -> set[int] | None:
    """The homes whose budget ``user`` may import (None = all)."""
    if can(user, "budget.manage_any_home"):
        return None
    if can(user, "budget.import_actuals"):
        return set(Home.objects.writable_by(user).values_list("pk", flat=True))
    return set()


class BudgetKind:
    kind = ImportKind.BUDGET.value
    title = "Oprindeligt budget"
    intro = (
        "Økonomisystemets budgeteksport: én række pr. botilbud og konto (Funktion og Art, eller en Konto som "
        "5.38.50/1.11) eller pr. kontogruppe (Løn, Øvrig drift, Indtægter). Konti lægges sammen pr. kontogruppe "
        "efter kontoplanen. Indtægter skrives negativt. Det oprindelige budget sættes; korrektioner bevares."
    )
    sample = "budget.csv"
    amount_key: str | None = "amount"
    columns = [
        Column("cost_centre", "Omkostningssted", frozenset({"omk.sted", "omk. sted", "omksted", "ansvarssted"})),
        Column("year", "År", frozenset({"budgetår", "aar", "regnskabsår"})),
        Column("group", "Kontogruppe", frozenset({"gruppe"}), required=False),
        Column("function_code", "Funktion", frozenset({"kl-funktion"}), required=False),
        Column("art_code", "Art", frozenset({"artskonto", "artskode"}), required=False),
        Column("account", "Konto", frozenset({"kontonummer", "kontostreng"}), required=False),
        Column("amount", "Budget", frozenset({"beløb", "oprindeligt budget", "budgetbeløb"})),
    ]

    def may_import(self, user: User) -> bool:
        return can(user, "budget.import_actuals")

    def validate(self, rows: Iterable[SourceRow], user: User) -> Staged:
        homes = {h.cost_centre: h.pk for h in Home.objects.all()}
        allowed = import_home_ids(user)
        accounts = AccountMap()
        out = Staged(amount=Decimal("0"))
        total = Decimal("0")
        seen: dict[tuple[int, int, str], int] = {}
        group_rows: dict[tuple[int, int, str], tuple[str, int]] = {}  # (home, year, group) → (how, line)
        for row in rows:
            out.in_file += 1
            reasons: list[str] = []
            cc = row.get("cost_centre")
            home_id = homes.get(cc)
            if not cc:
                reasons.append("Omkostningssted mangler")
            elif home_id is None:
                reasons.append(f"Ukendt omkostningssted »{cc}«")
            elif allowed is not None and home_id not in allowed:
                reasons.append(f"Du har ikke adgang til omkostningssted »{cc}«")
            year, err = parse_int(row.get("year"), "Året", minimum=2000, maximum=2100)
            if err:
                reasons.append(err)
            amount, err = parse_amount(row.get("amount"), "Budgettet")
            if err:
                reasons.append(err)
            fn, art = row.get("function_code"), row.get("art_code")
            account_text = ""
            group: str | None = None
            if row.get("account") and not (fn and art):
                parts = split_account(row.get("account"))
                if parts is None:
                    reasons.append(f"Kontoen »{row.get('account')}« kan ikke læses (brug fx 5.38.50/1.11)")
                else:
                    fn, art = parts
            if fn and art:
                account_text = f"{fn} / {art}"
                group = accounts.group(fn, art)
                if group is None:
                    reasons.append(f"Ukendt konto »{account_text}« (findes ikke i kontoplanen)")
            elif row.get("group"):
                found = GROUPS.get(norm_header(row.get("group")))
                if found is None:
                    reasons.append(f"Ukendt kontogruppe »{row.get('group')}« (brug Løn, Øvrig drift eller Indtægter)")
                else:
                    group = found.value
            elif not row.get("account"):
                reasons.append("Konto mangler (Funktion og Art, Konto eller Kontogruppe)")
            if not reasons and home_id and year and group:
                key = (home_id, year, account_text or group)
                if key in seen:
                    reasons.append(f"Samme botilbud, år og konto som linje {seen[key]}")
                seen.setdefault(key, row.line)
                how = "konto" if account_text else "gruppe"
                other = group_rows.setdefault((home_id, year, group), (how, row.line))
                if other[0] != how:
                    reasons.append(
                        f"Kontogruppen står både som konti og som samlet beløb (se linje {other[1]}); brug det ene"
                    )
            if reasons:
                out.errors.append(RowError(row.line, [capitalise(r) for r in reasons]))
                continue
            assert amount is not None  # parsed without an error
            total += amount
            out.amount = total
            out.rows.append(
                (
                    row.line,
                    {
                        "home_id": home_id,
                        "cost_centre": cc,
                        "year": year,
                        "group": group,
                        "account": account_text,
                        "amount": str(amount),
                    },
                )
            )
        return out

    @staticmethod
    def _lines(staged: list[dict[str, Any]]) -> dict[tuple[int, int, str], Decimal]:
        totals: dict[tuple[int, int, str], Decimal] = defaultdict(Decimal)
        for d in staged:
            totals[(d["home_id"], d["year"], d["group"])] += Decimal(d["amount"])
        return totals

    def _existing(self, staged: list[dict[str, Any]]) -> dict[tuple[int, int, str], BudgetLine]:
        return {
            (line.home_id, line.year, line.group): line
            for line in BudgetLine.objects.filter(
                home_id__in={d["home_id"] for d in staged}, year__in={d["year"] for d in staged}
            )
        }

    def plan(self, staged: list[dict[str, Any]], user: User) -> list[Target]:
        existing = self._existing(staged)
        target = Target("budget_lines", "Budgetlinjer (botilbud × år × kontogruppe)", amount=Decimal("0"))
        total = Decimal("0")
        for key, amount in self._lines(staged).items():
            total += amount
            target.amount = total
            line = existing.get(key)
            if line is None:
                target.create += 1
            elif line.original != amount:
                target.update += 1
            else:
                target.unchanged += 1
        return [target]

    def write(self, staged: list[dict[str, Any]], user: User) -> dict[str, tuple[int, Decimal | None]]:
        totals = self._lines(staged)
        existing = {k: v for k, v in self._existing(staged).items() if k in totals}
        # Lock the lines we change (a concurrent correction or import waits).
        locked = {
            (line.home_id, line.year, line.group): line
            for line in BudgetLine.objects.select_for_update().filter(pk__in=[v.pk for v in existing.values()])
        }
        written = 0
        for key, amount in totals.items():
            line = locked.get(key)
            if line is None:
                BudgetLine.objects.create(home_id=key[0], year=key[1], group=key[2], original=amount)
                written += 1
            elif line.original != amount:
                line.original = amount
                line.version += 1
                line.save(update_fields=["original", "version"])
                written += 1
        # Read back what the table now holds for these lines: it must be the file's total.
        total = sum(
            (
                line.original
                for line in BudgetLine.objects.filter(
                    home_id__in={k[0] for k in totals}, year__in={k[1] for k in totals}
                )
                if (line.home_id, line.year, line.group) in totals
            ),
            Decimal("0"),
        )
        return {"budget_lines": (written, total)}


BUDGET_KIND = BudgetKind()
