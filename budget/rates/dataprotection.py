"""Settlement's part of the record of processing (botilbud/dataprotection.py),
registered in ``budget/rates/wiring.py``; its retention is ``budget/rates/retention.py``."""

from __future__ import annotations

from django.conf import settings

from botilbud.dataprotection import Activity


def activity() -> Activity:
    """Inter-municipal settlement and refunds: the statements' lines name citizens."""
    years = settings.BOTILBUD_RETENTION_YEARS
    return Activity(
        key="settlement",
        name="Mellemkommunal afregning og refusion",
        purpose=(
            "Afregning med betalingskommuner for solgte pladser og beregning af statsrefusion for særligt dyre "
            "enkeltsager (kun fødselsåret bruges)."
        ),
        legal_basis="Databeskyttelsesforordningen art. 6, stk. 1, litra c og e; serviceloven og retssikkerhedsloven.",
        persons=["Borgere fra andre kommuner i vores botilbud", "Egne borgere med dyre enkeltsager"],
        models=["rates.StatementLine"],
        scope="homes",
        retention=f"Afregningslinjernes sagsnummer og initialer anonymiseres med borgeren efter {years} år; beløb og dage bevares.",
    )
