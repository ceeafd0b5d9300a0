"""One row of the ledger page's entry table, rendered in Python.

The ledger page shows up to 100 entries; rendered through the template
engine, each row's two dozen variables, labels and URLs cost more than the
rest of the page together (issue #17: 1,000 entries for one home in ≤ 50 ms).
Here a row is one f-string (every value escaped with the standard library's ``html.escape``): the
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

import html

from django.urls import reverse
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
# What ``row_html`` reads, for ``QuerySet.only``: a page of rows loads neither
# the entries' generated data (JSON) nor the whole user row.
ROW_FIELDS = (
    "pk",
    "home_id",
    "category",
    "account_group",
    "title",
    "comment",
    "start_date",
    "end_date",
    "spread",
    "amount",
    "status",
    "generated",
    "version",
    "registered_by__username",
    "registered_by__first_name",
    "registered_by__last_name",
)
CANCELLED_CLASS = ' class="cancelled-row"'
GENERATED_BADGE = ' <span class="badge">automatisk</span>'


def _pattern(name: str, *args: str) -> str:
    return reverse(name, args=[*args, _PK]).replace(str(_PK), "{pk}")


class RowUrls:
    """The URL patterns of a row's links, reversed once for a whole page."""

    def __init__(self, year: int) -> None:
        self.history = _pattern("history", "disponering")
        self.edit = _pattern("disponering:entry_edit") + f"?aar={year}"
        self.confirm = _pattern("disponering:entry_confirm")
        self.cancel = _pattern("disponering:entry_cancel")


def _e(value: object) -> str:
    """HTML-escaped text of a value (the standard library's escape, as Django's
    ``escape`` uses, without its lazy-string wrapper on every call)."""
    return html.escape(str(value))


def _button(label: str, title: str, url: str, pk: str, version: int, confirm: str = "") -> str:
    """A row action button; ``title`` is escaped already."""
    confirm_attr = f' hx-confirm="{_e(confirm)}"' if confirm else ""
    return (
        f'<button type="submit" form="{ROW_ACTION_FORM}" formaction="{url}" name="version" value="{version}" '
        f'hx-post="{url}" hx-target="#post-{pk}" hx-swap="outerHTML" class="link-button"{confirm_attr}>{label}'
        f'<span class="visually-hidden"> {title}</span></button>'
    )


def row_html(entry: LedgerEntry, urls: RowUrls, *, can_write: bool, row_error: str = "") -> SafeString:
    """The ``<tr id="post-…">`` of one entry (``entry.registered_by`` selected with it).

    Every value from the database is escaped with ``_e``; the URL patterns are
    the app's own (a pk is digits)."""
    pk = str(entry.pk)
    cancelled = entry.status == Status.CANCELLED
    title = _e(entry.title)
    actions = [f'<a href="{urls.history.format(pk=pk)}">Historik<span class="visually-hidden"> for {title}</span></a>']
    if can_write and not cancelled:
        edit = urls.edit.format(pk=pk)
        actions.append(
            f'<a href="{edit}" hx-get="{edit}" hx-target="#post-{pk}" hx-swap="outerHTML">Ret'
            f'<span class="visually-hidden"> {title}</span></a>'
        )
        if entry.status == Status.EXPECTED:
            actions.append(_button("Bekræft", title, urls.confirm.format(pk=pk), pk, entry.version))
        actions.append(
            _button("Annullér", title, urls.cancel.format(pk=pk), pk, entry.version, confirm=CANCEL_QUESTION)
        )
    status = _e(entry.status)
    badge = GENERATED_BADGE if entry.generated else ""
    comment = f"<br><small>{_e(entry.comment)}</small>" if entry.comment else ""
    error = f'<p class="field-error" role="alert">{_e(row_error)}</p>' if row_error else ""
    who = entry.registered_by if entry.registered_by_id else "System (visitation)"
    return mark_safe(  # noqa: S308 - every value is escaped above
        f'<tr id="post-{pk}"{CANCELLED_CLASS if cancelled else ""}>'
        f"<td>{_e(_CATEGORY.get(entry.category, entry.category))}</td>"
        f"<td>{title}{badge}{comment}</td>"
        f"<td>{_e(_GROUP.get(entry.account_group, entry.account_group))}</td>"
        f"<td>{entry.start_date:%d-%m-%Y} – {entry.end_date:%d-%m-%Y}</td>"
        f"<td>{_e(_SPREAD.get(entry.spread, entry.spread))}</td>"
        f'<td class="num">{_e(format_kr(entry.amount))}</td>'
        f'<td class="keep"><span class="status status--{status}">{_e(_STATUS.get(entry.status, entry.status))}</span>'
        f"{error}</td>"
        f'<td class="keep">{_e(who)}</td>'
        f'<td class="actions keep">{" ".join(actions)}</td></tr>\n'
    )


def rows_html(entries: list[LedgerEntry], year: int, *, can_write: bool) -> SafeString:
    urls = RowUrls(year)
    return mark_safe("".join(row_html(e, urls, can_write=can_write) for e in entries))  # noqa: S308 - escaped rows
