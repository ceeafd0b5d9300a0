"""Property-based fuzzing of the import through the shipped profiles (hypothesis).

``test_fuzz_import.py`` fuzzes the app's own layout (itself a profile since the own-layout path went
through the profile path). Here the SAP/KMD Opus profile (title lines, Windows-1252, an account string
read by a pattern, ``011.2026`` periods, posting dates ``15.11.2026``, SAP's trailing minus) and the
Prisme profile (UTF-16 with BOM, tab separated, ``1234.56`` amounts, ``2026011`` periods) get generated
files with planted bad lines: wrong column count, NUL bytes, bad quoting, binary junk, undecodable bytes,
bad numbers, unknown cost centres, accounts that do not fit the pattern, periods that are not months,
impossible dates; and .xlsx files through a profile with an understated ``<dimension>``, DOCTYPE and
entities, or not a zip at all. Each file is either accepted with an equal reconciliation or refused with
a Danish message naming *every* bad line by its line in the file as a user counts it (the first line is
1, title lines count), and the table row counts unchanged. Nothing else may happen: an exception here
would be a 500 in the view.
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from budget.importer import ImportFileError
from budget.models import ImportProfile
from budget.services import import_actuals
from tests.budget.test_fuzz_import import _counts, fuzz_settings

SAP = "KMD Opus (SAP) posteringsudtræk"
PRISME = "Prisme posteringsudtræk"
SAP_HEADER = ["Omkostningssted", "PSP-element", "Artskonto", "Periode", "Bogf.dato", "Beløb", "Tekst"]
PRISME_HEADER = ["Ansvarssted", "Konto", "Regnskabsperiode", "Dato", "Beløb", "Posteringstekst"]
CCS = ["52000", "52010", "52020"]
ARTS = ["11", "12", "22", "47", "48", "71"]
BAD_KINDS = [
    "columns",
    "nul",
    "quote",
    "junk",
    "bytes",
    "amount",
    "cost_centre",
    "account",
    "period",
    "date",
    "big",
]
DANISH = re.compile(r"[a-zæøå]", re.I)

good_row = st.tuples(
    st.sampled_from(CCS),
    st.sampled_from(ARTS),
    st.integers(1, 12),
    st.integers(1, 28),
    st.decimals(min_value=Decimal("-999999.99"), max_value=Decimal("999999.99"), places=2, allow_nan=False),
    st.text(alphabet="abcæøåÆØÅ -.,/", max_size=20),
)
row = st.one_of(good_row.map(lambda r: ("good", r)), st.tuples(st.sampled_from(BAD_KINDS), good_row))


def _sap_amount(amount: Decimal) -> str:
    text = f"{abs(amount):,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return text + ("-" if amount < 0 else "")


def _check(data: bytes, name: str, profile: ImportProfile, bad_lines: set[int], good: int) -> None:
    with transaction.atomic():
        before = _counts()
        try:
            outcome = import_actuals(
                stream=io.BytesIO(data), file_name=name, user=None, mode="dry-run", profile=profile
            )
        except ImportFileError as exc:
            # Every generated file has its header: refusing it whole would name none of its bad lines.
            pytest.fail(f"the whole file was refused ({exc}); bad lines {sorted(bad_lines)} not named")
        assert _counts() == before
        stage, rec = outcome.stage, outcome.reconciliation
        if stage.ok:
            assert not bad_lines, (bad_lines, "accepted")
            assert rec is not None and rec.ok
            totals = rec.totals()
            assert totals["file_rows"] == totals["staged_rows"] == totals["write_rows"] == good
            assert totals["file_amount"] == totals["staged_amount"] == totals["write_amount"]
        else:
            named = {e.row for e in stage.errors}
            assert named == bad_lines or (not bad_lines and good == 0), (sorted(named), sorted(bad_lines))
            assert all(e.reasons and all(DANISH.search(r) for r in e.reasons) for e in stage.errors)
            assert rec is not None and not rec.ok and rec.refused  # a refused file never "reconciles"
            assert rec.totals()["write_rows"] == 0
        transaction.set_rollback(True)


def _sap_file(rows) -> tuple[bytes, set[int], int]:
    lines: list[bytes] = [
        "KMD Opus - Posteringsudtræk, finansposteringer".encode("cp1252"),
        b"Udtrukket 01.12.2026",
        b"",
        ";".join(SAP_HEADER).encode("cp1252"),
    ]
    bad: set[int] = set()
    good = 0
    for kind, (cc, art, month, day, amount, text) in rows:
        text = text.replace(";", " ")
        cells = [
            cc,
            "",
            f"538500 1 {art}",
            f"{month:03d}.2026",
            f"{day:02d}.{month:02d}.2026",
            _sap_amount(amount),
            text,
        ]
        number = len(lines) + 1
        if kind == "good":
            good += 1
        elif kind == "columns":
            cells = cells[:5]
        elif kind == "nul":
            cells[6] = "a\x00b"
        elif kind == "quote":
            cells[6] = '"abc"def'
        elif kind == "junk":
            lines.append(";".join(cells[:6]).encode("cp1252") + b";\x01\x02\x03\x04")
            bad.add(number)
            continue
        elif kind == "bytes":  # 0x81 is not a Windows-1252 character
            lines.append(";".join(cells[:6]).encode("cp1252") + b";ab\x81cd")
            bad.add(number)
            continue
        elif kind == "amount":
            cells[5] = "12,34,5"
        elif kind == "cost_centre":
            cells[0] = "99999"
        elif kind == "account":
            cells[2] = "5.38.50/1.10"
        elif kind == "period":
            cells[3] = "013.2026"
        elif kind == "date":
            cells[4] = "31.02.2026"
        elif kind == "big":
            cells[5] = "9.999.999.999.999,00"
        if kind != "good":
            bad.add(number)
        lines.append(";".join(cells).encode("cp1252"))
    return b"\r\n".join(lines) + b"\r\n", bad, good


@pytest.mark.django_db
@fuzz_settings(250)
@given(rows=st.lists(row, min_size=0, max_size=10))
def test_fuzz_sap_profile(org, rows):
    data, bad, good = _sap_file(rows)
    _check(data, "sap.csv", ImportProfile.objects.get(name=SAP), bad, good)


def _prisme_file(rows) -> tuple[bytes, set[int], int]:
    lines: list[str] = ["\t".join(PRISME_HEADER)]
    bad: set[int] = set()
    good = 0
    for kind, (cc, art, month, day, amount, text) in rows:
        text = text.replace("\t", " ")
        cells = [cc, f"5.38.50.001.1.{art}", f"2026{month:03d}", f"{day:02d}-{month:02d}-2026", f"{amount:.2f}", text]
        number = len(lines) + 1
        if kind == "good":
            good += 1
        elif kind in ("columns", "junk", "bytes", "nul"):  # NUL is every other byte of UTF-16: wrong width
            cells = cells[:4]
        elif kind == "quote":
            cells[5] = '"abc"def'
        elif kind == "amount":
            cells[4] = "12,34,5"
        elif kind == "cost_centre":
            cells[0] = "99999"
        elif kind == "account":
            cells[1] = "538500 1 11"
        elif kind == "period":
            cells[2] = "2026000"
        elif kind == "date":
            cells[3] = "31-02-2026"
        elif kind == "big":
            cells[4] = "9999999999999.00"
        if kind != "good":
            bad.add(number)
        lines.append("\t".join(cells))
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-16-le"), bad, good


@pytest.mark.django_db
@fuzz_settings(120)
@given(rows=st.lists(row, min_size=0, max_size=10))
def test_fuzz_prisme_profile(org, rows):
    data, bad, good = _prisme_file(rows)
    _check(data, "prisme.txt", ImportProfile.objects.get(name=PRISME), bad, good)


def _sap_xlsx(rows, *, dimension: str | None = None, doctype: bool = False) -> tuple[bytes, set[int], int]:
    wb = Workbook()
    ws = wb.active
    ws.append(["KMD Opus - Posteringsudtræk"])
    ws.append(["Udtrukket 01.12.2026"])
    ws.append([])
    ws.append(SAP_HEADER)
    bad: set[int] = set()
    good = 0
    for kind, (cc, art, month, day, amount, text) in rows:
        number = ws.max_row + 1
        cells: list = [int(cc), None, f"538500 1 {art}", f"{month:03d}.2026", f"{day:02d}.{month:02d}.2026"]
        cells += [_sap_amount(amount), text or None]
        if kind == "good":
            good += 1
        elif kind in ("columns", "junk", "bytes"):
            cells.append("stray value")
        elif kind in ("nul", "quote", "amount"):
            cells[5] = "12,34,5"
        elif kind == "cost_centre":
            cells[0] = 99999
        elif kind == "account":
            cells[2] = "5.38.50/1.10"
        elif kind == "period":
            cells[3] = "000.2026"
        elif kind == "date":
            cells[4] = "31.02.2026"
        elif kind == "big":
            cells[5] = 10**13
        if kind != "good":
            bad.add(number)
        ws.append(cells)
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    if dimension is not None or doctype:
        src = zipfile.ZipFile(io.BytesIO(data))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            for info in src.infolist():
                part = src.read(info.filename)
                if info.filename.endswith("sheet1.xml"):
                    if dimension is not None:
                        part = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{dimension}"'.encode(), part)
                    if doctype:
                        part = re.sub(rb"^<\?xml[^>]*\?>", b"", part)
                        part = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>' + part
                z.writestr(info.filename, part)
        data = out.getvalue()
    return data, bad, good


@pytest.mark.django_db
@fuzz_settings(100)
@given(rows=st.lists(row, min_size=0, max_size=10), understate=st.booleans())
def test_fuzz_sap_profile_xlsx(org, rows, understate):
    """An understated ``<dimension>`` (A1:C2) must not hide rows: every row is read and reconciled."""
    data, bad, good = _sap_xlsx(rows, dimension="A1:C2" if understate else None)
    _check(data, "sap.xlsx", ImportProfile.objects.get(name=SAP), bad, good)


@pytest.mark.django_db
@fuzz_settings(50)
@given(
    junk=st.one_of(
        st.binary(min_size=1, max_size=400),
        st.binary(min_size=1, max_size=200).map(lambda b: b"PK\x03\x04" + b),  # looks like a zip, is not
    ),
    name=st.sampled_from(["x.csv", "x.xlsx", "x.txt"]),
    profile=st.sampled_from([SAP, PRISME]),
)
def test_fuzz_profile_binary_junk(org, junk, name, profile):
    with transaction.atomic():
        before = _counts()
        try:
            outcome = import_actuals(
                stream=io.BytesIO(junk),
                file_name=name,
                user=None,
                mode="dry-run",
                profile=ImportProfile.objects.get(name=profile),
            )
            assert not outcome.stage.ok or outcome.reconciliation.ok
        except ImportFileError as exc:
            assert DANISH.search(str(exc))
        assert _counts() == before
        transaction.set_rollback(True)


def test_profile_xlsx_with_doctype_is_refused_in_danish(org):
    data, _, _ = _sap_xlsx([("good", ("52000", "11", 11, 3, Decimal("1.00"), "x"))], doctype=True)
    before = _counts()
    with pytest.raises(ImportFileError, match="DOCTYPE"):
        import_actuals(
            stream=io.BytesIO(data),
            file_name="x.xlsx",
            user=None,
            mode="apply",
            profile=ImportProfile.objects.get(name=SAP),
        )
    assert _counts() == before


@pytest.mark.parametrize("seed", range(4))
def test_fuzzed_profile_files_through_the_view_never_500(org, client_for, seed):
    rng = random.Random(seed)
    rows = [(rng.choice(["good", *BAD_KINDS]), ("52000", "11", 11, 3, Decimal("12.50"), "x")) for _ in range(8)]
    client = client_for(org.administrator)
    sap = ImportProfile.objects.get(name=SAP)
    for data, bad, _, name in (
        (*_sap_file(rows), "f.csv"),
        (*_sap_xlsx(rows, dimension="A1:B2"), "f.xlsx"),
    ):
        before = _counts()
        response = client.post(
            reverse("budget:actuals_import"), {"file": SimpleUploadedFile(name, data), "profile": sap.pk}
        )
        assert response.status_code in (200, 400)
        html = response.content.decode()
        for line in bad:
            assert f'data-row="{line}"' in html, (name, line)
        if bad:
            assert response.status_code == 400 and "Intet er indlæst" in html and "Afvist: intet skrevet" in html
            assert _counts() == before
    for junk, name in ((bytes(rng.randrange(256) for _ in range(300)), "f.xlsx"), (b"PK\x03\x04junk", "g.xlsx")):
        response = client.post(
            reverse("budget:actuals_import"), {"file": SimpleUploadedFile(name, junk), "profile": sap.pk}
        )
        assert response.status_code == 400 and "Filen er afvist" in response.content.decode()
