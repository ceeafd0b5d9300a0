"""Template filters for Danish numbers, money and months (builtins: no {% load %})."""

from __future__ import annotations

import datetime as dt
import html
import json
from decimal import Decimal
from typing import Any

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from botilbud.lib.dates import MONTH_ABBR, MONTH_NAMES
from botilbud.lib.money import format_kr, format_number

register = template.Library()


# json_script's escaping: no "<", ">" or "&" is left in the JSON, so the HTML
# parser takes it as plain text and it cannot end its element.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def chart_data(spec: dict[str, Any], name: str) -> SafeString:
    """``{{ spec|chart_data:"budget-chart" }}`` → ``<template id="budget-chart-data"
    class="chart-data">{JSON}</template>``, the data of ``<div data-chart="budget-chart-data">``
    (static/js/charts.js). Like ``json_script``, but in a ``<template>``: HTMX removes
    ``<script>`` elements from the content it swaps in (the dashboard's drill-downs)."""
    data = json.dumps(spec, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<template id="{}-data" class="chart-data">{}</template>', name, mark_safe(data))  # noqa: S308


@register.filter
def kr(value: Decimal | int | None, decimals: int = 2) -> str:
    """``{{ amount|kr }}`` → ``1.234.567,89 kr.``"""
    if value in (None, ""):
        return ""
    return format_kr(value, int(decimals))


@register.filter
def num(value: Decimal | int | None, decimals: int = 0) -> str:
    """``{{ value|num:1 }}`` → ``1.234,5``"""
    if value in (None, ""):
        return ""
    return format_number(value, int(decimals))


@register.filter
def pct(value: Decimal | float | None, decimals: int = 1) -> str:
    if value in (None, ""):
        return ""
    return f"{format_number(Decimal(str(value)), int(decimals))} %"


@register.filter
def month_name(value: dt.date | int) -> str:
    month = value.month if isinstance(value, dt.date) else int(value)
    return MONTH_NAMES[month - 1]


@register.filter
def month_abbr(value: dt.date | int) -> str:
    month = value.month if isinstance(value, dt.date) else int(value)
    return MONTH_ABBR[month - 1]


@register.filter
def dkdate(value: dt.date | dt.datetime | str | None) -> str:
    """22-11-2026 (and 22-11-2026 14:05 for a time). Accepts ISO strings too,
    as frozen snapshots store dates as text."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
        except ValueError:
            return str(value)
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{value:%d-%m-%Y %H:%M}"
    return f"{value:%d-%m-%Y}"


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key) if mapping else None


@register.filter
def sign_class(value: Decimal | str | None) -> str:
    """CSS class for a deviation: positive is overspend (merforbrug)."""
    if value in (None, ""):
        return ""
    value = Decimal(str(value))
    return "overspend" if value > 0 else ("underspend" if value < 0 else "")


@register.filter
def absval(value: Decimal | str | None) -> Decimal | None:
    if value in (None, ""):
        return None
    return abs(Decimal(str(value)))


@register.simple_tag
def figure(name: str, home: Any = "", moment: Any = None, month: str = "", scope: str = "") -> str:
    """``<span {% figure "forecast" home.pk moment %}>``: marks a figure with what
    it is, whose it is and which moment it is from (``budget.moments``), so
    every page's figures can be compared (tests/consistency). A sum of homes
    gives ``scope`` (``area-3``, ``department``) instead of ``home``."""

    key = getattr(moment, "key", moment or "")
    month = month or getattr(moment, "month_key", "")
    # format_html's escaping (conditional_escape) without its slower path: a roll-up page
    # marks about 2,000 figures.
    if scope:
        return mark_safe(  # noqa: S308 - every value is escaped by _attr
            f'data-figure="{_attr(name)}" data-scope="{_attr(scope)}" '
            f'data-moment="{_attr(key)}" data-month="{_attr(month)}"'
        )
    return mark_safe(  # noqa: S308 - every value is escaped by _attr
        f'data-figure="{_attr(name)}" data-home="{_attr(home)}" data-moment="{_attr(key)}" data-month="{_attr(month)}"'
    )


def _attr(value: Any) -> str:
    """``conditional_escape``: a safe string as it is, anything else through ``html.escape``
    (which is what Django's ``escape`` does)."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))
