"""Visitation's part of the record of processing (botilbud/dataprotection.py):
the citizens' placements, who sees them (the placement access rules), and
the citizen as the model a link to which is personal data. Registered in
``visitation/wiring.py``; the retention rule itself is ``visitation/retention.py``,
its dry run and runs the page's "Sletteregel" section (``retention_section``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from botilbud.dataprotection import Activity, RecipientScope, scope_of
from botilbud.http import AuthenticatedHttpRequest
from botilbud.models import User
from visitation.models import Placement, RetentionRun, sees_case_numbers
from visitation.retention import retention_report


def activity() -> Activity:
    """Visitation's activity: citizens, placements and their decisions and follow-ups."""
    years = settings.BOTILBUD_RETENTION_YEARS
    return Activity(
        key="visitation",
        name="Visitation, bevillinger og opfølgning",
        purpose=(
            "Sagsbehandling af borgeres ophold i botilbud: indstilling, afgørelse efter kompetence, "
            "opfølgning og ophør, og styring af udgifterne til bevillingerne."
        ),
        legal_basis="Databeskyttelsesforordningen art. 6, stk. 1, litra e, og art. 9, stk. 2, litra b og h; serviceloven.",
        persons=["Borgere med en bevilling (identificeret ved sagsnummer og initialer, aldrig CPR-nummer)"],
        models=[
            "visitation.Citizen",
            "visitation.Placement",
            "visitation.Decision",
            "visitation.PlacementChange",
            "visitation.FollowUp",
            "visitation.RetentionItem",
            "botilbud.Job",
        ],
        scope="placements",
        retention=(
            f"Anonymiseres {years} år efter borgerens sidste bevilling ophørte (sletteregel nedenfor); "
            "beløbene bevares. En eksport (baggrundsjob) kan kun hentes af den, der bestilte den, og slettes "
            f"{settings.BOTILBUD_JOB_KEEP_HOURS} timer efter."
        ),
    )


def _placements_detail(user: User) -> str:
    return "sagsnummer og initialer" if sees_case_numbers(user) else "kun initialer"


PLACEMENTS = RecipientScope(
    reach=lambda user: scope_of(Placement.objects.visible_to(user)),
    own="Bevillinger i egne botilbud",
    detail=_placements_detail,
)


def retention_section(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    """The retention job's dry run today and its last runs."""
    return {"report": retention_report(), "runs": RetentionRun.objects.select_related("run_by")[:10]}
