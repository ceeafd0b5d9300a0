"""Rates fixtures: reuse visitation's providers, offers and packages."""

from tests.visitation.conftest import vis  # noqa: F401
