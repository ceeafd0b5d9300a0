"""Import profiles: how one finance system's export is laid out, turned into the importer's raw columns.

A profile (``budget.models.ImportProfile``) names the file's columns (by their
header text) and the formats: title lines, separator, encoding, number format
(Danish ``1.234,56``, SAP's trailing minus ``1.234,56-``, or ``1,234.56``),
period format (``011.2026``, ``2026011``, ``11.2026``, ``2026-11``) or a posting
date (``15.11.2026``), an account-string pattern, and the sign convention.

``RowMapper`` turns each file row into the importer's raw text columns
(canonical formats the SQL checks read), or a list of Danish reasons why it
cannot. Account patterns are templates: ``F`` function digit (5 digits →
``5.38.50``), ``G`` gruppering digit, ``D`` dranst, ``A`` art digit (``111`` →
``1.11``), ``?`` any one character, anything else literally; e.g.
``FFFFF? D AA`` reads ``538500 1 11`` and ``F.FF.FF.GGG.D.AA`` reads
``5.38.50.001.1.11``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from botilbud.lib import tabular

PERIOD_FORMATS = {
    "auto": "Genkend selv",
    "PPP.YYYY": "011.2026 (periode.år)",
    "YYYYPPP": "2026011 (år og periode)",
    "MM.YYYY": "11.2026",
    "YYYY-MM": "2026-11",
}
DATE_FORMATS = {
    "auto": "Genkend selv",
    "DD.MM.YYYY": "15.11.2026",
    "DD-MM-YYYY": "15-11-2026",
    "YYYY-MM-DD": "2026-11-15",
}
NUMBER_FORMATS = {
    "da": "Dansk: 1.234,56 (også SAP's 1.234,56-)",
    "en": "Engelsk: 1,234.56 (også 1234.56-)",
}

_PERIOD_RES = {
    "PPP.YYYY": re.compile(r"^(?P<p>[0-9]{3})\.(?P<y>[0-9]{4})$"),
    "YYYYPPP": re.compile(r"^(?P<y>[0-9]{4})(?P<p>[0-9]{3})$"),
    "MM.YYYY": re.compile(r"^(?P<p>[0-9]{1,2})[./-](?P<y>[0-9]{4})$"),
    "YYYY-MM": re.compile(r"^(?P<y>[0-9]{4})[-/.](?P<p>[0-9]{1,2})$"),
}
_DATE_RES = {
    "DD.MM.YYYY": re.compile(r"^(?P<d>[0-9]{1,2})\.(?P<m>[0-9]{1,2})\.(?P<y>[0-9]{4})$"),
    "DD-MM-YYYY": re.compile(r"^(?P<d>[0-9]{1,2})-(?P<m>[0-9]{1,2})-(?P<y>[0-9]{4})$"),
    "YYYY-MM-DD": re.compile(r"^(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})(?:[ T].*)?$"),
}
_DA_AMOUNT = re.compile(r"^([0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)(?:,([0-9]+))?$")
_EN_AMOUNT = re.compile(r"^([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]+))?$")
MAX_AMOUNT = Decimal(10) ** 12


def parse_amount(value: Any, number_format: str = "da") -> Decimal | None:
    """A cell's amount, or None. Accepts a leading or trailing minus (SAP: ``1.234,56-``), ``−``, ``kr.``."""
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if not isinstance(value, str):
        return None
    text = value.strip().replace("\u2212", "-").replace("\u00a0", "").replace(" ", "")
    if text.endswith("kr."):
        text = text[:-3]
    elif text.endswith("kr"):
        text = text[:-2]
    negative = False
    if text[:1] in "+-" and text:
        negative, text = text[0] == "-", text[1:]
    elif text.endswith("-"):
        negative, text = True, text[:-1]
    match = (_EN_AMOUNT if number_format == "en" else _DA_AMOUNT).match(text)
    if not match:
        return None
    whole = match.group(1).replace("," if number_format == "en" else ".", "")
    try:
        amount = Decimal(f"{whole}.{match.group(2) or '0'}")
    except InvalidOperation:  # pragma: no cover - the pattern guards it
        return None
    return -amount if negative else amount


