"""The placement export (xlsx): the placement list with its filters applied,
built by a background job (visitation/tasks.py), never in a web request.

A write-only workbook fed from one query of plain values (the joins done in
SQL, no model instances, labels from dictionaries), read in chunks; progress
is reported as rows are written."""

from __future__ import annotations

import datetime as dt
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from botilbud.jobs import JobFile, Progress
from botilbud.lib.money import format_number
from botilbud.lib.spreadsheet import DATE_FORMAT, MONEY_FORMAT, XLSX_CONTENT_TYPE, streaming_sheet, xlsx_bytes
from botilbud.models import Municipality, User
from visitation import selectors
from visitation.models import ApprovalLevel, Placement, Provider, sees_case_numbers

EXPORT_HEADERS = [
    "Bevilling",
    "Sagsnummer",
    "Initialer",
    "Betalingskommune",
    "Paragraf",
    "Tilbud",
    "Leverandør",
    "Leverandørtype",
    "Støttepakke",
    "Timer/uge",
    "Start",
    "Slut",
    "Årspris (kr.)",
    "Status",
    "Afgøres af",
    "Næste opfølgning",
]

EXPORT_COLUMNS = (
    "pk",
    "citizen__case_number",
    "citizen__initials",
    "paying_municipality_id",
    "paying_municipality__name",
    "offer__paragraph__code",
    "offer__name",
    "offer__provider__name",
    "offer__provider__kind",
    "package__name",
    "package__weekly_hours",
    "start_date",
    "end_date",
    "annual_price",
    "status",
    "required_level",
    "next_follow_up",
)


def placements_xlsx(
    *, user: User, filters: selectors.PlacementFilters, today: dt.date, progress: Progress | None = None
) -> JobFile:
    """The placements ``user`` may see, filtered, as an Excel file."""
    qs = selectors.filter_placements(Placement.objects.visible_to(user), filters)
    total = qs.count()
    report = progress or (lambda done, total: None)
    report(0, total)
    show_case = sees_case_numbers(user)
    own = Municipality.own_code()
    kinds = dict(Provider.Kind.choices)
    statuses = dict(Placement.Status.choices)
    levels = dict(ApprovalLevel.choices)
    wb = Workbook(write_only=True)
    ws = streaming_sheet(wb, "Bevillinger")
    ws.append(EXPORT_HEADERS)

    def styled(value: Any, number_format: str) -> Any:
        cell = WriteOnlyCell(ws.sheet, value=value)
        cell.number_format = number_format
        return cell

    written = 0
    for (
        pk,
        case_number,
        initials,
        paying_id,
        paying_name,
        paragraph,
        offer,
        provider,
        provider_kind,
        package,
        hours,
        start,
        end,
        price,
        status,
        level,
        next_follow_up,
    ) in qs.values_list(*EXPORT_COLUMNS).iterator(chunk_size=2000):
        ws.append(
            [
                pk,
                case_number if show_case else "",
                initials,
                paying_name if paying_id != own else "",
                paragraph,
                offer,
                provider,
                kinds.get(provider_kind, provider_kind),
                package or "",
                hours,
                styled(start, DATE_FORMAT),
                styled(end, DATE_FORMAT),
                styled(price, MONEY_FORMAT),
                statuses.get(status, status),
                levels.get(level, level),
                styled(next_follow_up, DATE_FORMAT),
            ]
        )
        written += 1
        # A row added after the count (a new placement) still goes in the
        # file; the total grows with it rather than the bar passing 100 %.
        report(written, max(total, written))
    return JobFile(
        name=f"bevillinger-{today:%d-%m-%Y}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
        content=xlsx_bytes(wb),
        message=f"{format_number(written, 0)} bevillinger.",
    )
