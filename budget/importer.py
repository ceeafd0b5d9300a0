"""Actuals import: stream a finance-system export into Postgres and check it there, through an import profile.

Every file goes through a profile (``budget.models.ImportProfile``; the app's own layout is the shipped
profile ``profiles.OWN_LAYOUT``, whose columns are recognised by their names). The file is never held in
memory: the shared reader (``botilbud.lib.tabular``) streams it row by row into ``COPY … FROM STDIN``
of a lean temporary table (see "The profile path" below). Every bad row is reported by its line in the
file with all its reasons, and nothing is written; a good file is written with one DELETE + INSERT per
table, replacing the months it covers for its cost centres.

All functions here must run inside ``transaction.atomic()`` (the temporary tables live until commit).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import IO, Any

import psycopg
from django.core.files import File
from django.db import DatabaseError, connection, transaction

from botilbud.lib import tabular
from botilbud.lib.dates import month_start
from budget import chart, profiles, shipped_profiles

AGG = "budget_actuals_agg"
MAX_ERRORS_SHOWN = 500
COPY_CHUNK = 5000


class ImportFileError(Exception):
    """The file cannot be read at all (format, header, encoding). Danish message."""


@dataclass
class RowError:
    row: int
    reasons: list[str]


@dataclass
class StageResult:
    file_name: str
    row_count: int = 0
    bad_row_count: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.bad_row_count == 0 and self.row_count > 0


def _copy_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


@dataclass
class ReadInfo:
    """What the reader saw: the lines it could not read (named by file line), and per cost centre
    the rows and amount in the file as Python read them (the first column of the reconciliation)."""

    errors: list[RowError] = field(default_factory=list)
    bad_count: int = 0
    description: str = ""
    file_stats: dict[str, list[Any]] = field(default_factory=dict)  # cost centre → [rows (int), amount (Decimal)]
    # The profile path (``_stage_with_profile``): its lookup columns, and after ``validate_profile``
    # the SQL of its rows as they are written (instead of the normalised table).
    profile_lookups: list[str] | None = None
    profile: Any = None
    source_sql: str | None = None
    # The COPY path (``_copy_stage``): what its SQL needs, and how to read the file again with the reader.
    fast: dict[str, Any] | None = None
    write_sql: str | None = None
    restage: Callable[[], ReadInfo] | None = None


_ORE = Decimal("0.01")


def stage_file(
    stream: IO[bytes],
    file_name: str,
    profile: Any = None,
    max_upload_bytes: int | None = None,
    *,
    copy: bool = True,
    keep_raw: bool = False,
) -> ReadInfo:
    """Read the file (``botilbud.lib.tabular``) through ``profile`` (an ``ImportProfile``; None = the app's
    own layout) and COPY its rows into the temporary table (``_stage_with_profile``).

    ``copy``: let Postgres parse a plain CSV file itself (``_copy_stage``, the fast path); the reader
    reads every file that path declines, and ``validate_profile`` has the reader read a file again
    (``ReadInfo.restage``) when it finds any bad row there, so bad lines are always named by the reader.
    ``keep_raw``: the file may be written now (``apply``); a large file's COPY then goes into a table that
    can stay as the import's raw rows (``RAW_PREFIX``; ``discard_raw`` drops it if it does not).

    Lines the reader or the profile cannot read are returned (by their line in the file);
    ``validate_profile`` adds them to the rows it refuses. Raises ``ImportFileError`` when the file
    cannot be read at all.
    """

    if profile is None:
        profile = shipped_profiles.own_layout_profile()
    limits = {"max_upload_bytes": max_upload_bytes} if max_upload_bytes else {}
    options = profile.read_options(**limits)
    try:
        table = tabular.open_table(stream, file_name, options)
    except tabular.TabularError as exc:
        if "ikke fundet" in str(exc):
            if profile.own_layout:
                _explain_missing_header(stream, file_name)
            raise ImportFileError(
                f"Overskriften med kolonnerne »{profile.col_cost_centre}« og »{profile.col_amount}« (profilen "
                f"»{profile.name}«) blev ikke fundet i filens første linjer."
            ) from exc
        raise ImportFileError(str(exc)) from exc
    info = ReadInfo()
    try:
        mapper = profiles.RowMapper(profile, table.header)
    except ValueError as exc:
        table.close()
        raise ImportFileError(str(exc)) from exc
    with connection.cursor() as cursor:
        if copy:
            table.close()  # its header, encoding and separator stay; the COPY path reads the bytes itself
            if _copy_stage(stream, table, mapper, cursor, info, keep_raw):
                info.description = table.description
                info.restage = lambda: stage_file(stream, file_name, profile, max_upload_bytes, copy=False)
                return info
            stream.seek(0)  # the COPY path declined the file: the reader reads it from the start
            table = tabular.open_table(stream, file_name, options)
        with table:
            _stage_with_profile(table, mapper, cursor, info)
    info.description = table.description
    info.bad_count += table.bad_line_count
    info.errors += [RowError(row=b.line, reasons=[b.reason]) for b in table.bad_lines]
    return info


def _explain_missing_header(stream: IO[bytes], file_name: str) -> None:
    """No own-layout header within the first lines: name what the first line lacks (raises ImportFileError)."""

    stream.seek(0)
    try:
        table = tabular.open_table(stream, file_name)
    except tabular.TabularError:
        return
    with table:
        try:
            profiles.own_layout_index(table.header)
        except ValueError as exc:
            raise ImportFileError(str(exc)) from None


@dataclass
class PreviewRow:
    home_id: int
    home_name: str
    cost_centre: str
    month: dt.date
    rows: int
    wages: Decimal
    operations: Decimal
    income: Decimal
    total: Decimal
    existing_rows: int
    existing_total: Decimal


def preview() -> list[PreviewRow]:
    """What the import will write, per cost centre and month, beside what it replaces (after ``validate``)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH new AS (
              SELECT home_id, cost_centre, month, sum(n)::bigint AS n,
                     sum(amount) FILTER (WHERE kind = 'loen') AS wages,
                     sum(amount) FILTER (WHERE kind = 'drift') AS operations,
                     sum(amount) FILTER (WHERE kind = 'indtaegt') AS income,
                     sum(amount) AS total
              FROM {AGG} GROUP BY home_id, cost_centre, month
            ),
            old AS (
              SELECT a.cost_centre, a.month, sum(a.n)::bigint AS n, sum(a.amount) AS total
              FROM budget_postingsum a JOIN new USING (cost_centre, month)
              GROUP BY a.cost_centre, a.month
            )
            SELECT new.home_id, h.name, new.cost_centre, new.month, new.n,
                   coalesce(new.wages, 0), coalesce(new.operations, 0), coalesce(new.income, 0), new.total,
                   coalesce(old.n, 0), coalesce(old.total, 0)
            FROM new JOIN botilbud_home h ON h.id = new.home_id
            LEFT JOIN old ON old.cost_centre = new.cost_centre AND old.month = new.month
            ORDER BY h.name, new.cost_centre, new.month
            """
        )
        return [PreviewRow(*row) for row in cursor.fetchall()]


@contextlib.contextmanager
def _hash_plans(cursor: Any) -> Iterator[None]:
    """Hash joins and hash aggregates for the statements inside: a million rows meet a few thousand resolved
    combinations, joined and grouped by several text keys, and the estimates of a temporary table (no
    statistics) or of rows just inserted would otherwise make the planner sort a million rows by those
    keys, or loop over them. The settings are restored afterwards (they hold for this transaction only)."""
    names = ("enable_mergejoin", "enable_nestloop", "enable_sort")
    cursor.execute("SELECT " + ", ".join(f"current_setting('{n}')" for n in names))
    before = cursor.fetchone()
    cursor.execute("SELECT " + ", ".join(f"set_config('{n}', 'off', true)" for n in names))
    try:
        yield
    finally:
        cursor.execute("SELECT " + ", ".join(f"set_config('{n}', %s, true)" for n in names), list(before))


class WriteMismatchError(ImportFileError):
    """The rows written differ from the rows checked (the import is rolled back)."""


# A write of this many rows or more goes into a partition of its own (``_create_partition``); below it, into
# ``budget_actual_main`` (an ``INSERT``, as before). Few large imports a year keep the partitions few.
PARTITION_MIN_ROWS = 100_000
MAIN_PART = 0
# budget_actual's columns in their table order, with the exact types (a partition must have them all).
_PART_COLUMNS = (
    ("id", "bigint"),
    ("month", "date"),
    ('"group"', "varchar(20)"),
    ("function_code", "varchar(20)"),
    ("art_code", "varchar(20)"),
    ("posting_date", "date"),
    ("amount", "numeric(14,2)"),
    ("text", "varchar(200)"),
    ("home_id", "bigint"),
    ("batch_id", "bigint"),
    ("account", "varchar(80)"),
    ("cost_centre", "varchar(40)"),
    ("dranst", "varchar(1)"),
    ("part", "integer"),
)


def partition_name(part: int) -> str:
    return f"budget_actual_b{int(part)}"


# A large import through the COPY path whose every amount is of the plain form keeps the file's cells as COPY
# wrote them (migration 0018): ``budget_actualraw_b<import id>``, a child of ``budget_actualraw``, with its
# resolved keys in ``budget_actualrawkey`` / ``budget_actualrawperiod``; the view ``budget_posting``
# (``models.Posting``) joins them. While staging, the table is ``budget_actualraw_p<backend pid>``.
RAW_PREFIX = "budget_actualraw_"
RAW_MIN_LINE_BYTES = 16  # no posting line is shorter: a smaller file cannot have PARTITION_MIN_ROWS rows
# The profile's fields → the raw table's column names (the view's).
_RAW_ROLES = {
    "col_cost_centre": "cc",
    "col_function": "fn",
    "col_dranst": "dr",
    "col_art": "art",
    "col_account": "acct",
    "col_period": "period",
    "col_posting_date": "pdate",
    "col_amount": "amount",
    "col_text": "text",
}


def raw_name(cursor: Any) -> str:
    """The table a large file's COPY goes into while it is staged (one per connection)."""
    cursor.execute("SELECT pg_backend_pid()")
    return f"{RAW_PREFIX}p{int(cursor.fetchone()[0])}"