def parse_period(value: Any, fmt: str = "auto") -> dt.date | None:
    """The month of a period cell (first day), or None. SAP's special periods 13–16 are not months."""
    if isinstance(value, dt.datetime):
        return value.date().replace(day=1)
    if isinstance(value, dt.date):
        return value.replace(day=1)
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = str(int(value))
    text = tabular.cell_text(value).strip()
    patterns = _PERIOD_RES.values() if fmt == "auto" else [_PERIOD_RES[fmt]]
    for pattern in patterns:
        match = pattern.match(text)
        if match:
            year, period = int(match.group("y")), int(match.group("p"))
            if 1 <= period <= 12 and 2000 <= year <= 2100:
                return dt.date(year, period, 1)
            return None
    return None


def parse_date(value: Any, fmt: str = "auto") -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = tabular.cell_text(value).strip()
    patterns = _DATE_RES.values() if fmt == "auto" else [_DATE_RES[fmt]]
    for pattern in patterns:
        match = pattern.match(text)
        if match:
            try:
                day = dt.date(int(match.group("y")), int(match.group("m")), int(match.group("d")))
            except ValueError:
                return None
            return day if 2000 <= day.year <= 2100 else None
    return None


@dataclass(frozen=True)
class AccountPattern:
    template: str
    regex: re.Pattern[str]

    @classmethod
    def compile(cls, template: str) -> AccountPattern:
        """A letter may appear in several runs (``F.FF.FF``): its digits are joined in order."""
        parts: list[str] = []
        seen = {"F": 0, "G": 0, "D": 0, "A": 0}
        for run in re.finditer(r"F+|G+|D+|A+|\?+|[^FGDA?]+", template):
            token = run.group(0)
            kind = token[0]
            if kind in seen:
                seen[kind] += 1
                parts.append(f"(?P<{kind}{seen[kind]}>[0-9]{{{len(token)}}})")
            elif kind == "?":
                parts.append(f".{{{len(token)}}}")
            else:
                parts.append(r"\s+" if token.isspace() else re.escape(token))
        if not seen["F"] or not seen["A"]:
            raise ValueError("Mønsteret skal have både funktion (F) og art (A).")
        if seen["D"] > 1:
            raise ValueError("Dranst (D) er ét ciffer.")
        return cls(template, re.compile("^" + "".join(parts) + "$"))

    def refusal(self, text: str) -> str:
        return f"Kontoen »{text}« passer ikke til mønsteret »{self.template}«"

    def split(self, text: str) -> tuple[str, str, str] | None:
        """(function incl. gruppering, dranst, art) or None."""
        match = self.regex.match(text.strip())
        if not match:
            return None
        found: dict[str, str] = {"F": "", "G": "", "D": "", "A": ""}
        for name, value in match.groupdict().items():
            found[name[0]] += value or ""
        f = found["F"]
        if len(f) < 5:
            return None
        function = f"{f[0]}.{f[1:3]}.{f[3:5]}"
        if found["G"]:
            function += "." + found["G"]
        art = found["A"]
        art = art[0] + ("." + art[1:] if len(art) > 1 else "")
        return function, found["D"], art


