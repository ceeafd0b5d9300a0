"""Property-based fuzzing of the actuals import (hypothesis): about 1,000 generated CSV and .xlsx files per run.

Each file is either accepted with an equal reconciliation (rows and amount in the file = staged = to be
written, per cost centre), or refused with every planted bad line named by its line in the file and the
tables unchanged. Nothing else may happen (an exception here would be a 500 in the view). The staging
layer is called directly (dry-run), a handful of files go through the view.
"""

from __future__ import annotations

import io
import random
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from budget.importer import ImportFileError
from budget.models import Actual, ActualsImport, ActualTotal, StagedActual
from budget.services import import_actuals

HEADER = ["Omkostningssted", "Funktion", "Art", "Bogføringsdato", "Beløb", "Tekst"]
CCS = ["52000", "52010", "52020"]
ARTS = ["1.10", "2.21", "4.71", "4.81", "7.71"]
BAD_KINDS = ["columns", "nul", "quote", "junk", "amount", "cost_centre", "date"]


def fuzz_settings(n: int) -> settings:
    return settings(
        max_examples=n,
        deadline=None,
        database=None,
        derandomize=False,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
    )


def _danish(amount: Decimal) -> str:
    text = f"{abs(amount):,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return ("-" if amount < 0 else "") + text


good_row = st.tuples(
    st.sampled_from(CCS),
    st.sampled_from(ARTS),
    st.integers(1, 12),
    st.integers(1, 28),
    st.decimals(min_value=Decimal("-999999.99"), max_value=Decimal("999999.99"), places=2, allow_nan=False),
    st.text(alphabet="abcæøåÆØÅ -.,/", max_size=20),
)
row = st.one_of(
    good_row.map(lambda r: ("good", r)),
    st.tuples(st.sampled_from(BAD_KINDS), good_row),
)


def _counts() -> tuple[int, int, int, int]:
    return (
        Actual.objects.count(),
        ActualTotal.objects.count(),
        ActualsImport.objects.count(),
        StagedActual.objects.count(),
    )


def _check(data: bytes, name: str, bad_lines: set[int], good: int) -> None:
    # Each example in a savepoint that is rolled back: its temporary tables' locks are released, so a
    # thousand examples in one test transaction do not exhaust Postgres' lock table.
    with transaction.atomic():
        _check_one(data, name, bad_lines, good)
        transaction.set_rollback(True)


def _check_one(data: bytes, name: str, bad_lines: set[int], good: int) -> None:
    before = _counts()
    try:
        outcome = import_actuals(stream=io.BytesIO(data), file_name=name, user=None, mode="dry-run")
    except ImportFileError as exc:
        assert str(exc)  # a Danish message for a file that cannot be read at all
        assert _counts() == before
        return
    stage = outcome.stage
    assert _counts() == before
    if stage.ok:
        assert not bad_lines
        rec = outcome.reconciliation
        assert rec.ok
        totals = rec.totals()
        assert totals["file_rows"] == totals["staged_rows"] == totals["write_rows"] == good
        assert totals["file_amount"] == totals["staged_amount"] == totals["write_amount"]
    else:
        named = {e.row for e in stage.errors}
        assert named == bad_lines or (not bad_lines and good == 0), (named, bad_lines)


def _csv_file(rows, encoding: str, sep: str, title: bool, crlf: bool) -> tuple[bytes, set[int], int]:
    lines: list[bytes] = []
    enc = encoding if encoding != "utf-16" else "utf-16-le"

    def add(text: str) -> None:
        lines.append(text.encode(enc, errors="replace"))

    if title:
        add("Forbrugsudtræk")
        add("")
    add(sep.join(HEADER))
    bad: set[int] = set()
    good = 0
    for kind, (cc, art, month, day, amount, text) in rows:
        text = text.replace(sep, " ")
        cells = [cc, "5.38.50", art, f"{day:02d}-{month:02d}-2026", _danish(amount), text]
        number = len(lines) + 1
        if kind == "good":
            good += 1
        elif kind == "columns":
            cells = cells[:4]
        elif kind == "nul":
            cells[5] = "a\x00b"
        elif kind == "quote":
            cells[5] = '"abc"def'
        elif kind == "junk":
            lines.append(sep.join(cells[:5]).encode(enc) + sep.encode(enc) + b"\x01\x02\x03\x04")
            bad.add(number)
            continue
        elif kind == "amount":
            cells[4] = "12,34,5"
        elif kind == "cost_centre":
            cells[0] = "99999"
        elif kind == "date":
            cells[3] = "31-02-2026"
        if kind != "good":
            bad.add(number)
        add(sep.join(cells))
    newline = "\r\n" if crlf else "\n"
    body = newline.encode(enc).join(lines) + newline.encode(enc)
    if encoding == "utf-16":
        body = b"\xff\xfe" + body
    return body, bad, good


