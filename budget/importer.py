"""Actuals import: stream a finance-system export into Postgres and validate it there.

The file is never held in memory. A CSV file goes line by line (each line
prefixed with its line number) and an ``.xlsx`` sheet row by row (openpyxl
read-only) into ``COPY … FROM STDIN`` of a temporary table of raw text.
Parsing (Danish numbers and dates), the cost-centre lookup and the account
mapping are then a few set-based SQL statements; every bad row is reported
with its row number and all its reasons, and nothing is written. A good file
becomes a normalised temporary table that ``apply`` writes with one DELETE +
INSERT per table, replacing the months it covers for its cost centres.

All functions here must run inside ``transaction.atomic()`` (the temporary
tables live until commit).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import IO, Any

from django.db import connection

from botilbud.lib import tabular
from botilbud.lib.dates import month_start
from budget import chart

RAW = "budget_actuals_raw"
NORM = "budget_actuals_norm"
MAX_ERRORS_SHOWN = 500
COPY_CHUNK = 5000

# Canonical column → accepted header spellings (lower case, single spaces).
HEADERS: dict[str, set[str]] = {
    "cost_centre": {
        "omkostningssted",
        "omk.sted",
        "omk. sted",
        "omksted",
        "omkostningssted nr",
        "ansvarssted",
        "cost centre",
        "cost center",
        "cost_centre",
    },
    "function_code": {"funktion", "kl-funktion", "kl funktion", "function"},
    "art_code": {"art", "artskonto", "art kode", "artskode"},
    "dranst": {"dranst", "dr", "dranst kode", "dranstkode"},
    "account": {"konto", "kontonummer", "kontonr", "kontostreng", "account"},
    "posting_date": {"bogføringsdato", "bogf.dato", "bogf. dato", "dato", "posteringsdato", "bilagsdato", "date"},
    "month": {"måned", "periode", "regnskabsmåned", "month", "maaned"},
    "amount": {"beløb", "beløb (kr.)", "beløb kr.", "belob", "amount", "beløb i kr."},
    "text": {"tekst", "posteringstekst", "bilagstekst", "beskrivelse", "text"},
}
RAW_COLUMNS = [
    "cost_centre",
    "function_code",
    "art_code",
    "dranst",
    "account",
    "account_text",
    "posting_date",
    "month",
    "amount",
    "text",
]
EXTRA_COLUMNS = [f"extra{i}" for i in range(1, 13)]


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


def _norm_header(value: Any) -> str:
    return re.sub(r"\s+", " ", str(value or "").strip().lower().lstrip("\ufeff"))


def map_header(cells: list[Any]) -> list[str]:
    """Raw-table column names for the file's columns (unknown ones go to extras)."""
    names: list[str] = []
    used: set[str] = set()
    extras = iter(EXTRA_COLUMNS)
    for cell in cells:
        key = _norm_header(cell)
        target = next((col for col, aliases in HEADERS.items() if key in aliases), None)
        if target is None or target in used:
            try:
                target = next(extras)
            except StopIteration:
                raise ImportFileError("Filen har for mange kolonner (højst 20).") from None
        used.add(target)
        names.append(target)
    missing = []
    if "cost_centre" not in used:
        missing.append("omkostningssted")
    if "amount" not in used:
        missing.append("beløb")
    if "account" not in used and not {"function_code", "art_code"} <= used:
        missing.append("konto (funktion og art)")
    if missing:
        found = ", ".join(str(c) for c in cells if c not in (None, "")) or "ingen"
        raise ImportFileError(
            "Filens første række skal være kolonneoverskrifter. Der mangler: "
            + ", ".join(missing)
            + f". Fundet: {found}."
        )
    return names


