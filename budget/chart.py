"""The chart of accounts (KL's structure) and the account-group mapping, as data.

- ``FUNCTIONS`` / ``ARTS``: the adult area's KL functions and art groups
  (DESIGN.md), shipped by migration 0006 and editable by the administrator.
- ``GROUPS``: the account groups on screen. The three coarse codes (loen,
  drift, indtaegt = ``botilbud.models.AccountGroup``) are groups of their own
  kind; more groups are data with a ``kind`` (e.g. purchases from other
  municipalities 4.7 and regions 4.8 apart, both of kind "drift").
- ``MAPPING``: function prefix / dranst / art prefix → group.

Regrouping: ``Actual.group`` (the fine group) and ``ActualTotal`` (per kind)
are *stamped* at import time, and ``regroup_actuals`` re-stamps the whole
history in one transaction whenever a mapping row or a group's kind changes
(the admin calls it in the same transaction as the save). We chose
re-stamping over resolving at read time because every page, the forecast
and the frozen follow-ups read the small ``ActualTotal`` table; resolving
the mapping on each read would put a range join over the postings behind
every figure.

``ensure_default_accounts`` restores the shipped rows where they are missing
(the demo seeder and tests call it: a flushed test database loses migration
data).
"""

from __future__ import annotations

from django.db import connection, transaction

from budget.models import Account, AccountArt, AccountFunction, GroupDefinition

FUNCTIONS = [
    ("5.38.42", "Botilbud for personer med særlige sociale problemer (§§ 109-110)"),
    ("5.38.44", "Alkoholbehandling"),
    ("5.38.45", "Behandling af stofmisbrugere"),
    ("5.38.50", "Botilbud til længerevarende ophold (§ 108)"),
    ("5.38.51", "Botilbudslignende tilbud (ABL § 105 og § 85)"),
    ("5.38.52", "Botilbud til midlertidigt ophold (§ 107)"),
    ("5.38.53", "Kontaktperson- og ledsageordninger (§§ 85, 97-99)"),
    ("5.38.58", "Beskyttet beskæftigelse (§ 103)"),
    ("5.38.59", "Aktivitets- og samværstilbud (§ 104)"),
]
ARTS = [
    ("1", "Lønninger"),
    ("2", "Varekøb"),
    ("4", "Køb af tjenesteydelser"),
    ("4.6", "Betalinger til staten"),
    ("4.7", "Betalinger til kommuner"),
    ("4.8", "Betalinger til regioner"),
    ("5", "Tilskud og overførsler"),
    ("7", "Indtægter"),
    ("7.6", "Indtægter fra staten"),
    ("7.7", "Indtægter fra kommuner"),
    ("7.8", "Indtægter fra regioner"),
    ("9", "Interne udgifter og indtægter"),
    ("9.1", "Interne udgifter"),
    ("9.7", "Interne indtægter"),
]
# code, name, kind, order
GROUPS = [
    ("loen", "Løn", "loen", 10),
    ("drift", "Øvrig drift", "drift", 20),
    ("koeb_kommuner", "Køb hos andre kommuner", "drift", 30),
    ("koeb_regioner", "Køb hos regioner", "drift", 40),
    ("indtaegt", "Indtægter", "indtaegt", 50),
]
# function prefix ("5.38" = every adult-area function), dranst, art prefix → group
MAPPING = [
    ("5.38", "", "1", "loen", "Lønninger"),
    ("5.38", "", "2", "drift", "Varekøb"),
    ("5.38", "", "4", "drift", "Køb af tjenesteydelser"),
    ("5.38", "", "4.7", "koeb_kommuner", "Betalinger til kommuner"),
    ("5.38", "", "4.8", "koeb_regioner", "Betalinger til regioner"),
    ("5.38", "", "5", "drift", "Tilskud og overførsler"),
    ("5.38", "", "9", "drift", "Interne udgifter"),
    ("5.38", "", "9.7", "indtaegt", "Interne indtægter"),
    ("5.38", "", "7", "indtaegt", "Indtægter"),
    ("5.38", "2", "", "indtaegt", "Statsrefusion (dranst 2)"),
]


def ensure_default_accounts() -> int:
    """Create the shipped functions, arts, groups and mapping rows that are missing."""

    have = set(AccountFunction.objects.values_list("code", flat=True))
    AccountFunction.objects.bulk_create([AccountFunction(code=c, name=n) for c, n in FUNCTIONS if c not in have])
    have = set(AccountArt.objects.values_list("code", flat=True))
    AccountArt.objects.bulk_create([AccountArt(code=c, name=n) for c, n in ARTS if c not in have])
    have = set(GroupDefinition.objects.values_list("code", flat=True))
    GroupDefinition.objects.bulk_create(
        [GroupDefinition(code=c, name=n, kind=k, order=o) for c, n, k, o in GROUPS if c not in have]
    )
    existing = set(Account.objects.values_list("function_code", "dranst", "art_prefix"))
    new = [
        Account(function_code=f, dranst=d, art_prefix=a, group=g, name=n)
        for f, d, a, g, n in MAPPING
        if (f, d, a) not in existing
    ]
    Account.objects.bulk_create(new)
    return len(new)


