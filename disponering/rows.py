"""One row of the ledger page's entry table, rendered in Python.

The ledger page shows up to 100 entries; rendered through the template
engine, each row's two dozen variables, labels and URLs cost more than the
rest of the page together (issue #17: 1,000 entries for one home in ≤ 50 ms).
Here a row is a handful of ``format_html`` calls (every value escaped): the
labels are dictionary look-ups, not ``get_*_display`` (which flattens the
choices on every call), and the URLs are filled into patterns reversed once
per page. The same function renders the row the HTMX actions send back, so
the list and a single refreshed row never differ.

The row's actions need no form of their own: the buttons submit the page's
one shared form (``#ledger-row-action``, with the CSRF token and the year)
to their own ``formaction``, with the version they saw as the button's value,
so they also work without JavaScript.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from botilbud.lib.money import format_kr
from botilbud.models import AccountGroup
from disponering.models import Category, LedgerEntry, Spread, Status

ROW_ACTION_FORM = "ledger-row-action"
CANCEL_QUESTION = "Annullér disponeringen? Den bliver stående som annulleret og tæller ikke længere med."

_CATEGORY = dict(Category.choices)
_GROUP = dict(AccountGroup.choices)
_SPREAD = dict(Spread.choices)
_STATUS = dict(Status.choices)
_PK = 987654321


def _pattern(name: str, *args: str) -> str:
    return reverse(name, args=[*args, _PK]).replace(str(_PK), "{pk}")


class RowUrls:
    """The URL patterns of a row's links, reversed once for a whole page."""

    def __init__(self, year: int) -> None:
        self.history = _pattern("history", "disponering")
        self.edit = _pattern("disponering:entry_edit") + f"?aar={year}"
        self.confirm = _pattern("disponering:entry_confirm")
        self.cancel = _pattern("disponering:entry_cancel")


def _button(label: str, title: str, url: str, pk: str, version: int, confirm: str = "") -> SafeString:
    return format_html(
        '<button type="submit" form="{}" formaction="{}" name="version" value="{}" hx-post="{}" '
        'hx-target="#post-{}" hx-swap="outerHTML" class="link-button"{}>{}'
        '<span class="visually-hidden"> {}</span></button>',
        ROW_ACTION_FORM,
        url,
        version,
        url,
        pk,
        format_html(' hx-confirm="{}"', confirm) if confirm else "",
        label,
        title,
    )


def row_html(entry: LedgerEntry, urls: RowUrls, *, can_write: bool, row_error: str = "") -> SafeString:
    """The ``<tr id="post-…">`` of one entry (``entry.registered_by`` selected with it)."""
    pk = str(entry.pk)
    cancelled = entry.status == Status.CANCELLED
    actions = [
        format_html(
            '<a href="{}">Historik<span class="visually-hidden"> for {}</span></a>',
            urls.history.format(pk=pk),
            entry.title,
        )
    ]
    if can_write and not cancelled:
        edit = urls.edit.format(pk=pk)
        actions.append(
            format_html(
                '<a href="{}" hx-get="{}" hx-target="#post-{}" hx-swap="outerHTML">Ret'
                '<span class="visually-hidden"> {}</span></a>',
                edit,
                edit,
                pk,
                entry.title,
            )
        )
        if entry.status == Status.EXPECTED:
            actions.append(_button("Bekræft", entry.title, urls.confirm.format(pk=pk), pk, entry.version))
        actions.append(
            _button("Annullér", entry.title, urls.cancel.format(pk=pk), pk, entry.version, confirm=CANCEL_QUESTION)
        )
    return format_html(
        '<tr id="post-{}"{}><td>{}</td><td>{}{}{}</td><td>{}</td><td>{} – {}</td><td>{}</td>'
        '<td class="num">{}</td><td class="keep"><span class="status status--{}">{}</span>{}</td>'
        '<td class="keep">{}</td><td class="actions keep">{}</td></tr>\n',
        pk,
        mark_safe(' class="cancelled-row"') if cancelled else "",
        _CATEGORY.get(entry.category, entry.category),
        entry.title,
        mark_safe(' <span class="badge">automatisk</span>') if entry.generated else "",
        format_html("<br><small>{}</small>", entry.comment) if entry.comment else "",
        _GROUP.get(entry.account_group, entry.account_group),
        f"{entry.start_date:%d-%m-%Y}",
        f"{entry.end_date:%d-%m-%Y}",
        _SPREAD.get(entry.spread, entry.spread),
        format_kr(entry.amount),
        entry.status,
        _STATUS.get(entry.status, entry.status),
        format_html('<p class="field-error" role="alert">{}</p>', row_error) if row_error else "",
        entry.registered_by if entry.registered_by_id else "System (visitation)",
        mark_safe(" ".join(actions)),  # noqa: S308 - each part is built by format_html
    )


def rows_html(entries: list[LedgerEntry], year: int, *, can_write: bool) -> SafeString:
    urls = RowUrls(year)
    return mark_safe("".join(row_html(e, urls, can_write=can_write) for e in entries))  # noqa: S308 - format_html parts
