"""Demo data for the budget app (filled in below)."""


def seed_budget(ctx) -> None:  # noqa: ANN001
    pass