# The group of a (function, dranst, art) triple: the most specific active mapping row.
RESOLVE_SQL = """
    SELECT a."group" FROM budget_account a
    WHERE a.is_active
      AND left({fn}, length(a.function_code)) = a.function_code
      AND (a.dranst = '' OR a.dranst = coalesce({dranst}, ''))
      AND left({art}, length(a.art_prefix)) = a.art_prefix
    ORDER BY length(a.art_prefix) DESC, length(a.function_code) DESC, (a.dranst = '') LIMIT 1
"""


def resolve_group(function_code: str, dranst: str, art: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(RESOLVE_SQL.format(fn="%s", dranst="%s", art="%s"), [function_code, dranst, art])
        row = cursor.fetchone()
    return row[0] if row else None


def regroup_actuals() -> tuple[int, int]:
    """Re-stamp every posting's group from the current mapping and rebuild the per-kind totals,
    in one transaction (imports wait on the same advisory lock). Returns (postings moved, totals rows).

    A posting whose account no longer maps keeps its last group (nothing is lost); the mapping
    admin refuses to leave accounts in use unmapped (see ``unmapped_accounts``)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('budget.actuals_import'))")
        cursor.execute(
            f"""
            WITH k AS (SELECT DISTINCT function_code, dranst, art_code FROM budget_actual),
            m AS (
              SELECT k.*, ({RESOLVE_SQL.format(fn="k.function_code", dranst="k.dranst", art="k.art_code")}) AS grp
              FROM k
            )
            UPDATE budget_actual a SET "group" = m.grp
            FROM m
            WHERE a.function_code = m.function_code AND a.dranst = m.dranst AND a.art_code = m.art_code
              AND m.grp IS NOT NULL AND a."group" <> m.grp
            """
        )
        moved = cursor.rowcount
        # A large import's raw rows (migration 0018) take their group from their key: regrouped there.
        resolve = RESOLVE_SQL.format(fn="k.function_code", dranst="k.dranst", art="k.art_code")
        cursor.execute(
            f"""
            CREATE TEMP TABLE budget_regroup_keys ON COMMIT DROP AS
            SELECT k.id, m.grp FROM budget_actualrawkey k, LATERAL (SELECT ({resolve}) AS grp) m
            WHERE m.grp IS NOT NULL AND k."group" <> m.grp
            """
        )
        cursor.execute(
            """
            SELECT count(*) FROM budget_actualraw r
            JOIN budget_actualrawkey k ON k.batch_id = r.batch_id AND k.cc = r.cc AND k.fn = r.fn AND k.dr = r.dr
              AND k.art = r.art AND k.acct = r.acct
            JOIN budget_actualrawperiod t ON t.batch_id = r.batch_id AND t.period = r.period AND t.pdate = r.pdate
            WHERE k.id IN (SELECT id FROM budget_regroup_keys)
            """
        )
        moved += cursor.fetchone()[0]
        cursor.execute('UPDATE budget_actualrawkey k SET "group" = m.grp FROM budget_regroup_keys m WHERE m.id = k.id')
        cursor.execute("DROP TABLE budget_regroup_keys")
        cursor.execute("DELETE FROM budget_actualtotal")
        cursor.execute(
            """
            INSERT INTO budget_actualtotal (home_id, month, "group", amount, row_count)
            SELECT a.home_id, a.month, coalesce(g.kind, a."group"), sum(a.amount), count(*)
            FROM budget_posting a LEFT JOIN budget_groupdefinition g ON g.code = a."group"
            GROUP BY 1, 2, 3
            """
        )
        totals = cursor.rowcount
    return moved, totals


def unmapped_accounts(limit: int = 20) -> list[tuple[str, str, str, int]]:
    """Accounts in the postings that the current mapping does not place (function, dranst, art, rows)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT function_code, dranst, art_code, n FROM (
              SELECT function_code, dranst, art_code, count(*) AS n FROM budget_posting GROUP BY 1, 2, 3
            ) k
            WHERE ({RESOLVE_SQL.format(fn="k.function_code", dranst="k.dranst", art="k.art_code")}) IS NULL
            ORDER BY n DESC LIMIT %s
            """,
            [limit],
        )
        return cursor.fetchall()


class Resolver:
    """The mapping in memory, for small files (a budget export): the same rule as ``RESOLVE_SQL``."""

    def __init__(self) -> None:
        self.rows = list(
            Account.objects.filter(is_active=True).values_list("function_code", "dranst", "art_prefix", "group")
        )
        self.kinds = dict(GroupDefinition.objects.values_list("code", "kind"))

    def group(self, function_code: str, art: str, dranst: str = "") -> str | None:
        best: tuple[int, int, bool] | None = None
        found = None
        for fn, dr, prefix, group in self.rows:
            if not function_code.startswith(fn) or not art.startswith(prefix) or dr not in ("", dranst):
                continue
            rank = (-len(prefix), -len(fn), dr == "")
            if best is None or rank < best:
                best, found = rank, group
        return found

    def kind(self, function_code: str, art: str, dranst: str = "") -> str | None:
        group = self.group(function_code, art, dranst)
        return self.kinds.get(group, group) if group else None
