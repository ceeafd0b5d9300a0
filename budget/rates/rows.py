"""Table rows of the rate pages, rendered in Python (as ``disponering.rows``).

The administrator's settlement overview has a row per home and paying
municipality (about 200 on the large demo), the index step's preview up to 200
lines per kind (about 600); through the template engine those rows (the
overview's with a ``{% url %}`` each) cost more than pricing every sale of the month
(issue #17: every page p95 ≤ 100 ms and ≤ 10 ms + 2 × its SQL time). Each row
is one f-string, every value from the database escaped with the standard
library's ``html.escape`` (what Django's autoescape uses), the numbers formatted
by the same functions as the template filters, so the HTML is byte for byte
what the template gave.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from botilbud.lib.money import format_kr, format_number
from botilbud.templatetags.botilbud import dkdate

_PK = 987654321
_CODE = 987654322


def _e(value: object) -> str:
    return html.escape(str(value))


def settlement_rows_html(rows: list[dict[str, Any]], month: dt.date) -> SafeString:
    """The ``<tr>`` of each row of ``settlement.overview`` (the template's loop body, blank lines included)."""
    pattern = (
        reverse("rates:statement", args=[_PK, _CODE, f"{month:%Y-%m}"])
        .replace(str(_PK), "{pk}")
        .replace(str(_CODE), "{code}")
    )
    out = []
    for r in rows:
        url = pattern.format(pk=r["home_id"], code=r["code"])
        sent = r["sent"]
        status = f"Sendt {dkdate(sent.sent_at)} ({_e(format_kr(sent.total))})" if sent else "Ikke sendt"
        out.append(
            "\n  <tr>\n"
            f"    <td>{_e(r['home'])}</td>\n"
            f'    <th scope="row"><a href="{url}">{_e(r["municipality"])} ({r["code"]})</a></th>\n'
            f'    <td class="num">{r["placements"]}</td>\n'
            f'    <td class="num">{_e(format_number(r["days"], 0))}</td>\n'
            f'    <td class="num">{_e(format_kr(r["income"]))}</td>\n'
            f"    <td>{status}</td>\n"
            "  </tr>\n  "
        )
    return mark_safe("".join(out))  # noqa: S308 - every value from the database is escaped above


def _kr(value: Any) -> str:
    """The ``kr`` filter's text of an amount (empty for none)."""
    return "" if value is None else _e(format_kr(value))


def index_rows_html(lines: list[Any]) -> SafeString:
    """The ``<tr>`` of each ``indexing.IndexLine`` a preview shows (the template's loop body)."""
    out = []
    for ln in lines:
        old = _kr(ln.old) if ln.old is not None else "—"
        if ln.create:
            new = _kr(ln.new)
        elif ln.new is not None:
            new = f"{_kr(ln.new)} (findes)"
        else:
            new = "—"
        skipped = "" if ln.create else "Springes over: "
        out.append(
            "\n  <tr>\n"
            f'    <th scope="row">{_e(ln.label)}</th>\n'
            f'    <td class="num">{old}</td>\n'
            f'    <td class="num">{new}</td>\n'
            f"    <td>{skipped}{_e(ln.note)}</td>\n"
            "  </tr>\n  "
        )
    return mark_safe("".join(out))  # noqa: S308 - every value from the database is escaped above
