"""The contract every onboarding import kind fulfils, and shared parsing helpers.

A kind is a plain object with:

- ``kind``, ``title``, ``intro``, ``columns`` (``reader.Column``), ``sample``
  (the file under ``demo/onboarding/``);
- ``may_import(user)``: who may use it (the administrator; the consultant for
  budgets, on the homes they serve);
- ``validate(rows, user)`` → (staged rows as ``(line, data)``, ``RowError`` list):
  every bad line named with all its reasons;
- ``plan(staged, user)`` → ``Target`` list: per target table what the rows will
  create, update or leave unchanged (computed for the preview, and again under
  the lock when confirming: the two must agree);
- ``write(staged, user)`` → {target key: rows written}.

``services`` runs them; the views never talk to a kind's tables directly.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from botilbud.lib.money import parse_danish_decimal, to_money
from botilbud.models import User
from onboarding.reader import Column, SourceRow

MAX_AMOUNT = Decimal(10) ** 12  # NUMERIC(14,2)


@dataclass
class RowError:
    line: int
    reasons: list[str]


@dataclass
class Target:
    key: str
    label: str
    create: int = 0
    update: int = 0
    unchanged: int = 0
    amount: Decimal | None = None  # Σ amount going in (budget, placements)
    written: int | None = None
    written_amount: Decimal | None = None

    @property
    def to_write(self) -> int:
        return self.create + self.update

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for k in ("amount", "written_amount"):
            data[k] = None if data[k] is None else str(data[k])
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Target:
        data = dict(data)
        for k in ("amount", "written_amount"):
            data[k] = None if data.get(k) is None else Decimal(data[k])
        return cls(**data)


@dataclass
class Staged:
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    in_file: int = 0
    amount: Decimal | None = None


class ImportKindSpec(Protocol):
    kind: str
    title: str
    intro: str
    columns: list[Column]
    sample: str
    amount_key: str | None

    def may_import(self, user: User) -> bool: ...

    def validate(self, rows: Iterable[SourceRow], user: User) -> Staged: ...

    def plan(self, staged: list[dict[str, Any]], user: User) -> list[Target]: ...

    def write(self, staged: list[dict[str, Any]], user: User) -> dict[str, tuple[int, Decimal | None]]: ...


class DataChanged(Exception):
    """The database changed between the preview and the confirmation."""


# --- parsing helpers (Danish messages; each returns (value, error)) ------------------------------


def split_list(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[,;|\n]", text or "") if p.strip()]


def parse_int(text: str, label: str, *, minimum: int = 0, maximum: int = 1_000_000) -> tuple[int | None, str | None]:
    raw = (text or "").strip().replace(".", "")
    if not raw:
        return None, f"{label} mangler"
    if not (raw.isascii() and raw.isdigit()):
        return None, f"{label} »{text}« er ikke et helt tal"
    value = int(raw)
    if not minimum <= value <= maximum:
        return None, f"{label} »{text}« skal ligge mellem {minimum} og {maximum}"
    return value, None


def parse_amount(text: str, label: str) -> tuple[Decimal | None, str | None]:
    if not (text or "").strip():
        return None, f"{label} mangler"
    raw = text.strip()
    if raw.endswith("-") and not raw.startswith("-"):  # SAP's trailing minus
        raw = "-" + raw[:-1]
    try:
        value = to_money(parse_danish_decimal(raw))
    except (ValueError, ArithmeticError):
        return None, f"{label} »{text}« er ikke et gyldigt beløb (brug fx 1.234,56)"
    if abs(value) >= MAX_AMOUNT:
        return None, f"{label} »{text}« er for stort"
    return value, None


def parse_percent(text: str, label: str) -> tuple[Decimal | None, str | None]:
    raw = (text or "").strip().rstrip("%").strip()
    try:
        value = parse_danish_decimal(raw)
    except (ValueError, ArithmeticError):
        return None, f"{label} »{text}« er ikke en gyldig procent (brug fx 95 eller 92,5)"
    if not Decimal("0") < value <= Decimal("100"):
        return None, f"{label} »{text}« skal være over 0 og højst 100 %"
    return value.quantize(Decimal("0.01")), None


_DATE_FORMATS = ("%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d")


def parse_date(text: str, label: str, *, required: bool = True) -> tuple[dt.date | None, str | None]:
    raw = (text or "").strip()
    if not raw:
        return None, (f"{label} mangler" if required else None)
    raw = raw.split(" ")[0]
    for fmt in _DATE_FORMATS:
        try:
            day = dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
        if not 2000 <= day.year <= 2100:
            return None, f"{label} »{text}« skal ligge mellem år 2000 og 2100"
        return day, None
    return None, f"{label} »{text}« er ikke en gyldig dato (brug dd-mm-åååå)"


def choice(text: str, label: str, options: dict[str, str], shown: Iterable[str] = ()) -> tuple[str | None, str | None]:
    """Match ``text`` case-insensitively against ``options`` (spelling → value);
    the refusal suggests ``shown`` (the spellings the sample files use)."""
    key = re.sub(r"\s+", " ", (text or "").strip().lower())
    if not key:
        return None, f"{label} mangler"
    if key in options:
        return options[key], None
    hint = ", ".join(shown) or ", ".join(sorted(options)[:8])
    return None, f"{label} »{text}« kendes ikke (brug {hint})"


def too_long(text: str, label: str, max_length: int) -> str | None:
    return f"{label} er længere end {max_length} tegn" if len(text) > max_length else None


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]