def _create_raw_table(cursor) -> None:
    cols = ", ".join(f"{c} text" for c in [*RAW_COLUMNS, *EXTRA_COLUMNS])
    cursor.execute(f"DROP TABLE IF EXISTS {RAW}; DROP TABLE IF EXISTS {NORM}")
    cursor.execute(f"CREATE TEMP TABLE {RAW} (row_no integer, {cols}) ON COMMIT DROP")


def _cell_text(value: Any, *, month_column: bool = False) -> str | None:
    """An .xlsx cell as the text the SQL parser reads (numbers the Danish way)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime | dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        return f"{day:%Y-%m}" if month_column else f"{day:%d-%m-%Y}"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f").replace(".", ",")
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return str(int(value))
        return format(value, "f").replace(".", ",")
    return str(value)


def _header_ok(cells: list[Any]) -> bool:
    try:
        map_header(cells)
    except ImportFileError:
        return False
    return True


def _copy_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


@dataclass
class ReadInfo:
    """What the reader saw: the lines it could not read (named by file line), and per cost centre
    the rows and amount in the file as Python read them (the first column of the reconciliation)."""

    errors: list[RowError] = field(default_factory=list)
    bad_count: int = 0
    description: str = ""
    file_stats: dict[str, list] = field(default_factory=dict)  # cost centre → [rows, amount]


_ORE = Decimal("0.01")


def _tally(stats: dict[str, list], cc: str, amount: Decimal | None) -> None:
    entry = stats.get(cc)
    if entry is None:
        entry = stats[cc] = [0, Decimal(0)]
    entry[0] += 1
    if amount is not None:
        # Rounded to øre per row, as SQL stores it (an Excel float like 7.0000000000000007E-2 is 0,07).
        entry[1] += amount.quantize(_ORE, rounding=ROUND_HALF_UP)


def stage_file(
    stream: IO[bytes],
    file_name: str,
    options: tabular.ReadOptions | None = None,
    profile: Any = None,
    max_upload_bytes: int | None = None,
) -> ReadInfo:
    """Read the file (``botilbud.lib.tabular``) and COPY its rows as raw text into the temporary table.

    Without a profile the header is recognised by its column names (the app's own layout); with an
    ``ImportProfile`` its columns and formats are mapped in Python (``budget.profiles.RowMapper``).
    Lines the reader or the profile cannot read are returned (by their line in the file); ``validate``
    adds them to the rows it refuses. Raises ``ImportFileError`` when the file cannot be read at all.
    """
    from budget import profiles

    limits = {"max_upload_bytes": max_upload_bytes} if max_upload_bytes else {}
    if profile is not None:
        options = profile.read_options(**limits)
    options = options or tabular.ReadOptions(find_header=_header_ok, **limits)
    try:
        table = tabular.open_table(stream, file_name, options)
    except tabular.TabularError as exc:
        if "ikke fundet" in str(exc):
            if profile is not None:
                raise ImportFileError(
                    f"Overskriften med kolonnerne »{profile.col_cost_centre}« og »{profile.col_amount}« (profilen "
                    f"»{profile.name}«) blev ikke fundet i filens første linjer."
                ) from exc
            _explain_missing_header(stream, file_name)
        raise ImportFileError(str(exc)) from exc
    info = ReadInfo()
    stats = info.file_stats
    with table, connection.cursor() as cursor:
        _create_raw_table(cursor)
        mapper = None
        if profile is not None:
            try:
                mapper = profiles.RowMapper(profile, table.header)
            except ValueError as exc:
                raise ImportFileError(str(exc)) from exc
            columns = profiles.RAW_TARGETS
        else:
            columns = map_header(table.header)
        width = len(columns)
        sql = f"COPY {RAW} (row_no, {', '.join(columns)}) FROM STDIN"
        month_index = columns.index("month") if "month" in columns else -1
        cc_index = columns.index("cost_centre")
        amount_index = columns.index("amount")
        parse_amount = profiles.parse_amount
        buffer: list[str] = []
        try:
            with cursor.cursor.copy(sql) as copy:
                if mapper is not None:
                    for line, cells in table.rows():
                        values, reasons = mapper.map(cells)
                        amount = parse_amount(values[7]) if values[7] is not None else None
                        _tally(stats, values[0] or "", amount)
                        if reasons:
                            info.errors.append(RowError(row=line, reasons=reasons))
                            info.bad_count += 1
                            continue
                        text = "\t".join("\\N" if v is None else _copy_escape(v) for v in values)
                        buffer.append(f"{line}\t{text}\n")
                        if len(buffer) >= COPY_CHUNK:
                            copy.write("".join(buffer))
                            buffer.clear()
                elif table.kind == "csv":
                    for line, cells in table.rows():
                        _tally(stats, cells[cc_index].strip(), parse_amount(cells[amount_index]))
                        text = "\t".join(cells)
                        if text.count("\t") != width - 1 or "\\" in text or "\n" in text or "\r" in text:
                            text = "\t".join(_copy_escape(c) for c in cells)
                        buffer.append(f"{line}\t{text}\n")
                        if len(buffer) >= COPY_CHUNK:
                            copy.write("".join(buffer))
                            buffer.clear()
                else:
                    for line, cells in table.rows():
                        texts = [_cell_text(v, month_column=(i == month_index)) for i, v in enumerate(cells)]
                        _tally(stats, (texts[cc_index] or "").strip(), parse_amount(cells[amount_index]))
                        text = "\t".join("\\N" if t is None else _copy_escape(t) for t in texts)
                        buffer.append(f"{line}\t{text}\n")
                        if len(buffer) >= COPY_CHUNK:
                            copy.write("".join(buffer))
                            buffer.clear()
                if buffer:
                    copy.write("".join(buffer))
        except tabular.TabularError as exc:
            raise ImportFileError(str(exc)) from exc
    info.description = table.description
    info.bad_count += table.bad_line_count
    info.errors += [RowError(row=b.line, reasons=[b.reason]) for b in table.bad_lines]
    return info


def _explain_missing_header(stream: IO[bytes], file_name: str) -> None:
    """No header within the first lines: name what the first line lacks (raises ImportFileError)."""
    stream.seek(0)
    try:
        table = tabular.open_table(stream, file_name)
    except tabular.TabularError:
        return
    with table:
        map_header(table.header)


# --- SQL parsing --------------------------------------------------------------

_AMOUNT_RE = r"^[+-]?([0-9]{1,3}(\.[0-9]{3})+|[0-9]+)(,[0-9]+)?$"
_DMY_RE = r"^[0-9]{1,2}-[0-9]{1,2}-[0-9]{4}$"
_YMD_RE = r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$"
_YM_RE = r"^[0-9]{4}-[0-9]{1,2}$"
_MY_RE = r"^[0-9]{1,2}-[0-9]{4}$"
_ACCOUNT_RE = r"^[0-9]+(\.[0-9]+){3,}$"

# Step 1 (materialised once per row): trimmed, cleaned strings and their
# parts. Regular-expression *tests* and split_part are cheap; regexp_match is
# not, so the parts come from split_part after a shape test.
# Step 2: typed values, guarded by CASE so a bad value never raises.
_PARSED_SQL = f"""
WITH c AS MATERIALIZED (
  SELECT r.row_no,
         btrim(r.cost_centre) AS cc,
         NULLIF(btrim(r.amount), '') AS amount_raw,
         replace(replace(translate(btrim(coalesce(r.amount, '')), E'\\u2212 \\u00a0\\t', '-'), 'kr.', ''), 'kr', '')
           AS amount_clean,
         NULLIF(btrim(r.posting_date), '') AS date_raw,
         split_part(translate(btrim(r.posting_date), './T', '-- '), ' ', 1) AS d,
         NULLIF(btrim(r.month), '') AS month_raw,
         translate(btrim(r.month), './', '--') AS ym,
         NULLIF(btrim(r.function_code), '') AS fn_col,
         NULLIF(btrim(r.art_code), '') AS art_col,
         NULLIF(btrim(r.dranst), '') AS dranst_raw,
         NULLIF(btrim(r.account_text), '') AS account_text,
         r.account_text IS NOT NULL AS from_profile,
         NULLIF(btrim(r.account), '') AS account_raw,
         CASE WHEN r.account IS NOT NULL THEN regexp_replace(btrim(r.account), '[ /-]+', '.', 'g') END AS acc,
         left(btrim(coalesce(r.text, '')), 200) AS text
  FROM {RAW} r
  WHERE concat_ws('', r.cost_centre, r.function_code, r.art_code, r.dranst, r.account, r.posting_date, r.month,
                  r.amount) <> ''
),
f AS MATERIALIZED (
  -- Each regular expression is tested once per row.
  SELECT c.*,
         d ~ '{_DMY_RE}' AS is_dmy,
         d ~ '{_YMD_RE}' AS is_ymd,
         ym ~ '{_YM_RE}' OR ym ~ '{_YMD_RE}' AS is_ym,
         ym ~ '{_MY_RE}' AS is_my,
         acc ~ '{_ACCOUNT_RE}' AS is_acc,
         amount_clean ~ '{_AMOUNT_RE}' AND length(amount_clean) <= 24 AS amount_ok
  FROM c
),
s AS MATERIALIZED (
  SELECT f.*,
         CASE WHEN is_dmy THEN split_part(d, '-', 1)::int WHEN is_ymd THEN split_part(d, '-', 3)::int END AS dd,
         CASE WHEN is_dmy OR is_ymd THEN split_part(d, '-', 2)::int END AS dm,
         CASE WHEN is_dmy THEN split_part(d, '-', 3)::int WHEN is_ymd THEN split_part(d, '-', 1)::int END AS dy,
         CASE WHEN is_ym THEN split_part(ym, '-', 1)::int WHEN is_my THEN split_part(ym, '-', 2)::int END AS my,
         CASE WHEN is_ym THEN split_part(ym, '-', 2)::int WHEN is_my THEN split_part(ym, '-', 1)::int END AS mm,
         CASE WHEN is_acc
              THEN split_part(acc, '.', 1) || '.' || split_part(acc, '.', 2) || '.' || split_part(acc, '.', 3) END
              AS acc_fn
  FROM f
)
SELECT row_no, cc, amount_raw, amount_clean,
       CASE WHEN amount_ok THEN round(replace(replace(amount_clean, '.', ''), ',', '.')::numeric, 2) END AS amount,
       date_raw,
       CASE WHEN dd IS NULL THEN NULL
            WHEN dm NOT BETWEEN 1 AND 12 OR dy NOT BETWEEN 1900 AND 2200 THEN NULL
            WHEN dd NOT BETWEEN 1 AND extract(day FROM make_date(dy, dm, 1) + interval '1 month' - interval '1 day')::int
                 THEN NULL
            ELSE make_date(dy, dm, dd) END AS posting_date,
       month_raw,
       CASE WHEN my IS NULL OR mm NOT BETWEEN 1 AND 12 OR my NOT BETWEEN 1900 AND 2200 THEN NULL
            ELSE make_date(my, mm, 1) END AS month_value,
       COALESCE(fn_col, acc_fn) AS fn,
       COALESCE(art_col, CASE WHEN acc_fn IS NOT NULL THEN substr(acc, length(acc_fn) + 2) END) AS art,
       dranst_raw, CASE WHEN dranst_raw IS NULL THEN '' WHEN dranst_raw IN ('1', '2', '3') THEN dranst_raw END AS dranst,
       account_raw, from_profile,
       left(COALESCE(account_text, account_raw,
                     concat_ws('.', COALESCE(fn_col, acc_fn), dranst_raw, COALESCE(art_col, ''))), 80) AS account_keep,
       text
FROM s
"""


def validate(
    *,
    allowed_home_ids: list[int] | None = None,
    only_month: dt.date | None = None,
    read: ReadInfo | None = None,
    closed_years: list[int] | None = None,
) -> StageResult:
    """Check every staged row; build the normalised table if all are good (and the reader found no bad line).
    Rows in a closed budget year (``budget.yearend``) are refused."""
    result = StageResult(file_name="")
    read = read or ReadInfo()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS budget_actuals_parsed")
        cursor.execute(f"CREATE TEMP TABLE budget_actuals_parsed ON COMMIT DROP AS {_PARSED_SQL}")
        # The account mapping for the distinct (function, dranst, art) triples: a handful of rows.
        cursor.execute("DROP TABLE IF EXISTS budget_actuals_accounts")
        resolve = chart.RESOLVE_SQL.format(fn="k.fn", dranst="k.dranst", art="k.art")
        cursor.execute(
            f"""
            CREATE TEMP TABLE budget_actuals_accounts ON COMMIT DROP AS
            SELECT m.*, g.kind FROM (
              SELECT k.fn, k.dranst, k.art, ({resolve}) AS grp
              FROM (SELECT DISTINCT fn, dranst, art FROM budget_actuals_parsed
                    WHERE fn IS NOT NULL AND art IS NOT NULL AND dranst IS NOT NULL) k
            ) m LEFT JOIN budget_groupdefinition g ON g.code = m.grp
            """
        )
        # Cost centre → home: the homes' extra cost centres, and each home's main one.
        cursor.execute("DROP TABLE IF EXISTS budget_actuals_cc")
        cursor.execute(
            """
            CREATE TEMP TABLE budget_actuals_cc ON COMMIT DROP AS
            SELECT code, home_id FROM budget_costcentre WHERE is_active
            UNION ALL
            SELECT h.cost_centre, h.id FROM botilbud_home h
            WHERE NOT EXISTS (SELECT 1 FROM budget_costcentre c WHERE c.code = h.cost_centre)
            """
        )
        allowed_sql = "TRUE" if allowed_home_ids is None else "h.home_id = ANY(%(allowed)s)"
        params: dict[str, Any] = {
            "allowed": allowed_home_ids or [],
            "only_month": only_month,
            "closed_years": closed_years or [],
        }
        # The checks join the parsed rows with homes and the account mapping; the join is
        # cheap, so it runs twice (errors, then the normalised rows) instead of being stored.
        checked = f"""
            WITH budget_actuals_checked AS (
              SELECT p.*, h.home_id, ({allowed_sql}) AS allowed, acc.grp, acc.kind,
                     CASE WHEN p.from_profile THEN COALESCE(p.month_value, date_trunc('month', p.posting_date)::date)
                          ELSE COALESCE(date_trunc('month', p.posting_date)::date, p.month_value, %(only_month)s::date)
                     END AS month
              FROM budget_actuals_parsed p
              LEFT JOIN budget_actuals_cc h ON h.code = p.cc
              LEFT JOIN budget_actuals_accounts acc ON acc.fn = p.fn AND acc.art = p.art AND acc.dranst = p.dranst
            )
        """
        cursor.execute(
            checked
            + """
            SELECT row_no, reasons, count(*) OVER () FROM (
              SELECT row_no, array_remove(ARRAY[
                CASE WHEN cc IS NULL OR cc = '' THEN 'omkostningssted mangler'
                     WHEN home_id IS NULL THEN format('ukendt omkostningssted »%%s«', cc)
                     WHEN NOT allowed THEN format('du har ikke adgang til omkostningssted »%%s«', cc) END,
                CASE WHEN amount_raw IS NULL THEN 'beløb mangler'
                     WHEN amount IS NULL THEN format('beløbet »%%s« er ikke et gyldigt tal (brug fx 1.234,56)', amount_raw)
                     WHEN abs(amount) >= 1000000000000 THEN format('beløbet »%%s« er for stort', amount_raw) END,
                CASE WHEN fn IS NULL OR art IS NULL THEN
                          CASE WHEN account_raw IS NOT NULL
                               THEN format('kontoen »%%s« kan ikke læses (brug fx 5.38.50/1.10)', account_raw)
                               ELSE 'konto mangler (funktion og art)' END
                     WHEN dranst IS NULL THEN format('dranst »%%s« er ikke 1, 2 eller 3', dranst_raw)
                     WHEN grp IS NULL THEN format('ukendt konto »%%s / %%s« (findes ikke i kontoplanen)', fn, art)
                     WHEN kind IS NULL THEN format('kontogruppen »%%s« findes ikke', grp) END,
                CASE WHEN date_raw IS NOT NULL AND posting_date IS NULL
                          THEN format('datoen »%%s« er ikke en gyldig dato (brug dd-mm-åååå)', date_raw)
                     WHEN month_raw IS NOT NULL AND month_value IS NULL
                          THEN format('måneden »%%s« er ikke gyldig (brug åååå-mm)', month_raw)
                     WHEN month IS NULL THEN 'dato eller måned mangler'
                     WHEN posting_date IS NOT NULL AND month_value IS NOT NULL AND NOT from_profile
                          AND date_trunc('month', posting_date)::date <> month_value
                          THEN format('datoen %%s ligger ikke i måneden %%s', to_char(posting_date, 'DD-MM-YYYY'),
                                      to_char(month_value, 'YYYY-MM'))
                     WHEN %(only_month)s::date IS NOT NULL AND month <> %(only_month)s::date
                          THEN format('posteringen hører til %%s, men importen gælder kun %%s',
                                      to_char(month, 'YYYY-MM'), to_char(%(only_month)s::date, 'YYYY-MM'))
                     WHEN extract(year FROM month)::int = ANY(%(closed_years)s::int[])
                          THEN format('budgetåret %%s er lukket: det skal genåbnes med en begrundelse, før '
                                      'forbruget kan indlæses igen', extract(year FROM month)::int) END
              ], NULL) AS reasons
              FROM budget_actuals_checked
            ) e
            WHERE cardinality(reasons) > 0
            ORDER BY row_no
            LIMIT %(limit)s
            """,
            {**params, "limit": MAX_ERRORS_SHOWN},
        )
        rows = cursor.fetchall()
        errors = [RowError(row=r[0], reasons=[_capitalise(x) for x in r[1]]) for r in rows] + read.errors
        result.errors = sorted(errors, key=lambda e: e.row)[:MAX_ERRORS_SHOWN]
        result.bad_row_count = (rows[0][2] if rows else 0) + read.bad_count
        cursor.execute("SELECT count(*) FROM budget_actuals_parsed")
        result.row_count = cursor.fetchone()[0] + read.bad_count
        if result.bad_row_count == 0:
            cursor.execute(
                f"""
                CREATE TEMP TABLE {NORM} ON COMMIT DROP AS
                {checked}
                SELECT home_id, cc AS cost_centre, month, grp AS "group", kind, fn AS function_code, dranst,
                       art AS art_code, account_keep AS account, posting_date, amount, text, row_no
                FROM budget_actuals_checked
                """,
                params,
            )
    return result


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


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


def preview(source_sql: str, params: dict[str, Any] | None = None) -> list[PreviewRow]:
    """What the import will write, per cost centre and month, beside what it replaces."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH src AS ({source_sql}),
            new AS (
              SELECT home_id, cost_centre, month, count(*) AS n,
                     sum(amount) FILTER (WHERE kind = 'loen') AS wages,
                     sum(amount) FILTER (WHERE kind = 'drift') AS operations,
                     sum(amount) FILTER (WHERE kind = 'indtaegt') AS income,
                     sum(amount) AS total
              FROM src GROUP BY home_id, cost_centre, month
            ),
            old AS (
              SELECT a.cost_centre, a.month, count(*) AS n, sum(a.amount) AS total
              FROM budget_actual a JOIN new USING (cost_centre, month)
              GROUP BY a.cost_centre, a.month
            )
            SELECT new.home_id, h.name, new.cost_centre, new.month, new.n,
                   coalesce(new.wages, 0), coalesce(new.operations, 0), coalesce(new.income, 0), new.total,
                   coalesce(old.n, 0), coalesce(old.total, 0)
            FROM new JOIN botilbud_home h ON h.id = new.home_id
            LEFT JOIN old ON old.cost_centre = new.cost_centre AND old.month = new.month
            ORDER BY h.name, new.cost_centre, new.month
            """,
            params or {},
        )
        return [PreviewRow(*row) for row in cursor.fetchall()]


def apply(source_sql: str, params: dict[str, Any] | None = None, *, batch_id: int | None = None) -> tuple[int, int]:
    """Replace the (cost centre, month) pairs of the source with its rows. Returns (inserted, replaced).

    The per-kind totals of the homes and months touched are rebuilt from the postings."""
    params = {**(params or {}), "batch_id": batch_id}
    with connection.cursor() as cursor:
        # One import at a time: two imports of the same month must not interleave.
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('budget.actuals_import'))")
        cursor.execute("DROP TABLE IF EXISTS budget_actuals_pairs")
        cursor.execute(
            f"CREATE TEMP TABLE budget_actuals_pairs ON COMMIT DROP AS "
            f"SELECT DISTINCT home_id, cost_centre, month FROM ({source_sql}) s",
            params,
        )
        cursor.execute(
            "DELETE FROM budget_actual a USING budget_actuals_pairs p "
            "WHERE a.cost_centre = p.cost_centre AND a.month = p.month"
        )
        replaced = cursor.rowcount
        # Postings from before cost centres were stored on them (none after migration 0006).
        cursor.execute(
            "DELETE FROM budget_actual a USING budget_actuals_pairs p "
            "WHERE a.cost_centre = '' AND a.home_id = p.home_id AND a.month = p.month"
        )
        replaced += cursor.rowcount
        cursor.execute(
            f"""
            INSERT INTO budget_actual (home_id, cost_centre, month, "group", function_code, dranst, art_code, account,
                                       posting_date, amount, text, batch_id)
            SELECT home_id, cost_centre, month, "group", function_code, dranst, art_code, account,
                   posting_date, amount, text, %(batch_id)s
            FROM ({source_sql}) s
            """,
            params,
        )
        inserted = cursor.rowcount
        refresh_totals(cursor, "SELECT DISTINCT home_id, month FROM budget_actuals_pairs")
    return inserted, replaced


def refresh_totals(cursor, pairs_sql: str) -> None:  # noqa: ANN001
    """Rebuild ``ActualTotal`` (per home, month and kind) for the (home_id, month) pairs of ``pairs_sql``."""
    cursor.execute("DROP TABLE IF EXISTS budget_actuals_hm")
    cursor.execute(f"CREATE TEMP TABLE budget_actuals_hm ON COMMIT DROP AS {pairs_sql}")
    cursor.execute(
        "DELETE FROM budget_actualtotal t USING budget_actuals_hm p WHERE t.home_id = p.home_id AND t.month = p.month"
    )
    cursor.execute(
        """
        INSERT INTO budget_actualtotal (home_id, month, "group", amount, row_count)
        SELECT a.home_id, a.month, coalesce(g.kind, a."group"), sum(a.amount), count(*)
        FROM budget_actual a JOIN budget_actuals_hm p ON a.home_id = p.home_id AND a.month = p.month
        LEFT JOIN budget_groupdefinition g ON g.code = a."group"
        GROUP BY 1, 2, 3
        """
    )


_COLUMNS = 'home_id, cost_centre, month, "group", function_code, dranst, art_code, account, posting_date, amount, text'
NORM_SOURCE = f"SELECT {_COLUMNS}, kind FROM {NORM}"
STAGED_SOURCE = (
    f"SELECT {', '.join('s.' + c.strip() for c in _COLUMNS.split(','))}, g.kind "
    'FROM budget_stagedactual s LEFT JOIN budget_groupdefinition g ON g.code = s."group" '
    "WHERE s.batch_id = %(staged_batch)s"
)


def persist_staged(batch_id: int) -> tuple[int, Decimal]:
    """Keep the validated rows until the user confirms the preview."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO budget_stagedactual (batch_id, {_COLUMNS}, row_no)
            SELECT %s, {_COLUMNS}, row_no FROM {NORM}
            """,
            [batch_id],
        )
        cursor.execute(f"SELECT count(*), coalesce(sum(amount), 0) FROM {NORM}")
        count, total = cursor.fetchone()
    return count, total


def open_upload(uploaded) -> IO[bytes]:  # noqa: ANN001 - Django UploadedFile
    """A binary stream over an upload (Django keeps big ones in a temp file)."""
    uploaded.seek(0)
    stream = uploaded.file if hasattr(uploaded, "file") else uploaded
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
    to be written and replaced. ``ok`` = file = staged = written for every cost centre."""

    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r["ok"] for r in self.rows)

    def totals(self) -> dict[str, Any]:
        keys = ["file_rows", "file_amount", "staged_rows", "staged_amount", "write_rows", "write_amount"]
        keys += ["replace_rows", "replace_amount"]
        return {k: sum((r[k] for r in self.rows), Decimal(0) if k.endswith("amount") else 0) for k in keys}

    def as_json(self) -> list[dict[str, Any]]:
        return [{k: (str(v) if isinstance(v, Decimal) else v) for k, v in r.items()} for r in self.rows]

    @classmethod
    def from_json(cls, data: list[dict[str, Any]]) -> Reconciliation:
        rows = [{k: (Decimal(v) if k.endswith("amount") else v) for k, v in r.items()} for r in data or []]
        return cls(rows=rows)