def discard_raw() -> None:
    """Drop the staging table of ``raw_name`` if the import did not keep it (call before the commit)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {raw_name(cursor)}")


def raw_table(batch_id: int) -> str:
    return f"{RAW_PREFIX}b{int(batch_id)}"


def _raw_parts(cursor: Any) -> dict[int, str]:
    """The imports kept as raw rows: {import id: table name}."""
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'budget_actualraw'::regclass"
    )
    return {int(name.removeprefix(RAW_PREFIX + "b")): name for (name,) in cursor.fetchall()}


def _raw_written_groups(fast: dict[str, Any], batch_id: int) -> str:
    """The write check of a kept raw import, per cost centre, home, month and group: its sums as stored
    (``budget_actualrawsum``, written from the groups of the rows of the very table that is kept, whose rows
    COPY counted = the lines Python sent, joined to the keys as stored by the cells, as the view
    ``budget_posting`` joins each row). So the stored keys must place every row, in the group and month the
    checks resolved. (That the view's per-row amount and text are the reader's is
    ``tests/budget/test_actual_partitions.py``'s.)"""
    return f"""
        SELECT k.cost_centre, k.home_id, s.month, k."group", sum(s.n) AS n, sum(s.amount) AS amount
        FROM budget_actualrawsum s
        JOIN budget_actualrawkey k ON k.id = s.key_id
        WHERE s.batch_id = {int(batch_id)}
        GROUP BY 1, 2, 3, 4"""


_WHO_ROLES = ("cc", "fn", "dr", "art", "acct")
_WHEN_ROLES = ("period", "pdate")


def _keep_raw(cursor: Any, fast: dict[str, Any], batch_id: int) -> None:
    """Make the COPY's table the raw rows of import ``batch_id``: its key columns renamed to the view's names,
    the missing ones added as '' and ``batch_id`` as a constant (both without rewriting a row), the
    distinct account and period cells with what they resolved to, and the table made a child of
    ``budget_actualraw`` (the ``CHECK`` lets a reader of one import skip the others' tables)."""
    name = raw_table(batch_id)
    cursor.execute(f"ALTER TABLE {fast['raw']} RENAME TO {name}")
    roles = fast["roles"]
    for role, column in roles.items():
        cursor.execute(f"ALTER TABLE {name} RENAME COLUMN {column} TO {role}")
    missing = [f"ADD COLUMN {role} text DEFAULT ''" for role in _RAW_ROLES.values() if role not in roles]
    cursor.execute(
        f"ALTER TABLE {name} {''.join(m + ', ' for m in missing)}ADD COLUMN batch_id integer DEFAULT {int(batch_id)}, "
        f"ADD CONSTRAINT {name}_batch CHECK (batch_id = {int(batch_id)})"
    )

    def cells(fields: list[str], keys: list[str], roles: tuple[str, ...], alias: str) -> str:
        by_role = {_RAW_ROLES[f]: f"{alias}.{k}" for f, k in zip(fields, keys, strict=False)}
        return ", ".join(by_role.get(role, "''") for role in roles)

    sign = -1 if fast["flip"] else 1
    cursor.execute(
        f"""
        INSERT INTO budget_actualrawkey (batch_id, cc, fn, dr, art, acct, home_id, cost_centre, "group",
                                         function_code, dranst, art_code, account, sign)
        SELECT %s, {cells(fast["who_fields"], fast["who_keys"], ("cc", "fn", "dr", "art", "acct"), "lw")},
               w.home_id, w.code, w.grp, w.fn, w.dranst, w.art, w.account_text, {sign}
        FROM budget_actuals_lk_who lw JOIN budget_actuals_who w ON w.id = lw.id
        """,
        [batch_id],
    )
    cursor.execute(
        f"""
        INSERT INTO budget_actualrawperiod (batch_id, period, pdate, month, posting_date)
        SELECT %s, {cells(fast["when_fields"], fast["when_keys"], ("period", "pdate"), "lt")}, t.month, t.day
        FROM budget_actuals_lk_when lt JOIN budget_actuals_when t ON t.id = lt.id
        """,
        [batch_id],
    )
    who = dict(zip([_RAW_ROLES[f] for f in fast["who_fields"]], fast["who_keys"], strict=False))
    on_who = " AND ".join(f"k.{role} = {'lw.' + who[role] if role in who else repr('')}" for role in _WHO_ROLES)
    # The rows summed per key and month (``PostingSum``), from the checks' sums per account and period cells
    # (``budget_actuals_wt``, from the grouping pass over this very table; every amount plain, so its amount
    # is its øre × 0,01): joined by integer ids, each account cell's id to the key written from it.
    cursor.execute(
        f"""
        INSERT INTO budget_actualrawsum (batch_id, key_id, month, n, amount)
        SELECT {int(batch_id)}, m.key_id, t.month, sum(r.n), sum(r.amount)
        FROM budget_actuals_wt r
        JOIN (
          SELECT lw.id AS who, k.id AS key_id FROM budget_actuals_lk_who lw
          JOIN budget_actualrawkey k ON k.batch_id = {int(batch_id)} AND {on_who}
        ) m ON m.who = r.who
        JOIN budget_actuals_when t ON t.id = r.when_id
        GROUP BY m.key_id, t.month
        """
    )
    cursor.execute(f"ALTER TABLE {name} INHERIT budget_actualraw")


def _partitions(cursor: Any) -> dict[int, str]:
    """budget_actual's partitions other than the main one: {part: table name}."""
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'budget_actual'::regclass AND c.relname LIKE 'budget_actual_b%%'"
    )
    return {int(name.removeprefix("budget_actual_b")): name for (name,) in cursor.fetchall()}


def _create_partition(cursor: Any, source_sql: str, params: dict[str, Any], part: int) -> int:
    """The rows of ``source_sql`` into a new table (``CREATE TABLE … AS``: no index kept up row by row), which
    ``_attach_partition`` makes budget_actual's partition ``part`` after the write check. The table is created
    in this transaction, so a rollback leaves nothing behind, and nobody sees it before the commit."""
    values = {"id": "nextval('budget_actual_id_seq')", "batch_id": "%(batch_id)s", "part": str(int(part))}
    select = ", ".join(f"({values.get(col, 's.' + col)})::{kind} AS {col}" for col, kind in _PART_COLUMNS)
    cursor.execute(f"CREATE TABLE {partition_name(part)} AS SELECT {select} FROM ({source_sql}) s", params)
    return int(cursor.rowcount)


def _attach_partition(cursor: Any, part: int) -> None:
    """``ATTACH PARTITION`` builds the new partition's primary key and ``actual_home_month`` in one sorted pass
    each; the ``CHECK`` (validated in the same scan as the ``NOT NULL``s) spares it a scan for the bound."""
    name = partition_name(part)
    not_null = ", ".join(f"ALTER COLUMN {col} SET NOT NULL" for col, _ in _PART_COLUMNS if col != "posting_date")
    cursor.execute(f"ALTER TABLE {name} {not_null}, ADD CONSTRAINT {name}_part CHECK (part = {int(part)})")
    cursor.execute(f"ALTER TABLE budget_actual ATTACH PARTITION {name} FOR VALUES IN ({int(part)})")


