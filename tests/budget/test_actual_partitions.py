"""Where a large import's rows go (``importer.PARTITION_MIN_ROWS``), three ways, each giving the same rows,
reconciliation, forecast, posting lists and summaries as the write into ``budget_actual_main``:

- *partition* (migration 0016): a partition of ``budget_actual`` of its own (a confirmed preview, or a file
  the COPY path did not read);
- *raw* (migration 0018): the COPY path's table kept as the file's cells, ``budget_actualraw_b<id>``, with
  its keys, read through the view ``budget_posting`` (``Posting``).

A partition or raw import replaced whole is dropped, one replaced in part keeps the rest, one left empty is
dropped; a refused or mismatched write leaves no table behind. Random sequences of imports, each through
any of the writes (hypothesis), keep the postings, ``ActualTotal`` and ``ActualYear`` exact."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budget import importer, selectors
from budget.chart import regroup_actuals, resolve_group
from budget.models import (
    Account,
    Actual,
    ActualRawKey,
    ActualRawPeriod,
    ActualsImport,
    ActualTotal,
    GroupDefinition,
    ImportProfile,
    Posting,
)
from budget.services import confirm_import, import_actuals

from .test_actual_year import assert_exact

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parents[2] / "demo"
SAP = "KMD Opus (SAP) posteringsudtræk"
WRITTEN = ["home_id", "cost_centre", "month", "group", "function_code", "dranst", "art_code", "account"]
WRITTEN += ["posting_date", "amount", "text"]


def partitions() -> dict[int, str]:
    with connection.cursor() as cursor:
        return importer._partitions(cursor)


def raw_parts() -> dict[int, str]:
    with connection.cursor() as cursor:
        return importer._raw_parts(cursor)


def raw_tables() -> list[str]:
    """Every table of the raw rows (kept or left behind), the parent apart."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relname LIKE 'budget\\_actualraw\\_%%' AND relkind = 'r' ORDER BY 1"
        )
        return [r[0] for r in cursor.fetchall()]


WRITES = ("main", "partition", "raw")


def set_write(monkeypatch, write: str, rows: int = 1) -> None:
    """Make the next imports of ``rows`` rows or more go ``write``'s way."""
    monkeypatch.setattr(importer, "PARTITION_MIN_ROWS", 10**9 if write == "main" else rows)
    monkeypatch.setattr(importer, "RAW_MIN_LINE_BYTES", 0 if write == "raw" else 10**9)


def postings() -> list[tuple]:
    return sorted(Posting.objects.values_list(*WRITTEN))


def run_sample(mode: str = "apply"):
    with (DEMO / "forbrug_sap_opus.csv").open("rb") as stream:
        return import_actuals(
            stream=stream, file_name="s.csv", user=None, mode=mode, profile=ImportProfile.objects.get(name=SAP)
        )


def run_rows(rows: list[tuple[str, str, int, str, str]], profile: ImportProfile):
    """(cost centre, account, month of 2026, amount, text) rows as a SAP-style UTF-8 file, imported."""
    lines = ["KMD Opus - test", "", "", "Omkostningssted;PSP-element;Artskonto;Periode;Bogf.dato;Beløb;Tekst"]
    lines += [f"{cc};;{acc};{m:03d}.2026;;{amount};{text}" for cc, acc, m, amount, text in rows]
    body = ("\r\n".join(lines) + "\r\n").encode("utf-8")
    return import_actuals(stream=io.BytesIO(body), file_name="r.csv", user=None, mode="apply", profile=profile)


@pytest.fixture
def utf8_profile(org):
    profile = ImportProfile.objects.get(name=SAP)
    profile.pk, profile.name, profile.encoding = None, "SAP i UTF-8", "utf-8"
    profile.save()
    return profile


