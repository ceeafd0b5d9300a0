"""What the botilbud app registers with the shared registries when Django is ready
(``botilbud.apps``): its home tabs, history kinds, start-page sections, demo seeders and
reference loaders. Its own module so that its imports sit at the top: ``apps.py`` is
imported before the models exist, this module only from ``AppConfig.ready()``.
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.contrib.auth.signals import user_logged_in
from django.db.models import Q

from botilbud.middleware import mark_seen_at_login
from botilbud.migrations import _defaults
from botilbud.models import Area, Home
from botilbud.registry import history_kind, reference_loader
from botilbud.security import connect_signals


def connect() -> None:
    connect_signals()
    user_logged_in.connect(mark_seen_at_login, dispatch_uid="botilbud.idle_timeout")

    history_kind("botilbud", lambda user: Home.objects.visible_to(user))
    history_kind(
        "omraade",
        lambda user: Area.objects.filter(
            Q(pk__in=Home.objects.visible_to(user).values("area_id")) | Q(managers=user)
        ).distinct(),
    )

    @reference_loader
    def load_paragraphs() -> None:
        _defaults.load_paragraphs(global_apps)
        _defaults.load_municipalities(global_apps)