def apply(  # noqa: C901, PLR0912, PLR0915
    source_sql: str,
    params: dict[str, Any] | None = None,
    *,
    batch_id: int | None = None,
    aggregated: bool = False,
    fast: dict[str, Any] | None = None,
) -> tuple[int, int]:
    """Replace the (cost centre, month) pairs of the source with its rows. Returns (inserted, replaced).

    ``aggregated``: ``validate`` has already summed the source into the aggregate table (the direct
    path); otherwise (a confirmed preview) it is summed here. The rows written are summed back from the
    table they went to and must equal that table per cost centre, home, month and group, or
    ``WriteMismatchError`` rolls everything back. The per-kind totals of the homes and months touched are
    then the written sums plus the postings of the home's other cost centres that month.

    Where the rows go: ``PARTITION_MIN_ROWS`` or more (and an import id), into a partition of their own
    (``_create_partition``); fewer, into ``budget_actual_main``. A large import's partition whose every row
    is replaced is dropped instead of deleted row by row, and one the replacing leaves empty is dropped too.
    ``fast`` (the COPY path's ``ReadInfo.fast``, its table kept by ``stage_file(keep_raw=True)``, every amount
    plain): a large import keeps that table as its raw rows instead (``_keep_raw``; nothing is copied), and
    earlier raw imports are replaced like partitions (dropped whole, or their replaced rows deleted).
    """
    params = {**(params or {}), "batch_id": batch_id}
    with connection.cursor() as cursor:
        # One import at a time: two imports of the same month must not interleave.
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('budget.actuals_import'))")
        if not aggregated:
            cursor.execute(f"DROP TABLE IF EXISTS {AGG}")
            cursor.execute(
                f"""
                CREATE TEMP TABLE {AGG} ON COMMIT DROP AS
                SELECT cost_centre, home_id, month, "group", kind, count(*) AS n, sum(amount) AS amount
                FROM ({source_sql}) s GROUP BY 1, 2, 3, 4, 5
                """,
                params,
            )
        cursor.execute("DROP TABLE IF EXISTS budget_actuals_pairs")
        cursor.execute(
            f"CREATE TEMP TABLE budget_actuals_pairs ON COMMIT DROP AS SELECT DISTINCT home_id, cost_centre, month FROM {AGG}"
        )
        cursor.execute("ANALYZE budget_actuals_pairs")
        # What the per-row foreign-key check would do, once: the homes exist and stay until commit.
        cursor.execute(
            "SELECT count(*) FROM (SELECT h.id FROM botilbud_home h "
            "WHERE h.id IN (SELECT DISTINCT home_id FROM budget_actuals_pairs) FOR KEY SHARE) k"
        )
        locked = cursor.fetchone()[0]
        cursor.execute("SELECT count(DISTINCT home_id) FROM budget_actuals_pairs")
        if locked != cursor.fetchone()[0]:
            raise WriteMismatchError("Et botilbud i filen er slettet under indlæsningen. Intet er indlæst.")
        cursor.execute(f"SELECT coalesce(sum(n), 0)::bigint FROM {AGG}")
        own_partition = batch_id is not None and cursor.fetchone()[0] >= PARTITION_MIN_ROWS
        keep = (
            own_partition
            and fast is not None
            and fast.get("kept")
            and fast["roles"] is not None
            and not fast["odd_amounts"]
        )
        # Earlier large imports (partitions, raw rows) the source replaces whole: dropped at the end.
        covered: list[int] = []
        replaced = 0
        raw_parts = _raw_parts(cursor)
        for part, name in sorted({**_partitions(cursor), **raw_parts}.items()):
            rows_of = f"budget_postingsum WHERE part = {int(part)}" if part in raw_parts else name
            n = "a.n" if part in raw_parts else "1"
            cursor.execute(
                f"""
                SELECT coalesce(sum({n}), 0)::bigint, coalesce(sum({n}) FILTER (WHERE p.month IS NULL), 0)::bigint
                FROM (SELECT * FROM {rows_of}) a
                LEFT JOIN (SELECT DISTINCT cost_centre, month FROM budget_actuals_pairs) p
                  ON p.cost_centre = a.cost_centre AND p.month = a.month
                """
            )
            rows, outside = cursor.fetchone()
            if rows and not outside:
                covered.append(part)
                replaced += rows
        params["covered"] = covered
        if raw_parts:
            # The replaced rows of the other raw imports (by their keys).
            cursor.execute(
                """
                DELETE FROM budget_actualraw r
                USING budget_actualrawkey k, budget_actualrawperiod t, budget_actuals_pairs p
                WHERE k.batch_id = r.batch_id AND k.cc = r.cc AND k.fn = r.fn AND k.dr = r.dr AND k.art = r.art
                  AND k.acct = r.acct AND t.batch_id = r.batch_id AND t.period = r.period AND t.pdate = r.pdate
                  AND k.cost_centre = p.cost_centre AND t.month = p.month AND r.batch_id <> ALL(%(covered)s)
                """,
                params,
            )
            replaced += cursor.rowcount
            cursor.execute(
                """
                DELETE FROM budget_actualrawsum s
                USING budget_actualrawkey k, budget_actuals_pairs p
                WHERE k.id = s.key_id AND k.cost_centre = p.cost_centre AND s.month = p.month
                  AND s.batch_id <> ALL(%(covered)s)
                """,
                params,
            )
        cursor.execute(
            "DELETE FROM budget_actual a USING budget_actuals_pairs p "
            "WHERE a.cost_centre = p.cost_centre AND a.month = p.month AND a.part <> ALL(%(covered)s)",
            params,
        )
        replaced += cursor.rowcount
        # Postings from before cost centres were stored on them (none after migration 0006).
        cursor.execute(
            "DELETE FROM budget_actual a USING budget_actuals_pairs p "
            "WHERE a.cost_centre = '' AND a.home_id = p.home_id AND a.month = p.month AND a.part <> ALL(%(covered)s)",
            params,
        )
        replaced += cursor.rowcount
        # The home's other cost centres that month (what stays), summed before the new rows arrive.
        cursor.execute("DROP TABLE IF EXISTS budget_actuals_rest")
        cursor.execute(
            """
            CREATE TEMP TABLE budget_actuals_rest ON COMMIT DROP AS
            SELECT a.home_id, a.month, coalesce(g.kind, a."group") AS kind, sum(a.n)::bigint AS n, sum(a.amount) AS amount
            FROM budget_postingsum a
            JOIN (SELECT DISTINCT home_id, month FROM budget_actuals_pairs) p ON a.home_id = p.home_id AND a.month = p.month
            LEFT JOIN budget_groupdefinition g ON g.code = a."group"
            WHERE a.part <> ALL(%(covered)s)
            GROUP BY 1, 2, 3
            """,
            params,
        )
        with _hash_plans(cursor):
            if keep:
                assert batch_id is not None and fast is not None
                _keep_raw(cursor, fast, batch_id)
                cursor.execute(f"SELECT coalesce(sum(n), 0)::bigint FROM {AGG}")
                inserted = int(cursor.fetchone()[0])  # the rows COPY wrote (checked against its line count)
                written_groups = _raw_written_groups(fast, batch_id)
            elif own_partition:
                assert batch_id is not None
                inserted = _create_partition(cursor, source_sql, params, batch_id)
                written_groups = ""
                written = f"SELECT * FROM {partition_name(batch_id)}"  # not attached yet: no index to mislead
            else:
                cursor.execute(
                    f"""
                    INSERT INTO budget_actual (home_id, cost_centre, month, "group", function_code, dranst, art_code,
                                               account, posting_date, amount, text, batch_id)
                    SELECT home_id, cost_centre, month, "group", function_code, dranst, art_code, account,
                           posting_date, amount, text, %(batch_id)s
                    FROM ({source_sql}) s
                    """,
                    params,
                )
                inserted = cursor.rowcount
                written = (
                    "SELECT a.* FROM budget_actual a JOIN (SELECT DISTINCT home_id, month FROM budget_actuals_pairs) p "
                    "ON p.home_id = a.home_id AND p.month = a.month "
                    "WHERE a.batch_id IS NOT DISTINCT FROM %(batch_id)s AND a.part <> ALL(%(covered)s)"
                )
                written_groups = ""
            # The write check: the rows now in the table under this import, summed apart from the insert,
            # must equal the checked sums per cost centre, home, month and group (and their count the insert's).
            cursor.execute(
                f"""
                WITH written AS (
                  {
                    written_groups
                    or f'''
                  SELECT a.cost_centre, a.home_id, a.month, a."group", count(*) AS n, sum(a.amount) AS amount
                  FROM ({written}) a
                  GROUP BY 1, 2, 3, 4'''
                }
                )
                SELECT coalesce(sum(w.n), 0),
                       count(*) FILTER (WHERE w.n IS DISTINCT FROM a.n OR w.amount IS DISTINCT FROM a.amount)
                FROM written w FULL JOIN {AGG} a USING (cost_centre, home_id, month, "group")
                """,
                params,
            )
            checked, mismatched = cursor.fetchone()
            mismatched += int(checked != inserted)
        if mismatched:
            raise WriteMismatchError(
                "Afstemningen stemmer ikke: de skrevne rækker svarer ikke til de kontrollerede. Intet er indlæst."
            )
        if own_partition and not keep:
            assert batch_id is not None
            _attach_partition(cursor, batch_id)
        cursor.execute(
            """
            DELETE FROM budget_actualtotal t USING (SELECT DISTINCT home_id, month FROM budget_actuals_pairs) p
            WHERE t.home_id = p.home_id AND t.month = p.month
            """
        )
        cursor.execute(
            f"""
            INSERT INTO budget_actualtotal (home_id, month, "group", amount, row_count)
            SELECT home_id, month, kind, sum(amount), sum(n) FROM (
              SELECT a.home_id, a.month, coalesce(a.kind, a."group") AS kind, a.n, a.amount FROM {AGG} a
              UNION ALL
              SELECT home_id, month, kind, n, amount FROM budget_actuals_rest
            ) t GROUP BY 1, 2, 3
            """
        )
        # Last (dropping a partition locks budget_actual until the commit): the partitions replaced whole,
        # and those the replacing left empty.
        for part, name in sorted(_partitions(cursor).items()):
            if part != batch_id:
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {name})")
                if part in covered or not cursor.fetchone()[0]:
                    cursor.execute(f"DROP TABLE {name}")
        for part, name in sorted(raw_parts.items()):
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM budget_postingsum WHERE part = {int(part)})")
            if part in covered or not cursor.fetchone()[0]:
                cursor.execute(f"DROP TABLE {name}")
                cursor.execute("DELETE FROM budget_actualrawkey WHERE batch_id = %s", [part])
                cursor.execute("DELETE FROM budget_actualrawperiod WHERE batch_id = %s", [part])
                cursor.execute("DELETE FROM budget_actualrawsum WHERE batch_id = %s", [part])
    return int(inserted), replaced


_COLUMNS = 'home_id, cost_centre, month, "group", function_code, dranst, art_code, account, posting_date, amount, text'
STAGED_SOURCE = (
    f"SELECT {', '.join('s.' + c.strip() for c in _COLUMNS.split(','))}, g.kind "
    'FROM budget_stagedactual s LEFT JOIN budget_groupdefinition g ON g.code = s."group" '
    "WHERE s.batch_id = %(staged_batch)s"
)


def persist_staged(batch_id: int, source_sql: str) -> tuple[int, Decimal]:
    """Keep the validated rows until the user confirms the preview."""
    with connection.cursor() as cursor, _hash_plans(cursor):
        cursor.execute(
            f"""
            WITH ins AS (
              INSERT INTO budget_stagedactual (batch_id, {_COLUMNS}, row_no)
              SELECT %s, {_COLUMNS}, row_no FROM ({source_sql}) s
              RETURNING amount
            )
            SELECT count(*), coalesce(sum(amount), 0) FROM ins
            """,
            [batch_id],
        )
        count, total = cursor.fetchone()
    return count, total


