"""What the onboarding app registers with the shared registries when Django is ready
(``onboarding.apps``): its home tabs, history kinds, start-page sections, demo seeders and
reference loaders. Its own module so that its imports sit at the top: ``apps.py`` is
imported before the models exist, this module only from ``AppConfig.ready()``.
"""

from __future__ import annotations

from botilbud.models import Role
from botilbud.permissions import can
from botilbud.registry import history_kind, start_section
from onboarding.models import ImportBatch
from onboarding.selectors import onboarding_steps


def connect() -> None:

    # An import's own page keeps its reconciliation; its history shows who
    # staged, confirmed or discarded it.
    history_kind(
        "indlaesning",
        lambda user: (
            ImportBatch.objects.all()
            if can(user, "botilbud.view_all_imports")
            else ImportBatch.objects.filter(uploaded_by=user)
        ),
    )

    def progress(request):  # noqa: ANN001, ANN202
        steps = onboarding_steps()
        return {
            "steps": steps,
            "done": sum(s.done for s in steps),
            "next": next((s for s in steps if not s.done), None),
        }

    start_section([Role.ADMIN], "onboarding/_start_section.html", progress, order=5)