def totals_from_postings() -> dict:
    kinds = dict(GroupDefinition.objects.values_list("code", "kind"))
    out: dict = {}
    for r in Posting.objects.values("home_id", "month", "group").annotate(s=Sum("amount"), n=Count("pk")).order_by():
        key = (r["home_id"], r["month"], kinds.get(r["group"], r["group"]))
        s, n = out.get(key, (D(0), 0))
        out[key] = (s + r["s"], n + r["n"])
    return out


def totals_kept() -> dict:
    return {(t.home_id, t.month, t.group): (t.amount, t.row_count) for t in ActualTotal.objects.all()}


def assert_summaries_exact() -> None:
    assert totals_kept() == totals_from_postings()
    assert_exact()  # ActualYear = ActualTotal, month by month
    for part, name in partitions().items():
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*), count(*) FILTER (WHERE part <> %s OR batch_id <> %s) FROM {name}", [part, part]
            )
            rows, strangers = cursor.fetchone()
        assert rows > 0 and strangers == 0, "a partition holds its own import's rows, and is never left empty"
    kept = raw_parts()
    assert raw_tables() == sorted(kept.values()), "no staging table is left behind"
    for part in kept:
        assert Posting.objects.filter(part=part, batch_id=part).exists(), "a raw import is never left empty"
    assert set(ActualRawKey.objects.values_list("batch_id", flat=True)) == set(kept)
    assert set(ActualRawPeriod.objects.values_list("batch_id", flat=True)) == set(kept)
    ids = list(Posting.objects.values_list("pk", flat=True))
    assert len(ids) == len(set(ids)), "every posting has its own id"


def readers(client, org) -> tuple:
    """What the readers of budget_actual show: the forecast, and each home's posting list's tables."""
    homes = [org.home_a, org.home_b, org.home_c]
    forecast = selectors.forecast_for_homes([h.pk for h in homes], 2026, 11)
    client.force_login(org.department_head)  # sees every home
    tables = []
    for home in homes:
        for group in ("loen", "drift", "indtaegt"):
            url = f"/budget/botilbud/{home.pk}/posteringer/?maaned=2026-11&gruppe={group}"
            response = client.get(url)
            assert response.status_code == 200
            tables.append(re.findall(r"<table.*?</table>", response.content.decode(), re.S))
    assert sum("538500 1" in "".join(t) for t in tables) >= 6  # the postings themselves, account strings and all
    return forecast, tables


def where(outcome) -> str:
    """Where the import's rows went."""
    part = outcome.batch.pk
    return "raw" if part in raw_parts() else "partition" if part in partitions() else "main"


@pytest.mark.parametrize("write", ["partition", "raw"])
def test_a_large_import_gives_the_rows_the_main_write_writes(org, monkeypatch, client, write):
    small = run_sample()
    assert small.stage.ok and small.inserted == 60 and where(small) == "main"
    main_rows = postings()
    assert main_rows == sorted(Actual.objects.values_list(*WRITTEN))
    main_readers = readers(client, org)
    main_rec = [{k: v for k, v in r.items() if not k.startswith("replace")} for r in small.reconciliation.as_json()]

    set_write(monkeypatch, write, rows=60)
    large = run_sample()
    assert large.stage.ok and large.inserted == 60 and large.replaced == 60
    assert where(large) == write
    assert set(Posting.objects.values_list("part", "batch_id")) == {(large.batch.pk, large.batch.pk)}
    assert postings() == main_rows  # every column of every row: amount, sign, text, dates, account string
    if write == "raw":
        assert not Actual.objects.exists()  # the rows stayed in the COPY's table
        assert raw_tables() == [f"budget_actualraw_b{large.batch.pk}"]
    assert large.reconciliation.ok
    assert [
        {k: v for k, v in r.items() if not k.startswith("replace")} for r in large.reconciliation.as_json()
    ] == main_rec
    assert [(r["replace_rows"], r["replace_amount"]) for r in large.reconciliation.as_json()] == [
        (r["file_rows"], r["file_amount"]) for r in large.reconciliation.as_json()
    ]
    assert_summaries_exact()
    assert readers(client, org) == main_readers  # the forecast and the posting lists: the same figures
    # The posting drill-down: the full account string kept.
    assert Posting.objects.filter(home=org.home_a, month=dt.date(2026, 11, 1), account="538500 1 47").exists()


