"""Money: always Decimal, rounded half-up to øre, formatted the Danish way."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ORE = Decimal("0.01")
ZERO = Decimal("0.00")


def to_money(value: Decimal | int | str) -> Decimal:
    """Round to øre (half up, as in the municipal accounts)."""
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    return value.quantize(ORE, rounding=ROUND_HALF_UP)


def parse_danish_decimal(text: str) -> Decimal:
    """Parse a number written the Danish way: ``1.234.567,89``, ``-12,5``, ``1234``.

    Raises ``ValueError`` with a Danish message on anything else.
    """
    raw = (text or "").strip().replace("\u00a0", "").replace(" ", "")
    if raw.endswith("kr."):
        raw = raw[:-3]
    elif raw.endswith("kr"):
        raw = raw[:-2]
    if not raw:
        raise ValueError("Tallet mangler.")
    sign = ""
    if raw[0] in "+-−":
        sign = "-" if raw[0] in "-−" else ""
        raw = raw[1:]
    if "," in raw:
        whole, _, frac = raw.rpartition(",")
    else:
        whole, frac = raw, ""
    groups = whole.split(".")
    if len(groups) > 1 and (not groups[0] or len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:])):
        raise ValueError(f"»{text}« er ikke et gyldigt tal (brug fx 1.234,56).")
    digits = "".join(groups)
    if not (digits.isascii() and digits.isdigit()) or (frac and not (frac.isascii() and frac.isdigit())):
        raise ValueError(f"»{text}« er ikke et gyldigt tal (brug fx 1.234,56).")
    try:
        return Decimal(f"{sign}{digits}.{frac or '0'}")
    except InvalidOperation as exc:  # pragma: no cover - guarded above
        raise ValueError(f"»{text}« er ikke et gyldigt tal.") from exc


def format_number(value: Decimal | int | None, decimals: int = 2) -> str:
    """``1234567.891`` → ``1.234.567,89`` (Danish separators, minus sign kept)."""
    if value is None:
        return ""
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    quant = Decimal(1).scaleb(-decimals) if decimals else Decimal(1)
    value = value.quantize(quant, rounding=ROUND_HALF_UP)
    negative = value < 0
    text = f"{abs(value):,.{decimals}f}"  # 1,234,567.89
    text = text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")
    return f"-{text}" if negative and value != 0 else text


def format_kr(value: Decimal | int | None, decimals: int = 2) -> str:
    """``1234567.89`` → ``1.234.567,89 kr.``"""
    if value is None:
        return ""
    return f"{format_number(value, decimals)} kr."


def percent(part: Decimal | int, whole: Decimal | int, decimals: int = 1) -> Decimal | None:
    """``part`` in percent of ``|whole|``, rounded half up; None when ``whole`` is 0."""
    if not whole:
        return None
    quant = Decimal(1).scaleb(-decimals) if decimals else Decimal(1)
    return (Decimal(part) * 100 / abs(Decimal(whole))).quantize(quant, rounding=ROUND_HALF_UP)