def open_upload(uploaded: File[bytes] | IO[bytes]) -> IO[bytes]:
    """A binary stream over an upload (Django keeps big ones in a temp file)."""
    uploaded.seek(0)
    # A Django file (UploadedFile) wraps its stream in ``.file``; a plain stream is its own.
    stream: IO[bytes] = getattr(uploaded, "file", uploaded)
    if isinstance(stream, io.TextIOBase):  # pragma: no cover - defensive
        raise ImportFileError("Filen skal uploades binært.")
    return stream


def month_from_text(text: str) -> dt.date:
    """``2026-05`` → 1 May 2026 (for --month and the form)."""
    match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"»{text}« er ikke en måned (brug åååå-mm, fx 2026-05).")
    return month_start(dt.date(int(match.group(1)), int(match.group(2)), 1))


@dataclass
class Reconciliation:
    """Per cost centre: rows and amount in the file (as Python read them), staged (as SQL parsed them),
    to be written and replaced. ``ok`` = file = staged = written for every cost centre.

    A refused file (``refused``) is never ``ok``: its figures are what was read and staged, with each
    cost centre's bad rows, and nothing is written (``write_*`` and ``replace_*`` are zero).
    ``unreadable`` counts the lines the reader could not split into cells (they belong to no cost centre)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    refused: bool = False
    unreadable: int = 0

    @property
    def ok(self) -> bool:
        return not self.refused and all(r["ok"] for r in self.rows)

    def totals(self) -> dict[str, Any]:
        keys = ["file_rows", "file_amount", "staged_rows", "staged_amount", "write_rows", "write_amount"]
        keys += ["replace_rows", "replace_amount", "bad_rows"]
        return {k: sum((r.get(k, 0) for r in self.rows), Decimal(0) if k.endswith("amount") else 0) for k in keys}

    def as_json(self) -> list[dict[str, Any]]:
        return [{k: (str(v) if isinstance(v, Decimal) else v) for k, v in r.items()} for r in self.rows]

    @classmethod
    def from_json(cls, data: list[dict[str, Any]]) -> Reconciliation:
        rows = [{k: (Decimal(v) if k.endswith("amount") else v) for k, v in r.items()} for r in data or []]
        return cls(rows=rows)


def reconcile(read: ReadInfo, *, written: bool) -> Reconciliation:
    """Compare the file's figures with the staged rows and (when the file is good) the rows to be written.
    ``written=False``: the file is refused; the figures read and staged are shown with the bad rows per
    cost centre, and nothing is to be written."""
    with connection.cursor() as cursor:
        # The one pass over the joined rows (``validate_profile``), bad rows included.
        cursor.execute(
            f"SELECT coalesce(a.cost_centre, ''), sum(a.n)::bigint, coalesce(sum(a.amount), 0), "
            f"coalesce(sum(a.bad), 0)::bigint, min(h.name) FROM {AGG} a "
            "LEFT JOIN botilbud_home h ON h.id = a.home_id GROUP BY 1"
        )
        rows = cursor.fetchall()
        staged = {r[0]: (r[1], r[2]) for r in rows}
        bad_of = {r[0]: int(r[3]) for r in rows}
        homes: dict[str, str] = {r[0]: r[4] for r in rows if r[4]}
        to_write: dict[str, tuple[int, Decimal]] = {}
        replaced: dict[str, tuple[int, Decimal]] = {}
        if written:
            cursor.execute(
                f"SELECT n.cost_centre, sum(n.n)::bigint, sum(n.amount), min(h.name) FROM {AGG} n "
                "JOIN botilbud_home h ON h.id = n.home_id GROUP BY 1"
            )
            for cc, n, amount, name in cursor.fetchall():
                to_write[cc] = (n, amount)
                homes[cc] = name
            cursor.execute(
                f"""
                SELECT a.cost_centre, sum(a.n)::bigint, coalesce(sum(a.amount), 0) FROM budget_postingsum a
                JOIN (SELECT DISTINCT cost_centre, month FROM {AGG}) p
                  ON p.cost_centre = a.cost_centre AND p.month = a.month
                GROUP BY 1
                """
            )
            replaced = {r[0]: (r[1], r[2]) for r in cursor.fetchall()}
    result = Reconciliation(refused=not written, unreadable=read.bad_count)
    zero = (0, Decimal("0.00"))
    for cc in sorted(set(read.file_stats) | set(staged) | set(to_write)):
        file_rows, file_amount = read.file_stats.get(cc, [0, Decimal(0)])
        s_rows, s_amount = staged.get(cc, zero)
        w_rows, w_amount = to_write.get(cc, zero)
        r_rows, r_amount = replaced.get(cc, zero)
        ok = (file_rows, Decimal(file_amount)) == (s_rows, Decimal(s_amount))
        if written:
            ok = ok and (w_rows, Decimal(w_amount)) == (s_rows, Decimal(s_amount))
        result.rows.append(
            {
                "cost_centre": cc,
                "home": homes.get(cc, ""),
                "file_rows": file_rows,
                "file_amount": Decimal(file_amount).quantize(Decimal("0.01")),
                "staged_rows": s_rows,
                "staged_amount": Decimal(s_amount).quantize(Decimal("0.01")),
                "bad_rows": bad_of.get(cc, 0),
                "write_rows": w_rows,
                "write_amount": Decimal(w_amount).quantize(Decimal("0.01")),
                "replace_rows": r_rows,
                "replace_amount": Decimal(r_amount).quantize(Decimal("0.01")),
                "ok": ok and written,
                "same": ok,
            }
        )
    return result


# --- The profile path: raw cells in, set-based checks, no intermediate copies -------------------
#
# A profile's file is COPY'd once, as lean raw rows: the cost-centre cell, an id for the row's
# account cells (function / dranst / art / account string together), the period and posting-date
# cells, the amount (parsed in Python on a fast path, ``profiles.parse_amount`` otherwise) and the
# text. The low-cardinality cells are collected as their distinct values while reading; each is
# parsed once with the preview's own functions (``budget.profiles``) into a small lookup table, and
# resolved there against the homes, the chart of accounts and the closed years. The rows are then
# read three times and never copied: one pass sums them per cost centre, home, month and group
# (flagging bad rows), one names the bad rows (only when there are any), and the write inserts them
# (``source_sql``). Every reason is the one ``RowMapper.map`` gives in the preview.

PROFILE_RAW = "budget_actuals_praw"
_WHO_FIELDS = ("col_cost_centre", "col_function", "col_dranst", "col_art", "col_account")
_WHEN_FIELDS = ("col_period", "col_posting_date")
# SAP's and most systems' plain amounts, read without Decimal: (sign, whole, øre, trailing minus).
_FAST_AMOUNT = {
    "da": re.compile(r"([+-]?)([0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+),([0-9]{2})(-?)").fullmatch,
    "en": re.compile(r"([+-]?)([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)\.([0-9]{2})(-?)").fullmatch,
}


def _xlsx_key(value: Any) -> str:
    """The text a non-string .xlsx cell is COPY'd as (and looked up by); the lookup keeps the value."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime | dt.date):
        return f"\u2400{type(value).__name__}:{value.isoformat()}"
    return f"\u2400{type(value).__name__}:{value}"


def _read_amount(raw: Any, number_format: str, flip: bool) -> tuple[str | None, int, str | None]:
    """(amount as COPY text, øre for the file's reconciliation, Danish reason): ``RowMapper.map``'s rules."""

    amount = profiles.parse_amount(raw, number_format)
    if amount is None:
        if raw in (None, "") or not tabular.cell_text(raw).strip():
            return None, 0, "Beløb mangler"
        return (
            None,
            0,
            f"Beløbet »{tabular.cell_text(raw)}« er ikke et gyldigt tal ({profiles.NUMBER_FORMATS[number_format]})",
        )
    if abs(amount) >= profiles.MAX_AMOUNT:
        return None, 0, f"Beløbet »{tabular.cell_text(raw)}« er for stort"
    if flip:
        amount = -amount
    return format(amount, "f"), int(amount.quantize(_ORE, rounding=ROUND_HALF_UP) * 100), None


def _picker(positions: list[int]) -> Callable[[list[Any]], tuple[Any, ...]]:
    """cells → the tuple of the cells at ``positions`` (C speed; always a tuple)."""
    if not positions:
        return lambda cells: ()
    if len(positions) == 1:
        pick = operator.itemgetter(positions[0], positions[0])
        return lambda cells: pick(cells)[:1]
    return operator.itemgetter(*positions)


