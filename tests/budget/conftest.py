import pytest

from budget.chart import ensure_default_accounts


@pytest.fixture(autouse=True)
def _default_accounts(db):
    """Migration data is gone after a transactional (browser) test flushed the tables."""

    ensure_default_accounts()
