from __future__ import annotations

from pathlib import Path

import pytest

from botilbud.models import Role
from onboarding import services
from onboarding.kinds import get_kind
from tests.conftest import make_user

SAMPLES = Path(__file__).resolve().parents[2] / "demo" / "onboarding"
FILES = Path(__file__).resolve().parent / "files"


@pytest.fixture
def admin(db):
    return make_user("admin", Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def run_import(admin):
    """``run_import(kind, path, user=admin, confirm=True)`` → (outcome, targets or None)."""

    def run(kind: str, path: Path, user=None, confirm: bool = True):
        spec = get_kind(kind)
        with path.open("rb") as fh:
            outcome = services.stage_import(spec=spec, stream=fh, file_name=path.name, user=user or admin)
        targets = None
        if confirm and outcome.batch is not None:
            targets = services.confirm_import(spec=spec, batch=outcome.batch, user=user or admin)
        return outcome, targets

    return run


@pytest.fixture
def onboarded(run_import):
    """The sample municipality: organisation, users and budget imported."""
    for kind, name in (("organisation", "organisation.csv"), ("brugere", "brugere.csv"), ("budget", "budget.csv")):
        outcome, _ = run_import(kind, SAMPLES / name)
        assert outcome.batch is not None, (kind, outcome.file_error, outcome.errors)