def _stage_with_profile(table: tabular.Table, mapper: Any, cursor: Any, info: ReadInfo) -> None:  # noqa: C901, PLR0912, PLR0915
    """COPY each row as (line, who, when, amount, amount's reason, text): ``who`` numbers the row's
    distinct cost centre and account cells, ``when`` its period and posting-date cells."""

    profile = mapper.profile
    number_format = "en" if profile.number_format == "en" else "da"
    flip = profile.sign == "flip"
    fast = _FAST_AMOUNT[number_format]
    group_sep = "," if number_format == "en" else "."
    index = mapper.index
    who_fields = [f for f in _WHO_FIELDS if f in index]
    when_fields = [f for f in _WHEN_FIELDS if f in index]
    amount_pos = index["col_amount"]
    text_pos = index.get("col_text")
    cursor.execute(f"DROP TABLE IF EXISTS {PROFILE_RAW}")
    cursor.execute(
        f"CREATE TEMP TABLE {PROFILE_RAW} (row_no integer, who integer, when_id integer, amount numeric, "
        "amount_reason text, text text) ON COMMIT DROP"
    )
    who: dict[tuple[Any, ...], int] = {}
    when: dict[tuple[Any, ...], int] = {}
    rows_of: list[int] = []  # per who: rows and øre as the reader read them (the file's side)
    ore_of: list[int] = []
    originals: dict[str, Any] = {}  # .xlsx: the cell behind each key
    sql = f"COPY {PROFILE_RAW} (row_no, who, when_id, amount, amount_reason, text) FROM STDIN"
    buffer: list[str] = []
    csv_file = table.kind == "csv"
    if table.kind == "csv":
        pick_who = _picker([index[f] for f in who_fields])
        pick_when = _picker([index[f] for f in when_fields])
    else:
        width = table.width
        who_pos = [index[f] for f in who_fields]
        when_pos = [index[f] for f in when_fields]

        def keys(cells: list[Any], positions: list[int]) -> tuple[Any, ...]:
            out = []
            for pos in positions:
                value = cells[pos] if pos < len(cells) else None
                key = _xlsx_key(value)
                if key not in originals:
                    originals[key] = value
                out.append(key)
            return tuple(out)

    try:
        with cursor.cursor.copy(sql) as copy:
            for line, cells in table.rows():
                if csv_file:
                    who_key, when_key = pick_who(cells), pick_when(cells)
                    raw = cells[amount_pos]
                    match = fast(raw)
                    text_cell = cells[text_pos] if text_pos is not None else ""
                else:
                    if len(cells) < width:
                        cells = [*cells, *([None] * (width - len(cells)))]
                    who_key, when_key = keys(cells, who_pos), keys(cells, when_pos)
                    raw = cells[amount_pos]
                    match = None
                    text_cell = tabular.cell_text(cells[text_pos]) if text_pos is not None else ""
                w = who.get(who_key)
                if w is None:
                    w = who[who_key] = len(who)
                    rows_of.append(0)
                    ore_of.append(0)
                t = when.get(when_key)
                if t is None:
                    t = when[when_key] = len(when)
                if match is not None and not (match[1] and match[4]):
                    lead, whole, ore, trail = match.groups()
                    if group_sep in whole:
                        whole = whole.replace(group_sep, "")
                else:
                    whole = None
                number: str | None
                reason: str | None
                if whole is not None and len(whole) <= 12:  # below profiles.MAX_AMOUNT (10^12)
                    if (lead == "-" or trail == "-") != flip:
                        number, cents, reason = f"-{whole}.{ore}", -int(whole + ore), "\\N"
                    else:
                        number, cents, reason = f"{whole}.{ore}", int(whole + ore), "\\N"
                else:
                    number, cents, reason = _read_amount(raw, number_format, flip)
                    number = "\\N" if number is None else number
                    reason = "\\N" if reason is None else _copy_escape(reason)
                rows_of[w] += 1
                ore_of[w] += cents
                if "\\" in text_cell or "\t" in text_cell or "\n" in text_cell or "\r" in text_cell:
                    text_cell = _copy_escape(text_cell)
                buffer.append(f"{line}\t{w}\t{t}\t{number}\t{reason}\t{text_cell}\n")
                if len(buffer) >= COPY_CHUNK:
                    copy.write("".join(buffer))
                    buffer.clear()
            if buffer:
                copy.write("".join(buffer))
    except tabular.TabularError as exc:
        raise ImportFileError(str(exc)) from exc

    def value(key: Any) -> Any:
        return originals.get(key, key) if not csv_file else key

    # Each distinct combination parsed once, with the preview's own functions.
    who_rows = []
    for key, w in who.items():
        by_field = {f: value(k) for f, k in zip(who_fields, key, strict=True)}
        code = _parse_cost_centre(by_field.get("col_cost_centre"))
        who_rows.append((w, code, *_parse_account(by_field, mapper)))
        entry = info.file_stats.setdefault(code, [0, Decimal(0)])
        entry[0] += rows_of[w]
        entry[1] += Decimal(ore_of[w]) / 100
    when_rows = []
    for key, t in when.items():
        by_field = {f: value(k) for f, k in zip(when_fields, key, strict=True)}
        when_rows.append((t, *_parse_when(by_field, profile, profiles)))
    for name, ddl, rows in (
        ("who", "id integer, code text, fn text, dranst text, art text, account_text text, reason text", who_rows),
        ("when", "id integer, month date, day date, date_reason text, period_reason text, no_month boolean", when_rows),
    ):
        cursor.execute(f"DROP TABLE IF EXISTS budget_actuals_lk_{name}")
        cursor.execute(f"CREATE TEMP TABLE budget_actuals_lk_{name} ({ddl}) ON COMMIT DROP")
        with cursor.cursor.copy(f"COPY budget_actuals_lk_{name} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    info.profile_lookups = when_fields
    info.profile = profile


def _parse_cost_centre(value: Any) -> str:
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = str(int(value))
    return tabular.cell_text(value).strip()


def _parse_when(cells: dict[str, Any], profile: Any, profiles: Any) -> tuple[Any, ...]:
    """(month, posting date, date reason, period reason, no month) of one row's period and date cells,
    as ``RowMapper.map`` reads them (``profiles.read_when``)."""
    month, day, date_reason, period_reason = profiles.read_when(
        profile,
        cells.get("col_posting_date"),
        cells.get("col_period"),
        has_date="col_posting_date" in cells,
        has_period="col_period" in cells,
    )
    no_month = month is None and day is None and date_reason is None and period_reason is None
    return (month, day, date_reason, period_reason, no_month)


def _parse_account(cells: dict[str, Any], mapper: Any) -> tuple[Any, ...]:
    """(function, dranst, art, account text, reason) of one row's account cells, as ``RowMapper.map``."""

    def text(field_name: str) -> str:
        return tabular.cell_text(cells.get(field_name)).strip()

    function, art = text("col_function"), text("col_art")
    value = cells.get("col_dranst")
    dranst = str(int(value)) if isinstance(value, Decimal) else text("col_dranst")
    reason = None
    if mapper.pattern is not None:
        account_text = text("col_account")
        parts = mapper.pattern.split(account_text)
        if parts is None:
            reason = mapper.pattern.refusal(account_text)
        else:
            function, d, art = parts
            dranst = dranst or d
    else:
        account_text = ".".join(x for x in (function, dranst, art) if x)
    return (function or None, dranst or None, art or None, account_text[:80], reason)


def _profile_rows_sql() -> str:
    """The profile's rows as the import writes them, with ``bad`` and their Danish reasons."""
    missing = "CASE WHEN t.no_month AND w.reason IS NULL THEN 'Periode eller dato mangler' END"
    return f"""
        SELECT r.row_no, w.home_id, w.code AS cost_centre, t.month, w.grp AS "group", w.kind,
               w.fn AS function_code, w.dranst, w.art AS art_code, w.account_text AS account, t.day AS posting_date,
               round(r.amount, 2) AS amount, left(btrim(r.text, E' \\t'), 200) AS text,
               (w.bad OR t.bad OR r.amount_reason IS NOT NULL OR (t.no_month AND w.reason IS NULL)) AS bad,
               array_remove(ARRAY[w.reason, t.date_reason, t.period_reason, {missing}, r.amount_reason], NULL)
                 AS profile_reasons,
               array_remove(ARRAY[w.cc_error, w.account_error, t.month_error], NULL) AS checks
        FROM {PROFILE_RAW} r
        JOIN budget_actuals_who w ON w.id = r.who
        JOIN budget_actuals_when t ON t.id = r.when_id
    """


def validate_profile(
    read: ReadInfo, *, allowed_home_ids: list[int] | None, only_month: dt.date | None, closed_years: list[int]
) -> StageResult:
    """Resolve the combinations (homes, chart of accounts, closed years), then one pass over the rows
    sums them into the aggregate table and counts the bad ones; a second names them, only if any."""
    result = StageResult(file_name="")
    params = {"allowed": allowed_home_ids or [], "only_month": only_month, "closed_years": closed_years or []}
    allowed = "TRUE" if allowed_home_ids is None else "m.home_id = ANY(%(allowed)s)"
    resolve = chart.RESOLVE_SQL.format(fn="k.fn", dranst="k.dranst", art="k.art")
    bad = 0
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS budget_actuals_who; DROP TABLE IF EXISTS budget_actuals_when")
        cursor.execute(
            f"""
            CREATE TEMP TABLE budget_actuals_who ON COMMIT DROP AS
            SELECT x.*, g.kind,
                   CASE WHEN x.reason IS NOT NULL THEN NULL
                        WHEN x.fn IS NULL OR x.art IS NULL THEN 'Konto mangler (funktion og art)'
                        WHEN x.dranst IS NULL THEN format('Dranst »%%s« er ikke 1, 2 eller 3', x.dranst_raw)
                        WHEN x.grp IS NULL THEN format('Ukendt konto »%%s / %%s« (findes ikke i kontoplanen)', x.fn, x.art)
                        WHEN g.kind IS NULL THEN format('Kontogruppen »%%s« findes ikke', x.grp) END AS account_error,
                   CASE WHEN x.code = '' THEN 'Omkostningssted mangler'
                        WHEN x.home_id IS NULL THEN format('Ukendt omkostningssted »%%s«', x.code)
                        WHEN NOT x.allowed THEN format('Du har ikke adgang til omkostningssted »%%s«', x.code) END
                     AS cc_error
            FROM (
              SELECT k.*, CASE WHEN k.fn IS NOT NULL AND k.art IS NOT NULL AND k.dranst IS NOT NULL
                               THEN ({resolve}) END AS grp
              FROM (
                SELECT l.id, l.code, l.fn, l.art, l.account_text, l.reason, l.dranst AS dranst_raw,
                       CASE WHEN l.dranst IS NULL THEN '' WHEN l.dranst IN ('1', '2', '3') THEN l.dranst END AS dranst,
                       m.home_id, ({allowed}) AS allowed
                FROM budget_actuals_lk_who l
                LEFT JOIN (
                  SELECT code, home_id FROM budget_costcentre WHERE is_active
                  UNION ALL
                  SELECT h.cost_centre, h.id FROM botilbud_home h
                  WHERE NOT EXISTS (SELECT 1 FROM budget_costcentre c WHERE c.code = h.cost_centre)
                ) m ON m.code = l.code
              ) k
            ) x LEFT JOIN budget_groupdefinition g ON g.code = x.grp
            """,
            params,
        )
        cursor.execute(
            """
            ALTER TABLE budget_actuals_who ADD COLUMN bad boolean;
            UPDATE budget_actuals_who SET bad = (reason IS NOT NULL OR account_error IS NOT NULL OR cc_error IS NOT NULL)
            """
        )
        cursor.execute(
            """
            CREATE TEMP TABLE budget_actuals_when ON COMMIT DROP AS
            SELECT y.*, (y.date_reason IS NOT NULL OR y.period_reason IS NOT NULL OR y.month_error IS NOT NULL) AS bad
            FROM (
              SELECT l.*,
                     CASE WHEN %(only_month)s::date IS NOT NULL AND l.month <> %(only_month)s::date
                          THEN format('Posteringen hører til %%s, men importen gælder kun %%s',
                                      to_char(l.month, 'YYYY-MM'), to_char(%(only_month)s::date, 'YYYY-MM'))
                          WHEN extract(year FROM l.month)::int = ANY(%(closed_years)s::int[])
                          THEN format('Budgetåret %%s er lukket: det skal genåbnes med en begrundelse, før '
                                      'forbruget kan indlæses igen', extract(year FROM l.month)::int) END
                       AS month_error
              FROM (
                -- A row with neither period nor date takes the month the import is limited to.
                SELECT id, coalesce(month, %(only_month)s::date) AS month, day, date_reason, period_reason,
                       (no_month AND %(only_month)s::date IS NULL) AS no_month
                FROM budget_actuals_lk_when
              ) l
            ) y
            """,
            params,
        )
        source = _profile_rows_sql()
        # The one pass over the rows: per distinct (who, when), then joined with the small tables.
        cursor.execute("DROP TABLE IF EXISTS budget_actuals_wt")
        if read.fast:  # the COPY path: from its groups, not the rows
            fast = read.fast
            cursor.execute(
                f"""
                CREATE TEMP TABLE budget_actuals_wt ON COMMIT DROP AS
                SELECT lw.id AS who, lt.id AS when_id, sum(g.n) AS n,
                       sum(CASE WHEN g.slow IS NULL THEN g.cents * 0.01 ELSE g.n * round(la.number, 2) END) AS amount,
                       sum(CASE WHEN la.reason IS NOT NULL THEN g.n ELSE 0 END) AS bad_amounts
                FROM {FAST_GROUPS} g
                JOIN budget_actuals_lk_who lw ON {_same(fast["who_keys"], "lw", "g")}
                JOIN budget_actuals_lk_when lt ON {_same(fast["when_keys"], "lt", "g")}
                LEFT JOIN budget_actuals_lk_amount la ON la.raw = g.slow
                GROUP BY 1, 2
                """
            )
        else:
            cursor.execute(
                f"""
                CREATE TEMP TABLE budget_actuals_wt ON COMMIT DROP AS
                SELECT who, when_id, count(*) AS n, sum(round(amount, 2)) AS amount,
                       count(*) FILTER (WHERE amount_reason IS NOT NULL) AS bad_amounts
                FROM {PROFILE_RAW} GROUP BY 1, 2
                """
            )
        cursor.execute(f"DROP TABLE IF EXISTS {AGG}")
        cursor.execute(
            f"""
            CREATE TEMP TABLE {AGG} ON COMMIT DROP AS
            SELECT w.code AS cost_centre, w.home_id, t.month, w.grp AS "group", w.kind,
                   sum(r.n) AS n, sum(r.amount) AS amount,
                   sum(CASE WHEN w.bad OR t.bad OR (t.no_month AND w.reason IS NULL) THEN r.n ELSE r.bad_amounts END)
                     AS bad
            FROM budget_actuals_wt r
            JOIN budget_actuals_who w ON w.id = r.who
            JOIN budget_actuals_when t ON t.id = r.when_id
            GROUP BY 1, 2, 3, 4, 5
            """
        )
        cursor.execute(f"SELECT coalesce(sum(n), 0)::bigint, coalesce(sum(bad), 0)::bigint FROM {AGG}")
        total, bad = cursor.fetchone()
        if bad and read.restage is not None:
            # The COPY path found a bad row: the reader reads the file again and names every bad line.
            read.__dict__.update(read.restage().__dict__)
            return validate_profile(
                read, allowed_home_ids=allowed_home_ids, only_month=only_month, closed_years=closed_years
            )
        if read.fast:
            read.source_sql, read.write_sql = _fast_rows_sql(read.fast, cursor)
            return _finish(result, read, total, bad)
        if bad:
            cursor.execute(
                f"""
                SELECT row_no, CASE WHEN cardinality(profile_reasons) > 0 THEN profile_reasons ELSE checks END
                FROM ({source}) s WHERE bad ORDER BY row_no LIMIT %(limit)s
                """,
                {"limit": MAX_ERRORS_SHOWN},
            )
            result.errors = [RowError(row=r[0], reasons=list(r[1])) for r in cursor.fetchall()]
    read.source_sql = f"SELECT * FROM ({source}) s"
    return _finish(result, read, total, bad)


def _finish(result: StageResult, read: ReadInfo, total: int, bad: int) -> StageResult:
    result.errors = sorted(result.errors + read.errors, key=lambda e: e.row)[:MAX_ERRORS_SHOWN]
    result.bad_row_count = bad + read.bad_count
    result.row_count = total + read.bad_count
    return result


def _same(keys: list[str], left: str, right: str) -> str:
    return " AND ".join(f"{left}.{k} = {right}.{k}" for k in keys)


def _fast_rows_sql(fast: dict[str, Any], cursor: Any) -> tuple[str, str]:
    """(the rows as the import writes them, with their line in the file; the same without the line) of a
    file the COPY path read and the checks passed: each row joined once with its resolved key combination."""
    keys = fast["who_keys"] + fast["when_keys"]
    # The resolved combinations, as a subquery of the rows' SQL rather than a table made here: a large import
    # that keeps its raw rows never runs that SQL (and the combinations are as many as the groups, ~450.000 a
    # million rows with 150 cost centres: 0,8–1,0 s for nothing).
    combos = f"""(
        SELECT {", ".join(f"g.{k}" for k in keys)}, w.home_id, w.code AS cost_centre, t.month, w.grp AS "group",
               w.kind, w.fn AS function_code, w.dranst, w.art AS art_code, w.account_text AS account,
               t.day AS posting_date
        FROM (SELECT DISTINCT {", ".join(keys)} FROM {FAST_GROUPS}) g
        JOIN budget_actuals_lk_who lw ON {_same(fast["who_keys"], "lw", "g")}
        JOIN budget_actuals_who w ON w.id = lw.id
        JOIN budget_actuals_lk_when lt ON {_same(fast["when_keys"], "lt", "g")}
        JOIN budget_actuals_when t ON t.id = lt.id
    )"""
    amount_col = fast["amount_col"]
    plain = f"({fast['sign']}) * translate(f.{amount_col}, '+-.,', '')::bigint * 0.01"
    join_amount = ""
    amount = plain
    if fast["odd_amounts"]:
        join_amount = f"LEFT JOIN budget_actuals_lk_amount a ON a.raw = f.{amount_col}"
        amount = f"CASE WHEN a.raw IS NOT NULL THEN round(a.number, 2) ELSE {plain} END"
    text = f"left(btrim(f.{fast['text_col']}, E' \t'), 200)" if fast["text_col"] else "''"
    on = " AND ".join(f"c.{k} = {_key_expr(fast, k, 'f')}" for k in keys)
    columns = (
        'c.home_id, c.cost_centre, c.month, c."group", c.kind, c.function_code, c.dranst, c.art_code, c.account, '
        f"c.posting_date, {amount} AS amount, {text} AS text"
    )
    write = f"SELECT {columns} FROM {fast['raw']} f JOIN {combos} c ON {on} {join_amount}"
    numbered = (
        f"SELECT {fast['header_line']} + f.line AS row_no, {columns} "
        f"FROM (SELECT *, row_number() OVER () AS line FROM {fast['raw']}) f JOIN {combos} c ON {on} {join_amount}"
    )
    return numbered, write


def _key_expr(fast: dict[str, Any], key: str, alias: str) -> str:
    column = fast["key_columns"][key]
    return column if column == "''" else f"{alias}.{column}"


# --- The COPY path: Postgres parses a plain CSV file itself ---------------------------------------
#
# The reader (``botilbud.lib.tabular`` + the loop in ``_stage_with_profile``) costs 2–3 × a bare COPY
# by itself, so a plain CSV file (UTF-8, Windows-1252 or Latin-1; no quote character, no control
# characters, no byte that is no character, every line shorter than a cell may be) is handed to Postgres
# as it is: its bytes after the header are streamed in chunks into ``COPY … (FORMAT csv)`` of a
# temporary table of text columns. Where the reader's rules and COPY's could differ, the path declines
# the file and the reader reads it: COPY refuses a wrong field count, a line break that is not the file's
# own, or bytes invalid in the encoding; Python counts the lines it streams and they must equal the rows
# Postgres read; blank lines at the end are dropped (the reader skips them), and a blank line elsewhere
# declines. One aggregate pass then groups the rows by their cost-centre/account and period/date cells
# and sums the amounts of SAP's and most systems' plain form (``1.234,56``, ``1.234,56-``; the reader's
# fast path, in SQL) as øre; every other amount, and every distinct key, is parsed once in Python with
# the preview's own functions (as on the reader's path). Any bad row makes ``validate_profile`` read the
# file again with the reader, which names every bad line with its reasons; so a file this path accepts
# has exactly the values the reader would give it.

FAST_RAW = "budget_actuals_ft"
FAST_GROUPS = "budget_actuals_fwt"
FAST_CHUNK = 1 << 20
MAX_FAST_KEYS = 50_000  # distinct keys or odd amounts held in Python; more, and the reader streams the file
_PG_ENCODINGS = {"utf-8": "UTF8", "cp1252": "WIN1252", "iso-8859-1": "LATIN1"}
# The quote character (the reader's quoting rules are not COPY's), control characters and NUL (bad lines
# for the reader), and in Windows-1252 the five bytes that are no character.
_CONTROL = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]) + b'"'
_NOT_COPYABLE = {"utf-8": _CONTROL, "iso-8859-1": _CONTROL, "cp1252": _CONTROL + b"\x81\x8d\x8f\x90\x9d"}
_LINE_END = re.compile(rb"\r\n|\r|\n")
# ``_FAST_AMOUNT`` in SQL (no capture groups: Postgres then runs it as a plain automaton). Both signs at
# once, or more than 12 digits before the decimals, go to Python.
_FAST_AMOUNT_SQL = {
    "da": r"^[+-]?([0-9]{1,3}(\.[0-9]{3})+|[0-9]+),[0-9]{2}$|^([0-9]{1,3}(\.[0-9]{3})+|[0-9]+),[0-9]{2}-$",
    "en": r"^[+-]?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)\.[0-9]{2}$|^([0-9]{1,3}(,[0-9]{3})+|[0-9]+)\.[0-9]{2}-$",
}


