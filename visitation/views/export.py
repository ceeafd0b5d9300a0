"""The placement export (xlsx) of the filtered list."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from botilbud.http import AuthenticatedHttpRequest
from botilbud.lib.spreadsheet import DATE_FORMAT, MONEY_FORMAT, streaming_sheet, xlsx_response
from botilbud.models import Municipality
from visitation import selectors
from visitation.models import ApprovalLevel, Placement, Provider, sees_case_numbers
from visitation.views.common import current_user, local_today, placement_filters

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


@login_required
@require_GET
def placement_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The placement list with the filters applied, as an Excel file: a
    write-only workbook fed from one query of plain values (the joins done in
    SQL, no model instances, labels from dictionaries), streamed in chunks."""

    user = current_user(request)
    _, f = placement_filters(request)
    qs = selectors.filter_placements(Placement.objects.visible_to(user), f)
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
    return xlsx_response(wb, f"bevillinger-{local_today():%d-%m-%Y}.xlsx")
