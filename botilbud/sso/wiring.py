"""What the botilbud.sso app registers with the shared registries when Django is ready
(``botilbud.sso.apps``): its home tabs, history kinds, start-page sections, demo seeders and
reference loaders. Its own module so that its imports sit at the top: ``apps.py`` is
imported before the models exist, this module only from ``AppConfig.ready()``.
"""

from __future__ import annotations

from botilbud.permissions import can
from botilbud.registry import history_kind
from botilbud.sso.models import GroupMapping


def connect() -> None:
    history_kind(
        "gruppekobling",
        lambda user: GroupMapping.objects.all() if can(user, "botilbud.use_admin") else GroupMapping.objects.none(),
    )