class _Declined(Exception):
    """The COPY path does not take this file (the reader reads it)."""


def _data_offset(stream: IO[bytes], start: int, header_line: int) -> int:
    """The byte offset just after line ``header_line`` (lines end at \\r\\n, \\r or \\n, as the reader counts)."""
    stream.seek(start)
    head = b""
    while True:
        chunk = stream.read(1 << 16)
        head += chunk
        ends = [m.end() for m in _LINE_END.finditer(head)]
        if chunk and head.endswith(b"\r"):
            ends = ends[:-1]  # maybe the first half of \r\n
        if len(ends) >= header_line:
            return start + ends[header_line - 1]
        if not chunk:
            return start + len(head)
        if len(head) > 16 * tabular.MB:
            raise _Declined


class _Shapes:
    """The distinct *shapes* (digits written as 9) of the amount cells, collected from the bytes as they are
    streamed into COPY: the chunk with its digits translated, split at the separator, every ``width - 1``-th
    piece from the amount's (C speed; no Python per row). Exact for a file COPY accepts: without a quote
    character every separator separates cells, and COPY refuses a line with another number of cells (so
    the pieces are where the cells are). Only for an amount that is neither the first nor the last cell
    (those pieces would hold a line end); ``shapes`` is None when there are too many to keep."""

    _DIGITS = bytes.maketrans(b"0123456789", b"9" * 10)

    def __init__(self, separator: str, position: int, width: int) -> None:
        self.separator = separator.encode("ascii")
        self.position, self.step = position, width - 1
        self.shapes: set[bytes] | None = set()

    def add(self, data: bytes) -> None:
        if self.shapes is not None and data:
            self.shapes.update(data.translate(self._DIGITS).split(self.separator)[self.position :: self.step])
            if len(self.shapes) > MAX_FAST_KEYS:
                self.shapes = None