# The app's own layout (the shipped profile with ``own_layout``): its columns are recognised by their
# header text (Danish or English, any order) instead of being named in the profile.
OWN_LAYOUT_HEADERS: dict[str, set[str]] = {
    "col_cost_centre": {
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
    "col_function": {"funktion", "kl-funktion", "kl funktion", "function"},
    "col_art": {"art", "artskonto", "art kode", "artskode"},
    "col_dranst": {"dranst", "dr", "dranst kode", "dranstkode"},
    "col_account": {"konto", "kontonummer", "kontonr", "kontostreng", "account"},
    "col_posting_date": {"bogføringsdato", "bogf.dato", "bogf. dato", "dato", "posteringsdato", "bilagsdato", "date"},
    "col_period": {"måned", "periode", "regnskabsmåned", "month", "maaned"},
    "col_amount": {"beløb", "beløb (kr.)", "beløb kr.", "belob", "amount", "beløb i kr."},
    "col_text": {"tekst", "posteringstekst", "bilagstekst", "beskrivelse", "text"},
}


def _norm_header(value: Any) -> str:
    return re.sub(r"\s+", " ", tabular.cell_text(value).strip().lower().lstrip("\ufeff"))


def own_layout_index(header: list[Any]) -> dict[str, int]:
    """The own layout's columns in ``header`` (first match of each); ValueError (Danish) if one is missing.
    Function + art win over an account-string column when a file has both."""
    index: dict[str, int] = {}
    for pos, cell in enumerate(header):
        key = _norm_header(cell)
        field_name = next((f for f, aliases in OWN_LAYOUT_HEADERS.items() if key in aliases), None)
        if field_name is not None and field_name not in index:
            index[field_name] = pos
    missing = []
    if "col_cost_centre" not in index:
        missing.append("omkostningssted")
    if "col_amount" not in index:
        missing.append("beløb")
    has_split = "col_function" in index and "col_art" in index
    if "col_account" not in index and not has_split:
        missing.append("konto (funktion og art)")
    if missing:
        found = ", ".join(tabular.cell_text(c) for c in header if c not in (None, "")) or "ingen"
        raise ValueError(
            "Filens overskrift skal have kolonnerne omkostningssted, konto (eller funktion og art), dato eller "
            f"måned og beløb. Der mangler: {', '.join(missing)}. Fundet: {found}."
        )
    if has_split:
        index.pop("col_account", None)
    else:
        index.pop("col_function", None)
        index.pop("col_art", None)
    return index


class KlAccount:
    """The own layout's account string: function and art as ``5.38.50/1.10``, ``5.38.50.1.10`` or
    ``5.38.50 1.10`` (the first three parts are the function, the rest the art)."""

    template = "5.38.50/1.10"
    _shape = re.compile(r"^[0-9]+(\.[0-9]+){3,}$")

    def split(self, text: str) -> tuple[str, str, str] | None:
        acc = re.sub(r"[ /-]+", ".", text.strip())
        if not self._shape.match(acc):
            return None
        parts = acc.split(".")
        return ".".join(parts[:3]), "", ".".join(parts[3:])

    def refusal(self, text: str) -> str:
        return f"Kontoen »{text}« kan ikke læses (brug fx 5.38.50/1.10)"


def read_when(
    profile: Any, date_raw: Any, period_raw: Any, *, has_date: bool, has_period: bool
) -> tuple[dt.date | None, dt.date | None, str | None, str | None]:
    """(month, posting date, date reason, period reason) of a row's period and posting-date cells.
    The month is the period's, else the posting date's. In the own layout an empty period takes the
    posting date's month, a period cell may also be a date, and a posting date outside the period is refused."""
    day = date_reason = period_reason = None
    if has_date and date_raw not in (None, ""):
        day = parse_date(date_raw, profile.date_format)
        if day is None:
            date_reason = f"Datoen »{tabular.cell_text(date_raw)}« kan ikke læses ({date_hint(profile.date_format)})"
    month = None
    own = bool(getattr(profile, "own_layout", False))
    if has_period:
        if own and not tabular.cell_text(period_raw).strip():
            month = day.replace(day=1) if day else None
        else:
            month = parse_period(period_raw, profile.period_format)
            if month is None and own:
                as_date = parse_date(period_raw, "YYYY-MM-DD")
                month = as_date.replace(day=1) if as_date else None
            if month is None:
                period_reason = (
                    f"Perioden »{tabular.cell_text(period_raw)}« er ikke en måned "
                    f"({period_hint(profile.period_format)})"
                )
            elif own and day is not None and (day.year, day.month) != (month.year, month.month):
                period_reason = f"Datoen {day:%d-%m-%Y} ligger ikke i måneden {month:%Y-%m}"
    elif day is not None:
        month = day.replace(day=1)
    return month, day, date_reason, period_reason


def date_hint(fmt: str) -> str:
    return "brug fx 15-11-2026, 15.11.2026 eller 2026-11-15" if fmt == "auto" else DATE_FORMATS.get(fmt, fmt)


def period_hint(fmt: str) -> str:
    return "brug fx 2026-11, 11-2026 eller 011.2026" if fmt == "auto" else PERIOD_FORMATS.get(fmt, fmt)


def _danish_amount(amount: Decimal) -> str:
    return format(amount, "f").replace(".", ",")


# The importer's raw columns a profile fills.
RAW_TARGETS = [
    "cost_centre",
    "function_code",
    "dranst",
    "art_code",
    "account_text",
    "posting_date",
    "month",
    "amount",
    "text",
]


def column_index(profile: Any, header: list[Any]) -> dict[str, int]:
    """The file's column of each of ``profile.column_fields()`` that the profile names (matched by header
    text, case-insensitive); ``ValueError`` (Danish) naming every named column the header lacks. Shared by
    the actuals' and the sickness absence's profiles."""
    names = [tabular.cell_text(h).strip().lower() for h in header]
    index: dict[str, int] = {}
    missing: list[str] = []
    for field_name, label in profile.column_fields():
        wanted = (getattr(profile, field_name) or "").strip().lower()
        if not wanted:
            continue
        if wanted not in names:
            missing.append(f"{label} »{getattr(profile, field_name)}«")
        else:
            index[field_name] = names.index(wanted)
    if missing:
        found = ", ".join(tabular.cell_text(h) for h in header if h not in (None, "")) or "ingen"
        raise ValueError(
            f"Filen passer ikke til profilen »{profile.name}«: kolonnen {', '.join(missing)} findes ikke. "
            f"Fundet: {found}."
        )
    return index


class RowMapper:
    """Maps a file's rows to raw columns through a profile. Build it from the file's header."""

    def __init__(self, profile: Any, header: list[Any]) -> None:  # profile: ImportProfile
        self.profile = profile
        self.pattern: AccountPattern | KlAccount | None = None
        if getattr(profile, "own_layout", False):
            self.index = own_layout_index(header)
            self.pattern = KlAccount() if "col_account" in self.index else None
            self.flip = profile.sign == "flip"
            return
        self.index = column_index(profile, header)
        self.pattern = AccountPattern.compile(profile.account_pattern) if profile.account_pattern else None
        self.flip = profile.sign == "flip"

    def cell(self, cells: list[Any], name: str) -> Any:
        i = self.index.get(name)
        return cells[i] if i is not None and i < len(cells) else None

    def map(self, cells: list[Any]) -> tuple[list[str | None], list[str]]:
        """(raw values in ``RAW_TARGETS`` order, reasons). Reasons non-empty = the row is bad."""
        p = self.profile
        reasons: list[str] = []
        cc_value = self.cell(cells, "col_cost_centre")
        if isinstance(cc_value, Decimal) and cc_value == cc_value.to_integral_value():
            cc_value = str(int(cc_value))
        cc = tabular.cell_text(cc_value).strip()
        function = tabular.cell_text(self.cell(cells, "col_function")).strip()
        dranst = tabular.cell_text(self.cell(cells, "col_dranst")).strip()
        if isinstance(self.cell(cells, "col_dranst"), Decimal):
            dranst = str(int(self.cell(cells, "col_dranst")))
        art = tabular.cell_text(self.cell(cells, "col_art")).strip()
        account_text = None
        if self.pattern is not None:
            account_text = tabular.cell_text(self.cell(cells, "col_account")).strip()
            parts = self.pattern.split(account_text)
            if parts is None:
                reasons.append(self.pattern.refusal(account_text))
            else:
                function, d, art = parts
                dranst = dranst or d
        else:
            account_text = ".".join(x for x in (function, dranst, art) if x)
        month, posting, date_reason, period_reason = read_when(
            p,
            self.cell(cells, "col_posting_date"),
            self.cell(cells, "col_period"),
            has_date="col_posting_date" in self.index,
            has_period="col_period" in self.index,
        )
        reasons += [r for r in (date_reason, period_reason) if r]
        if month is None and posting is None and not reasons:
            reasons.append("Periode eller dato mangler")
        raw_amount = self.cell(cells, "col_amount")
        amount = parse_amount(raw_amount, p.number_format)
        if amount is None:
            reasons.append(
                "Beløb mangler"
                if raw_amount in (None, "") or not tabular.cell_text(raw_amount).strip()
                else f"Beløbet »{tabular.cell_text(raw_amount)}« er ikke et gyldigt tal ({NUMBER_FORMATS[p.number_format]})"
            )
        elif abs(amount) >= MAX_AMOUNT:
            reasons.append(f"Beløbet »{tabular.cell_text(raw_amount)}« er for stort")
            amount = None
        if amount is not None and self.flip:
            amount = -amount
        text = tabular.cell_text(self.cell(cells, "col_text")).strip()
        values = [
            cc,
            function or None,
            dranst or None,
            art or None,
            (account_text or "")[:80] or None,
            f"{posting:%d-%m-%Y}" if posting else None,
            f"{month:%Y-%m}" if month else None,
            _danish_amount(amount) if amount is not None else None,
            text[:200],
        ]
        return values, reasons


# Ready profiles (migration 0008 and the reference loader create them; the consultant can copy and edit).
BUILTIN_PROFILES: list[dict[str, Any]] = [
    {
        "name": "Botilbud standard",
        "description": "Appens eget format: kolonnerne genkendes på deres navne i vilkårlig rækkefølge "
        "(Omkostningssted; Funktion og Art eller Konto; Dranst; Bogføringsdato og/eller Måned; Beløb; Tekst). "
        "Eksempel: demo/forbrug_eksempel.xlsx.",
        "own_layout": True,
        "col_cost_centre": "Omkostningssted",
        "col_function": "Funktion",
        "col_art": "Art",
        "col_posting_date": "Bogføringsdato",
        "col_amount": "Beløb",
        "col_text": "Tekst",
    },
    {
        "name": "KMD Opus (SAP) posteringsudtræk",
        "description": "SAP-udtræk: titellinjer, semikolon, Windows-1252, kontostreng »538500 1 11«, periode "
        "»011.2026«, beløb med efterstillet minus »1.234,56-«. Eksempel: demo/forbrug_sap_opus.csv.",
        "title_lines": 3,
        "separator": ";",
        "encoding": "cp1252",
        "col_cost_centre": "Omkostningssted",
        "col_account": "Artskonto",
        "account_pattern": "FFFFF? D AA",
        "col_period": "Periode",
        "period_format": "PPP.YYYY",
        "col_posting_date": "Bogf.dato",
        "date_format": "DD.MM.YYYY",
        "col_amount": "Beløb",
        "col_text": "Tekst",
    },
    {
        "name": "Prisme posteringsudtræk",
        "description": "Fujitsu Prisme-udtræk: tabulatorsepareret UTF-16, kontostreng »5.38.50.001.1.11«, "
        "bogføringsdato »15-11-2026«, periode »2026011«, beløb »1234.56« med punktum. Eksempel: "
        "demo/forbrug_prisme.txt.",
        "separator": "\t",
        "encoding": "utf-16",
        "col_cost_centre": "Ansvarssted",
        "col_account": "Konto",
        "account_pattern": "F.FF.FF.GGG.D.AA",
        "col_period": "Regnskabsperiode",
        "period_format": "YYYYPPP",
        "col_posting_date": "Dato",
        "date_format": "DD-MM-YYYY",
        "col_amount": "Beløb",
        "number_format": "en",
        "col_text": "Posteringstekst",
    },
]


OWN_LAYOUT = "Botilbud standard"