def test_a_flipped_sign_and_a_file_without_text_through_the_raw_write(org, utf8_profile, monkeypatch):
    """The profile's sign convention and a missing column, as the view computes them."""
    rows = [("52000", "538500 1 11", 11, "1.234,56", "a"), ("52010", "538500 1 77", 12, "7,05-", " b\t")]
    utf8_profile.sign = "flip"
    utf8_profile.save()
    outcome = run_rows(rows, utf8_profile)  # the main write
    expected = postings()
    assert {r[9] for r in expected} == {D("-1234.56"), D("7.05")} and {r[10] for r in expected} == {"a", "b"}
    set_write(monkeypatch, "raw")
    outcome = run_rows(rows, utf8_profile)
    assert outcome.stage.ok and where(outcome) == "raw" and postings() == expected
    assert_summaries_exact()


@pytest.mark.parametrize("write", ["partition", "raw"])
def test_a_large_import_replaced_whole_is_dropped_not_deleted_row_by_row(org, monkeypatch, write):
    set_write(monkeypatch, write)
    first = run_sample()
    assert where(first) == write
    second = run_sample()
    assert where(second) == write
    assert second.replaced == 60 and second.inserted == 60
    assert {**partitions(), **raw_parts()}.keys() == {second.batch.pk}  # the first one is gone
    assert Posting.objects.count() == 60
    assert_summaries_exact()


@pytest.mark.parametrize("write", ["partition", "raw"])
def test_a_large_import_replaced_in_part_keeps_the_rest_and_goes_when_empty(org, utf8_profile, monkeypatch, write):
    set_write(monkeypatch, write, rows=60)
    large = run_sample()
    assert where(large) == write
    # Small imports (into the main partition) replace November for one cost centre, then for the others.
    one = run_rows([("52000", "538500 1 11", 11, "100,00", "ny")], utf8_profile)
    assert one.stage.ok and one.replaced == 20 and where(large) == write
    assert Posting.objects.filter(part=large.batch.pk).count() == 40
    assert not Posting.objects.filter(part=large.batch.pk, cost_centre="52000").exists()
    assert_summaries_exact()
    rest = run_rows(
        [("52010", "538500 1 22", 11, "5,00", "ny"), ("52020", "538500 1 22", 11, "7,50-", "ny")], utf8_profile
    )
    assert rest.stage.ok and rest.replaced == 40
    assert partitions() == {} and raw_parts() == {}
    assert sorted(Posting.objects.values_list("cost_centre", "amount")) == [
        ("52000", D("100.00")),
        ("52010", D("5.00")),
        ("52020", D("-7.50")),
    ]
    assert_summaries_exact()


def test_a_raw_import_replaces_another_raw_import_in_part(org, utf8_profile, monkeypatch):
    set_write(monkeypatch, "raw")
    first = run_rows([("52000", "538500 1 11", 1, "1,00", "a"), ("52000", "538500 1 11", 2, "2,00", "b")], utf8_profile)
    second = run_rows([("52000", "538500 1 22", 2, "3,00", "c")], utf8_profile)
    assert (where(first), where(second)) == ("raw", "raw") and second.replaced == 1
    assert sorted(Posting.objects.values_list("text", "part")) == [("a", first.batch.pk), ("c", second.batch.pk)]
    assert_summaries_exact()


def test_a_confirmed_preview_goes_into_a_partition(org, monkeypatch):
    set_write(monkeypatch, "raw", rows=60)  # a preview keeps no raw table: its rows are staged
    preview = run_sample(mode="preview")
    assert preview.stage.ok and not Posting.objects.exists() and raw_tables() == []
    inserted, replaced = confirm_import(batch=preview.batch, user=None)
    assert (inserted, replaced) == (60, 0)
    assert list(partitions()) == [preview.batch.pk]
    assert_summaries_exact()


