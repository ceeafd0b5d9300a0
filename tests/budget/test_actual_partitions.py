"""A large import's rows in a partition of their own (``importer.PARTITION_MIN_ROWS``, migration 0016):
the same rows, reconciliation and summaries as the write into ``budget_actual_main``; a partition
replaced whole is dropped, one replaced in part keeps the rest, one left empty is dropped; a refused
write leaves no partition. Then random sequences of imports, each through either write path (hypothesis),
keep the postings, ``ActualTotal`` and ``ActualYear`` exact."""

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
from budget.models import Actual, ActualsImport, ActualTotal, GroupDefinition, ImportProfile
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
    for r in Actual.objects.values("home_id", "month", "group").annotate(s=Sum("amount"), n=Count("pk")).order_by():
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


def test_a_large_import_writes_into_its_own_partition_what_the_main_write_writes(org, monkeypatch, client):
    small = run_sample()
    assert small.stage.ok and small.inserted == 60 and partitions() == {}
    main_rows = sorted(Actual.objects.values_list(*WRITTEN))
    main_readers = readers(client, org)
    main_rec = [{k: v for k, v in r.items() if not k.startswith("replace")} for r in small.reconciliation.as_json()]

    monkeypatch.setattr(importer, "PARTITION_MIN_ROWS", 60)
    large = run_sample()
    assert large.stage.ok and large.inserted == 60 and large.replaced == 60
    assert partitions() == {large.batch.pk: f"budget_actual_b{large.batch.pk}"}
    assert set(Actual.objects.values_list("part", "batch_id")) == {(large.batch.pk, large.batch.pk)}
    assert sorted(Actual.objects.values_list(*WRITTEN)) == main_rows
    assert large.reconciliation.ok
    assert [
        {k: v for k, v in r.items() if not k.startswith("replace")} for r in large.reconciliation.as_json()
    ] == main_rec
    assert [(r["replace_rows"], r["replace_amount"]) for r in large.reconciliation.as_json()] == [
        (r["file_rows"], r["file_amount"]) for r in large.reconciliation.as_json()
    ]
    assert len(set(Actual.objects.values_list("pk", flat=True))) == 60  # ids from the one sequence
    assert_summaries_exact()
    assert readers(client, org) == main_readers  # the forecast and the posting lists: the same figures
    # The posting drill-down reads through the parent as before: the full account string kept.
    assert Actual.objects.filter(home=org.home_a, month=dt.date(2026, 11, 1), account="538500 1 47").exists()


def test_a_partition_replaced_whole_is_dropped_not_deleted_row_by_row(org, monkeypatch):
    monkeypatch.setattr(importer, "PARTITION_MIN_ROWS", 1)
    run_sample()
    second = run_sample()
    assert second.replaced == 60 and second.inserted == 60
    assert list(partitions()) == [second.batch.pk]  # the first one is gone
    assert Actual.objects.count() == 60
    assert_summaries_exact()


def test_a_partition_replaced_in_part_keeps_the_rest_and_goes_when_empty(org, utf8_profile, monkeypatch):
    monkeypatch.setattr(importer, "PARTITION_MIN_ROWS", 60)
    large = run_sample()
    assert list(partitions()) == [large.batch.pk]
    # Small imports (into the main partition) replace November for one cost centre, then for the others.
    one = run_rows([("52000", "538500 1 11", 11, "100,00", "ny")], utf8_profile)
    assert one.stage.ok and one.replaced == 20 and list(partitions()) == [large.batch.pk]
    assert Actual.objects.filter(part=large.batch.pk).count() == 40
    assert_summaries_exact()
    rest = run_rows(
        [("52010", "538500 1 22", 11, "5,00", "ny"), ("52020", "538500 1 22", 11, "7,50-", "ny")], utf8_profile
    )
    assert rest.stage.ok and rest.replaced == 40
    assert partitions() == {}
    assert sorted(Actual.objects.values_list("cost_centre", "amount")) == [
        ("52000", D("100.00")),
        ("52010", D("5.00")),
        ("52020", D("-7.50")),
    ]
    assert_summaries_exact()


def test_a_confirmed_preview_goes_the_same_way(org, monkeypatch):
    monkeypatch.setattr(importer, "PARTITION_MIN_ROWS", 60)
    preview = run_sample(mode="preview")
    assert preview.stage.ok and not Actual.objects.exists()
    inserted, replaced = confirm_import(batch=preview.batch, user=None)
    assert (inserted, replaced) == (60, 0)
    assert list(partitions()) == [preview.batch.pk]
    assert_summaries_exact()


def test_a_write_that_differs_from_the_check_leaves_no_partition(org, monkeypatch):
    monkeypatch.setattr(importer, "PARTITION_MIN_ROWS", 1)
    real_fast = importer._fast_rows_sql

    def lossy_fast(fast, cursor):  # noqa: ANN001, ANN202
        numbered, write = real_fast(fast, cursor)
        raw = importer.FAST_RAW
        return numbered, write.replace(f"FROM {raw} f", f"FROM (SELECT * FROM {raw} OFFSET 1) f")

    monkeypatch.setattr(importer, "_fast_rows_sql", lossy_fast)
    with pytest.raises(importer.WriteMismatchError):
        run_sample()
    assert partitions() == {} and not Actual.objects.exists() and not ActualsImport.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class WHERE relname LIKE 'budget_actual_b%%'")
        assert cursor.fetchone()[0] == 0


ACCOUNTS = ["538500 1 11", "538500 1 22", "538500 1 77"]
IMPORTS = st.lists(
    st.tuples(
        st.booleans(),  # its own partition, or the main one
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


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(imports=IMPORTS)
def test_random_imports_through_either_write_keep_postings_and_summaries_exact(org, utf8_profile, imports):
    # What each (cost centre, month) holds: what was there, replaced by each import that has it.
    expected: dict[tuple[str, dt.date], list[tuple[str, D]]] = {}
    for cc, month, text, amount in Actual.objects.values_list("cost_centre", "month", "text", "amount"):
        expected.setdefault((cc, month), []).append((text, amount))
    for n, (own, rows) in enumerate(imports):
        importer.PARTITION_MIN_ROWS = 1 if own else 10**9
        try:
            lines = [(cc, acc, m, _danish(ore), f"i{n}r{i}") for i, (cc, acc, m, ore) in enumerate(rows)]
            outcome = run_rows(lines, utf8_profile)
        finally:
            importer.PARTITION_MIN_ROWS = 100_000
        assert outcome.stage.ok and outcome.reconciliation.ok, outcome.stage.errors[:3]
        new: dict[tuple[str, dt.date], list[tuple[str, D]]] = {}
        for cc, _acc, m, amount, text in lines:
            new.setdefault((cc, dt.date(2026, m, 1)), []).append((text, _amount(amount)))
        replaced = sum(len(expected.get(key, [])) for key in new)
        assert (outcome.inserted, outcome.replaced) == (len(lines), replaced)
        expected.update(new)
        got: dict[tuple[str, dt.date], list[tuple[str, D]]] = {}
        for cc, month, text, amount in Actual.objects.values_list("cost_centre", "month", "text", "amount"):
            got.setdefault((cc, month), []).append((text, amount))
        assert {k: sorted(v) for k, v in got.items()} == {k: sorted(v) for k, v in expected.items() if v}
        assert_summaries_exact()


def _amount(text: str) -> D:
    negative = text.endswith("-")
    value = D(text.rstrip("-").replace(".", "").replace(",", "."))
    return -value if negative else value
