"""Input bounds shared by every app: text lengths and the CPR guard.

Botilbud never stores a citizen's CPR number (case number and initials only).
``validate_no_cpr`` refuses any text with a CPR-like number in it: six digits
that form a valid date (ddmmyy), an optional dash, then four digits. It is
applied to every free-text field of the user-edited models and forms.

``free_text`` is the one way to declare a model TextField: a max length that
is enforced in the form (``maxlength`` on the textarea, Danish message) and
in ``full_clean`` (model validator), plus the CPR guard.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.deconstruct import deconstructible

# ddmmyy, optional dash (or a space), four digits; not part of a longer number.
CPR_PATTERN = re.compile(r"(?<![0-9])([0-9]{2})([0-9]{2})([0-9]{2})[-\s]?[0-9]{4}(?![0-9])")
CPR_MESSAGE = (
    "Teksten indeholder noget, der ligner et CPR-nummer. Skriv aldrig CPR-numre i Botilbud: "
    "brug sagsnummer og initialer."
)
LENGTH_MESSAGE = "Teksten er for lang: højst %(limit_value)d tegn (den har %(show_value)d)."

# Free-text limits (characters).
COMMENT_LENGTH = 4000
SHORT_NOTE_LENGTH = 2000


def _is_date(day: int, month: int, year2: int) -> bool:
    # The century is unknown, so a date valid in either 19yy or 20yy counts
    # (29 February of "00" is valid in 2000).
    for century in (1900, 2000):
        try:
            dt.date(century + year2, month, day)
        except ValueError:
            continue
        return True
    return False


def contains_cpr(text: str) -> bool:
    """True when ``text`` holds a CPR-like number (a valid ddmmyy + 4 digits)."""
    if not text:
        return False
    for match in CPR_PATTERN.finditer(str(text)):
        day, month, year2 = (int(g) for g in match.groups())
        if _is_date(day, month, year2):
            return True
    return False


def validate_no_cpr(value: Any) -> None:
    if isinstance(value, str) and contains_cpr(value):
        raise ValidationError(CPR_MESSAGE, code="cpr")


@deconstructible
class TextLengthValidator(MaxLengthValidator):
    """Django's max-length check with our Danish message."""

    message = LENGTH_MESSAGE


def free_text(verbose_name: str, max_length: int = COMMENT_LENGTH, **kwargs: Any) -> models.TextField:
    """A bounded, CPR-guarded TextField (see the module docstring)."""
    return models.TextField(
        verbose_name,
        max_length=max_length,
        validators=[TextLengthValidator(max_length), validate_no_cpr],
        **kwargs,
    )


def text_field_kwargs(max_length: int) -> dict[str, Any]:
    """For plain form CharFields: the same bounds as ``free_text``."""
    return {
        "max_length": max_length,
        "validators": [validate_no_cpr],
        "error_messages": {"max_length": LENGTH_MESSAGE},
    }