@pytest.mark.parametrize("mode", ["dry-run", "preview"])
def test_an_import_that_writes_nothing_leaves_no_table(org, monkeypatch, mode):
    set_write(monkeypatch, "raw")
    outcome = run_sample(mode=mode)
    assert outcome.stage.ok and outcome.reconciliation.ok
    assert raw_tables() == [] and not Posting.objects.exists()


def test_a_refused_file_writes_nothing_and_leaves_no_table(org, utf8_profile, monkeypatch):
    set_write(monkeypatch, "raw")
    run_rows([("52000", "538500 1 11", 3, "1,00", "kept")], utf8_profile)
    before = postings()
    bad = run_rows([("52000", "538500 1 11", 3, "2,00", "x"), ("99999", "538500 1 11", 3, "1,00", "y")], utf8_profile)
    assert not bad.stage.ok and [e.row for e in bad.stage.errors] == [6]
    assert postings() == before
    assert_summaries_exact()


def test_a_write_that_differs_from_the_check_leaves_no_partition(org, monkeypatch):
    set_write(monkeypatch, "partition")
    real_fast = importer._fast_rows_sql

    def lossy_fast(fast, cursor):  # noqa: ANN001, ANN202
        numbered, write = real_fast(fast, cursor)
        raw = fast["raw"]
        return numbered, write.replace(f"FROM {raw} f", f"FROM (SELECT * FROM {raw} OFFSET 1) f")

    monkeypatch.setattr(importer, "_fast_rows_sql", lossy_fast)
    with pytest.raises(importer.WriteMismatchError):
        run_sample()
    assert partitions() == {} and not Posting.objects.exists() and not ActualsImport.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class WHERE relname LIKE 'budget_actual_b%%'")
        assert cursor.fetchone()[0] == 0


def test_raw_keys_that_lose_a_row_are_refused_and_leave_no_table(org, monkeypatch):
    set_write(monkeypatch, "raw")
    real_keep = importer._keep_raw

    def lossy_keep(cursor, fast, batch_id):  # noqa: ANN001, ANN202
        real_keep(cursor, fast, batch_id)
        cursor.execute(
            "DELETE FROM budget_actualrawkey WHERE id = (SELECT min(id) FROM budget_actualrawkey WHERE batch_id = %s)",
            [batch_id],
        )

    monkeypatch.setattr(importer, "_keep_raw", lossy_keep)
    with pytest.raises(importer.WriteMismatchError):
        run_sample()
    assert raw_tables() == [] and not Posting.objects.exists() and not ActualsImport.objects.exists()
    assert not ActualRawKey.objects.exists() and not ActualRawPeriod.objects.exists()


def test_regrouping_moves_raw_rows_through_their_keys(org, monkeypatch):
    set_write(monkeypatch, "raw")
    run_sample()
    before = postings()
    GroupDefinition.objects.create(code="koeb_andre", name="Køb andre", kind="indtaegt", order=90)
    Account.objects.filter(art_prefix__startswith="4").update(group="koeb_andre")
    expected = sorted(r for r in before if resolve_group(r[4], r[5], r[6]) != r[3])
    moved, _ = regroup_actuals()
    assert moved == len(expected) > 0
    assert all(
        group == resolve_group(fn, d, art)
        for group, fn, d, art in Posting.objects.values_list("group", "function_code", "dranst", "art_code")
    )
    assert "koeb_andre" in set(Posting.objects.values_list("group", flat=True))
    assert_summaries_exact()


