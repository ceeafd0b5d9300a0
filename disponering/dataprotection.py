"""The ledger's part of the record of processing (botilbud/dataprotection.py),
registered in ``disponering/wiring.py``; its retention is ``disponering/retention.py``."""

from __future__ import annotations

from django.conf import settings

from botilbud.dataprotection import Activity


def activity() -> Activity:
    """Budget, ledger and follow-up: employees and citizens named in ledger entries."""
    years = settings.BOTILBUD_RETENTION_YEARS
    return Activity(
        key="economy",
        name="Budget, disponering og budgetopfølgning",
        purpose=(
            "Styring af botilbuddenes økonomi: forventede ændringer (fx en medarbejders barsel eller en "
            "borgers indflytning), budgetopfølgning og prognoser."
        ),
        legal_basis="Databeskyttelsesforordningen art. 6, stk. 1, litra e (kommunens økonomistyring).",
        persons=[
            "Medarbejdere på botilbuddene (initialer eller stilling i en disponeringspost)",
            "Borgere (initialer i genererede indtægtsposter)",
        ],
        models=["disponering.LedgerEntry"],
        scope="homes",
        retention=(
            f"Poster fra en bevilling mister borgerens initialer og kommentar med borgeren efter {years} år; "
            "øvrige poster følger kommunens regler for regnskabsmateriale."
        ),
    )
