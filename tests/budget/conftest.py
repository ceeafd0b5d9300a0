import pytest


@pytest.fixture(autouse=True)
def _default_accounts(db):
    """Migration data is gone after a transactional (browser) test flushed the tables."""
    from budget.chart import ensure_default_accounts

    ensure_default_accounts()