def reconcile(read: ReadInfo, *, written: bool) -> Reconciliation:
    """Compare the file's figures with the staged rows and (when the file is good) the rows to be written."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(cc, ''), count(*), coalesce(sum(amount), 0) FROM budget_actuals_parsed GROUP BY 1"
        )
        staged = {r[0]: (r[1], r[2]) for r in cursor.fetchall()}
        to_write: dict[str, tuple[int, Decimal]] = {}
        replaced: dict[str, tuple[int, Decimal]] = {}
        homes: dict[str, str] = {}
        if written:
            cursor.execute(
                f"SELECT n.cost_centre, count(*), sum(n.amount), min(h.name) FROM {NORM} n "
                "JOIN botilbud_home h ON h.id = n.home_id GROUP BY 1"
            )
            for cc, n, amount, name in cursor.fetchall():
                to_write[cc] = (n, amount)
                homes[cc] = name
            cursor.execute(
                f"""
                SELECT a.cost_centre, count(*), coalesce(sum(a.amount), 0) FROM budget_actual a
                JOIN (SELECT DISTINCT cost_centre, month FROM {NORM}) p
                  ON p.cost_centre = a.cost_centre AND p.month = a.month
                GROUP BY 1
                """
            )
            replaced = {r[0]: (r[1], r[2]) for r in cursor.fetchall()}
    result = Reconciliation()
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
                "write_rows": w_rows,
                "write_amount": Decimal(w_amount).quantize(Decimal("0.01")),
                "replace_rows": r_rows,
                "replace_amount": Decimal(r_amount).quantize(Decimal("0.01")),
                "ok": ok,
            }
        )
    return result