def test_deleting_a_home_deletes_its_raw_rows(org, monkeypatch):
    set_write(monkeypatch, "raw")
    run_sample()
    others = Posting.objects.exclude(home=org.home_a).count()
    assert Posting.objects.filter(home=org.home_a).exists()
    home_id = org.home_a.pk
    org.home_a.delete()  # Django's cascade deletes the home's keys (ActualRawKey.home)
    assert not Posting.objects.filter(home_id=home_id).exists()
    assert not ActualRawKey.objects.filter(home_id=home_id).exists()
    assert Posting.objects.count() == others


ACCOUNTS = ["538500 1 11", "538500 1 22", "538500 1 77"]
IMPORTS = st.lists(
    st.tuples(
        st.sampled_from(WRITES),
        st.lists(
            st.tuples(
                st.sampled_from(["52000", "52010", "52020"]),
                st.sampled_from(ACCOUNTS),
                st.integers(min_value=1, max_value=3),  # month of 2026
                st.integers(min_value=-(10**8), max_value=10**8),  # øre
            ),
            min_size=1,
            max_size=6,
        ),
    ),
    min_size=1,
    max_size=4,
)


def _danish(ore: int) -> str:
    whole, rest = divmod(abs(ore), 100)
    return f"{whole:,}".replace(",", ".") + f",{rest:02d}" + ("-" if ore < 0 else "")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(imports=IMPORTS)
def test_random_imports_through_any_write_keep_postings_and_summaries_exact(org, utf8_profile, imports):
    # What each (cost centre, month) holds: what was there, replaced by each import that has it.
    expected: dict[tuple[str, dt.date], list[tuple[str, D]]] = {}
    for cc, month, text, amount in Posting.objects.values_list("cost_centre", "month", "text", "amount"):
        expected.setdefault((cc, month), []).append((text, amount))
    for n, (write, rows) in enumerate(imports):
        with pytest.MonkeyPatch.context() as patch:
            set_write(patch, write)
            lines = [(cc, acc, m, _danish(ore), f"i{n}r{i}") for i, (cc, acc, m, ore) in enumerate(rows)]
            outcome = run_rows(lines, utf8_profile)
        assert outcome.stage.ok and outcome.reconciliation.ok, outcome.stage.errors[:3]
        new: dict[tuple[str, dt.date], list[tuple[str, D]]] = {}
        for cc, _acc, m, amount, text in lines:
            new.setdefault((cc, dt.date(2026, m, 1)), []).append((text, _amount(amount)))
        replaced = sum(len(expected.get(key, [])) for key in new)
        assert (outcome.inserted, outcome.replaced) == (len(lines), replaced)
        assert where(outcome) == write
        expected.update(new)
        got: dict[tuple[str, dt.date], list[tuple[str, D]]] = {}
        for cc, month, text, amount in Posting.objects.values_list("cost_centre", "month", "text", "amount"):
            got.setdefault((cc, month), []).append((text, amount))
        assert {k: sorted(v) for k, v in got.items()} == {k: sorted(v) for k, v in expected.items() if v}
        assert_summaries_exact()


def _amount(text: str) -> D:
    negative = text.endswith("-")
    value = D(text.rstrip("-").replace(".", "").replace(",", "."))
    return -value if negative else value


WRITERS = {"importer.py", "chart.py", "demo.py"}  # they write budget_actual (and read it to do so)


def test_readers_read_every_posting_through_the_view():
    """A reader of ``Actual`` or ``budget_actual`` would miss every large import's raw rows: readers read
    ``Posting`` (``budget_posting``); only the writers touch the table."""
    root = Path(__file__).resolve().parents[2]
    pattern = re.compile(r"\bActual\.objects|\bFROM budget_actual\b(?!_)|\bJOIN budget_actual\b(?!_)")
    offenders = [
        f"{path.relative_to(root)}:{n}"
        for app in ("botilbud", "budget", "disponering", "visitation", "onboarding")
        for path in sorted((root / app).rglob("*.py"))
        if "migrations" not in path.parts and path.name not in WRITERS
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []
