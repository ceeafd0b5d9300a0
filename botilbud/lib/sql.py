"""Types for raw SQL: the parameters a selector passes to ``cursor.execute``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TypeAlias

# A value psycopg adapts: a number, text, a date, or an array (``= ANY(%(ids)s)``).
Param: TypeAlias = bool | int | Decimal | str | dt.date | list[int] | list[str] | None
Params: TypeAlias = dict[str, Param]