def _line_longer_than(body: bytes, limit: int) -> bool:
    """Whether a line of ``body`` (lines ending at \\n) is longer than ``limit`` bytes: from each line start, the
    last line end within ``limit`` bytes; none there means a longer line (a jump per ``limit`` bytes)."""
    pos = 0
    while len(body) - pos > limit:
        end = body.rfind(b"\n", pos, pos + limit + 1)
        if end == -1:
            return True
        pos = end + 1
    return False


def _stream_into_copy(
    stream: IO[bytes], copy: Any, not_copyable: bytes, max_line: int, shapes: _Shapes | None = None
) -> int:
    """Stream the rest of the file into ``copy``; returns the lines sent. Blank lines at the end are held back.
    ``not_copyable``: the bytes that decline the file; ``shapes`` collects the amounts' shapes of the lines sent."""
    carry = b""  # the last, unfinished line of the chunks so far
    held = b""  # line ends (blank lines) not yet sent
    lines = 0
    while chunk := stream.read(FAST_CHUNK):
        if len(chunk.translate(None, not_copyable)) != len(chunk):  # C speed, unlike a character-class search
            raise _Declined
        data = carry + chunk
        cut = data.rfind(b"\n") + 1
        body, carry = data[:cut], data[cut:]
        if b"\\." in data or len(carry) > max_line:  # ``\.`` alone on a line ends a COPY
            raise _Declined
        if not body:
            continue
        if _line_longer_than(body, max_line):
            raise _Declined
        keep = body.rstrip(b"\r\n")
        if keep:
            copy.write(held + keep)
            lines += (held + keep).count(b"\n")
            held = body[len(keep) :]
            if shapes is not None:
                shapes.add(keep)
        else:
            held += body
    if carry.strip(b"\r"):
        copy.write(held + carry)
        lines += held.count(b"\n") + 1
        if shapes is not None:
            shapes.add(carry)
    elif held:
        copy.write(held[:2] if held.startswith(b"\r\n") else held[:1])
        lines += 1
    return lines


def _copy_stage(
    stream: IO[bytes], table: tabular.Table, mapper: Any, cursor: Any, info: ReadInfo, keep_raw: bool = False
) -> bool:
    """COPY a plain CSV file's rows as they are and group them (see above). False: the path declines it.

    ``keep_raw`` and a file that may hold ``PARTITION_MIN_ROWS`` rows: the COPY goes into an ordinary table
    (``raw_name()``), which ``apply`` keeps as the import's raw rows when it can (``_keep_raw``)."""
    encoding = _PG_ENCODINGS.get(table.encoding or "")
    if table.kind != "csv" or encoding is None or table.separator not in tabular.SEPARATORS or not table.header_line:
        return False
    stream.seek(0)
    start = 3 if stream.read(3) == b"\xef\xbb\xbf" else 0
    options = table.options
    columns = ", ".join(f"c{i} text" for i in range(table.width))
    delimiter = "\\t" if table.separator == "\t" else table.separator
    try:
        with transaction.atomic():
            offset = _data_offset(stream, start, table.header_line)
            stream.seek(0, io.SEEK_END)
            kept = keep_raw and stream.tell() - offset >= PARTITION_MIN_ROWS * RAW_MIN_LINE_BYTES
            raw = raw_name(cursor) if kept else FAST_RAW
            cursor.execute(f"DROP TABLE IF EXISTS {raw}")
            cursor.execute(
                f"CREATE TABLE {raw} ({columns})" if kept else f"CREATE TEMP TABLE {raw} ({columns}) ON COMMIT DROP"
            )
            stream.seek(offset)
            every = ", ".join(f"c{i}" for i in range(table.width))  # an empty cell is '', as the reader reads it
            # FREEZE (the table is created in this savepoint): the rows are written frozen and their pages
            # all-visible, so the passes over them, and a later VACUUM, do not set hint bits page by page.
            sql = (
                f"COPY {raw} FROM STDIN (FORMAT csv, DELIMITER E'{delimiter}', ENCODING '{encoding}', "
                f"FORCE_NOT_NULL ({every}), FREEZE)"
            )
            amount_at = mapper.index["col_amount"]
            shapes = _Shapes(table.separator, amount_at, table.width) if 0 < amount_at < table.width - 1 else None
            with cursor.cursor.copy(sql) as copy:
                lines = _stream_into_copy(
                    stream, copy, _NOT_COPYABLE[table.encoding or ""], options.max_cell_chars, shapes
                )
            if lines == 0 or lines > options.max_rows:
                raise _Declined
            _group_fast(mapper, cursor, info, lines, table, raw, shapes.shapes if shapes else None)
            assert info.fast is not None
            info.fast["kept"] = kept
    except (_Declined, DatabaseError, psycopg.Error) as exc:
        cause = exc.__cause__ if isinstance(exc, DatabaseError) else exc
        if not isinstance(exc, _Declined) and not isinstance(
            cause, psycopg.errors.DataError | psycopg.errors.QueryCanceled
        ):
            raise
        info.__dict__.update(ReadInfo().__dict__)
        return False
    return True


_SHAPE = bytes.maketrans(b"0123456789", b"9" * 10).decode("latin-1")
FAST_SHAPES = "budget_actuals_fsh"


def _plain_shape(shape: str, number_format: str) -> bool:
    """An amount whose digits are all written as 9 (``9.999,99-``) is of the plain form exactly when the
    amount itself is: the reader's fast path (``_FAST_AMOUNT``) looks only at where digits are. Both signs
    at once, or more than 12 digits before the decimals, go the slow way (as on the reader's path)."""
    match = _FAST_AMOUNT[number_format](shape)
    if match is None or (match[1] and match[4]):
        return False
    return len(match[2].replace("," if number_format == "en" else ".", "")) <= 12