@pytest.mark.django_db
@fuzz_settings(700)
@given(
    rows=st.lists(row, min_size=0, max_size=12),
    encoding=st.sampled_from(["utf-8", "cp1252", "utf-16"]),
    sep=st.sampled_from([";", "\t"]),
    title=st.booleans(),
    crlf=st.booleans(),
)
def test_fuzz_csv(org, rows, encoding, sep, title, crlf):
    if encoding == "utf-16":  # every other byte is NUL in UTF-16: plant value errors only
        rows = [r for r in rows if r[0] not in ("nul", "junk")]
    data, bad, good = _csv_file(rows, encoding, sep, title, crlf)
    _check(data, "fuzz.csv", bad, good)


def _xlsx_file(rows, title: bool) -> tuple[bytes, set[int], int]:
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append(["Forbrugsudtræk"])
        ws.append([])
    ws.append(HEADER)
    bad: set[int] = set()
    good = 0
    for kind, (cc, art, month, day, amount, text) in rows:
        number = ws.max_row + 1
        cells: list = [int(cc), "5.38.50", art, f"{day:02d}-{month:02d}-2026", float(amount), text or None]
        if kind == "good":
            good += 1
        elif kind in ("columns", "junk"):
            cells.append("stray value")
        elif kind in ("nul", "quote", "amount"):
            cells[4] = "12,34,5"
        elif kind == "cost_centre":
            cells[0] = 99999
        elif kind == "date":
            cells[3] = "31-02-2026"
        if kind != "good":
            bad.add(number)
        ws.append(cells)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), bad, good


@pytest.mark.django_db
@fuzz_settings(300)
@given(rows=st.lists(row, min_size=0, max_size=10), title=st.booleans())
def test_fuzz_xlsx(org, rows, title):
    data, bad, good = _xlsx_file(rows, title)
    _check(data, "fuzz.xlsx", bad, good)


@pytest.mark.django_db
@fuzz_settings(100)
@given(junk=st.binary(min_size=1, max_size=400), name=st.sampled_from(["x.csv", "x.xlsx", "x.txt"]))
def test_fuzz_binary_junk(org, junk, name):
    before = _counts()
    with transaction.atomic():
        try:
            outcome = import_actuals(stream=io.BytesIO(junk), file_name=name, user=None, mode="dry-run")
            assert not outcome.stage.ok or outcome.reconciliation.ok
        except ImportFileError:
            pass
        transaction.set_rollback(True)
    assert _counts() == before


@pytest.mark.parametrize("seed", range(5))
def test_fuzzed_files_through_the_view_never_500(org, client_for, seed):
    rng = random.Random(seed)
    rows = [(rng.choice(["good", *BAD_KINDS]), ("52000", "1.10", 5, 3, Decimal("12.50"), "x")) for _ in range(8)]
    data, bad, _ = _csv_file(rows, rng.choice(["utf-8", "cp1252"]), ";", bool(seed % 2), False)
    client = client_for(org.administrator)
    response = client.post(reverse("budget:actuals_import"), {"file": SimpleUploadedFile("f.csv", data)})
    assert response.status_code in (200, 400)
    html = response.content.decode()
    for line in bad:
        assert f'data-row="{line}"' in html
    junk = bytes(rng.randrange(256) for _ in range(300))
    response = client.post(reverse("budget:actuals_import"), {"file": SimpleUploadedFile("f.xlsx", junk)})
    assert response.status_code == 400
