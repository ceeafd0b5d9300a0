"""Next year's budget fixtures: reuse visitation's providers, offers and packages."""

import pytest

from budget.chart import ensure_default_accounts
from tests.visitation.conftest import vis  # noqa: F401


@pytest.fixture(autouse=True)
def _default_accounts(db):
    ensure_default_accounts()