def _group_by_shape(cursor: Any, keys: list[str], amount_col: str, sign: str, number_format: str, raw: str) -> bool:
    """The aggregate pass without a regular expression per row: the rows grouped by their keys and the
    *shape* of their amount (its digits replaced by 9, one ``translate``), with the sum of the amount's
    digits as øre; the few distinct shapes are then checked in Python with the reader's own pattern. When
    every shape is plain, ``FAST_GROUPS`` is filled from these groups (each shape's sign applied) and True
    is returned; otherwise False, and the caller groups the rows by the pattern in SQL (the odd amounts
    are then kept as keys). The same figures either way; this way costs about a third of the other."""
    nk = len(keys)
    # Tens of thousands of groups: in memory, not spilled in batches to disk (Postgres's memory, for this
    # transaction; the Python process holds only the distinct keys).
    cursor.execute("SELECT set_config('work_mem', '64MB', true)")
    cursor.execute(f"DROP TABLE IF EXISTS {FAST_SHAPES}")
    with _hash_plans(cursor):
        cursor.execute(
            f"""
        CREATE TEMP TABLE {FAST_SHAPES} ON COMMIT DROP AS
        SELECT {", ".join(f"k{i}" for i in range(nk))}, shape, count(*) AS n,
               sum(CASE WHEN translate(d, '0123456789', '') = '' AND octet_length(d) BETWEEN 1 AND 18
                        THEN d::bigint END) AS digits
        FROM (
          SELECT {", ".join(keys)}, translate({amount_col}, '0123456789', '9999999999') AS shape,
                 translate({amount_col}, '+-.,', '') AS d
          FROM {raw} OFFSET 0
        ) r
        GROUP BY {", ".join(str(i + 1) for i in range(nk + 1))}
        """
        )
    cursor.execute(f"SELECT DISTINCT shape FROM {FAST_SHAPES} LIMIT {MAX_FAST_KEYS + 1}")
    shapes = [row[0] for row in cursor.fetchall()]
    if len(shapes) > MAX_FAST_KEYS or not all(_plain_shape(shape, number_format) for shape in shapes):
        return False
    cursor.execute(
        f"""
        CREATE TEMP TABLE {FAST_GROUPS} ON COMMIT DROP AS
        SELECT {", ".join(f"k{i}" for i in range(nk))}, NULL::text AS slow, sum(n) AS n,
               sum(({sign.replace("a LIKE", "shape LIKE")}) * digits) AS cents
        FROM {FAST_SHAPES} GROUP BY {", ".join(f"k{i}" for i in range(nk))}
        """
    )
    return True


def _group_fast(  # noqa: PLR0915
    mapper: Any,
    cursor: Any,
    info: ReadInfo,
    lines: int,
    table: tabular.Table,
    raw: str,
    shapes: set[bytes] | None = None,
) -> None:
    """One pass over the COPY'd rows: per distinct key and odd amount, the rows and the øre of the plain ones;
    then each distinct key and odd amount parsed once in Python, into the lookup tables the checks read.
    ``shapes``: the amounts' shapes as streamed (``_Shapes``); when every one is plain, the pass sums the
    digits without looking at the shapes again."""

    profile = mapper.profile
    number_format = "en" if profile.number_format == "en" else "da"
    flip = profile.sign == "flip"
    index = mapper.index
    who_fields = [f for f in _WHO_FIELDS if f in index]
    when_fields = [f for f in _WHEN_FIELDS if f in index]
    who_cols = [f"c{index[f]}" for f in who_fields]
    when_cols = [f"c{index[f]}" for f in when_fields] or ["''"]
    amount_col = f"c{index['col_amount']}"
    keys = [f"{c} AS k{i}" for i, c in enumerate(who_cols + when_cols)]
    nk = len(keys)
    who_keys = [f"k{i}" for i in range(len(who_cols))]
    when_keys = [f"k{i}" for i in range(len(who_cols), nk)]
    # ``%%``: the same pattern whether or not the SQL is run with parameters (the rows' SQL is, in ``apply``).
    sign = f"CASE WHEN a LIKE '%%-' OR a LIKE '-%%' THEN {1 if flip else -1} ELSE {-1 if flip else 1} END"
    cursor.execute(f"DROP TABLE IF EXISTS {FAST_GROUPS}")
    if shapes and all(_plain_shape(shape.decode("latin-1"), number_format) for shape in shapes):
        # Every amount is of the plain form: its digits are its øre (at most 14 of them: a bigint).
        cursor.execute("SELECT set_config('work_mem', '64MB', true)")
        with _hash_plans(cursor):
            cursor.execute(
                f"""
            CREATE TEMP TABLE {FAST_GROUPS} ON COMMIT DROP AS
            SELECT {", ".join(f"k{i}" for i in range(nk))}, NULL::text AS slow, count(*) AS n,
                   sum(({sign}) * translate(a, '+-.,', '')::bigint) AS cents
            FROM (SELECT {", ".join(keys)}, {amount_col} AS a FROM {raw}) r
            GROUP BY {", ".join(str(i + 1) for i in range(nk))}
            """
            )
    elif not _group_by_shape(cursor, keys, amount_col, sign, number_format, raw):
        # Some amount is not of the plain form: per distinct key and odd amount (the pattern in SQL, per row).
        cursor.execute(
            f"""
            CREATE TEMP TABLE {FAST_GROUPS} ON COMMIT DROP AS
            SELECT {", ".join(f"k{i}" for i in range(nk))},
                   CASE WHEN abs(cents) < 100000000000000 THEN NULL ELSE a END AS slow,
                   count(*) AS n, sum(cents) FILTER (WHERE abs(cents) < 100000000000000) AS cents
            FROM (
              SELECT *, CASE WHEN plain THEN ({sign}) * translate(a, '+-.,', '')::bigint END AS cents
              FROM (
                SELECT {", ".join(keys)}, {amount_col} AS a,
                       (octet_length({amount_col}) <= 18 AND {amount_col} ~ '{_FAST_AMOUNT_SQL[number_format]}') AS plain
                FROM {raw} OFFSET 0
              ) r OFFSET 0
            ) s
            GROUP BY {", ".join(str(i + 1) for i in range(nk + 1))}
            """
        )
    cursor.execute(f"SELECT coalesce(sum(n), 0)::bigint FROM {FAST_GROUPS}")
    if cursor.fetchone()[0] != lines:
        raise _Declined
    blank = " AND ".join(f"btrim(k{i}, E' \\t') = ''" for i in range(nk))
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {FAST_GROUPS} WHERE {blank} AND btrim(slow, E' \\t') = '')")
    if cursor.fetchone()[0]:
        raise _Declined  # a blank line in the middle (the reader skips it)

    def distinct(columns: list[str], where: str = "TRUE") -> list[tuple[Any, ...]]:
        cursor.execute(
            f"SELECT DISTINCT {', '.join(columns)} FROM {FAST_GROUPS} WHERE {where} LIMIT {MAX_FAST_KEYS + 1}"
        )
        rows: list[tuple[Any, ...]] = cursor.fetchall()
        if len(rows) > MAX_FAST_KEYS:
            raise _Declined
        return rows

    who_rows = []
    for i, key in enumerate(distinct(who_keys)):
        cells = dict(zip(who_fields, key, strict=True))
        if max(map(len, key)) > table.options.max_cell_chars:
            raise _Declined
        who_rows.append((i, _parse_cost_centre(cells.get("col_cost_centre")), *_parse_account(cells, mapper), *key))
    when_rows = []
    for i, key in enumerate(distinct(when_keys)):
        cells = dict(zip(when_fields, key, strict=False))
        when_rows.append((i, *_parse_when(cells, profile, profiles), *key))
    amount_rows = []
    for (odd,) in distinct(["slow"], "slow IS NOT NULL"):
        number, cents, reason = _read_amount(odd, number_format, flip)
        amount_rows.append((odd, number, cents, reason))
    who_key_ddl = ", ".join(f"{k} text" for k in who_keys)
    when_key_ddl = ", ".join(f"{k} text" for k in when_keys)
    for name, ddl, rows in (
        (
            "who",
            f"id integer, code text, fn text, dranst text, art text, account_text text, reason text, {who_key_ddl}",
            who_rows,
        ),
        (
            "when",
            "id integer, month date, day date, date_reason text, period_reason text, no_month boolean, " + when_key_ddl,
            when_rows,
        ),
        ("amount", "raw text, number numeric, cents bigint, reason text", amount_rows),
    ):
        cursor.execute(f"DROP TABLE IF EXISTS budget_actuals_lk_{name}")
        cursor.execute(f"CREATE TEMP TABLE budget_actuals_lk_{name} ({ddl}) ON COMMIT DROP")
        with cursor.cursor.copy(f"COPY budget_actuals_lk_{name} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(f"ANALYZE budget_actuals_lk_{name}")  # temporary tables have no statistics otherwise
    # The file's side of the reconciliation: rows and øre per cost centre as read from the file's cells.
    cursor.execute(
        f"""
        SELECT w.code, sum(g.n)::bigint, coalesce(sum(coalesce(g.cents, g.n * a.cents)), 0)::bigint
        FROM {FAST_GROUPS} g
        JOIN budget_actuals_lk_who w ON {" AND ".join(f"w.{k} = g.{k}" for k in who_keys)}
        LEFT JOIN budget_actuals_lk_amount a ON a.raw = g.slow
        GROUP BY 1
        """
    )
    for code, rows_n, ore in cursor.fetchall():
        entry = info.file_stats.setdefault(code, [0, Decimal(0)])
        entry[0] += rows_n
        entry[1] += Decimal(ore) / 100
    info.profile_lookups = when_fields
    info.profile = profile
    # Which column holds which cell (``apply`` renames them when it keeps the table as the raw rows); None
    # when one column serves two fields.
    fields = [*who_fields, *when_fields, "col_amount", *(["col_text"] if "col_text" in index else [])]
    columns = [f"c{index[f]}" for f in fields]
    roles = dict(zip([_RAW_ROLES[f] for f in fields], columns, strict=True))
    info.fast = {
        "raw": raw,
        "roles": roles if len(set(columns)) == len(columns) else None,
        "who_fields": who_fields,
        "when_fields": when_fields,
        "flip": flip,
        "who_keys": who_keys,
        "when_keys": when_keys,
        "amount_col": amount_col,
        "text_col": f"c{index['col_text']}" if "col_text" in index else None,
        "sign": sign.replace("a LIKE", f"f.{amount_col} LIKE"),
        "odd_amounts": bool(amount_rows),
        "header_line": table.header_line,
        "key_columns": dict(zip(who_keys + when_keys, who_cols + when_cols, strict=True)),
    }
