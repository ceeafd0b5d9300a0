"""The JSON-lines log formatter of the security log (``botilbud.security``).

Its own module because ``settings.LOGGING`` loads it while Django configures
logging, before the app registry is ready: it must import nothing that
touches models (``botilbud.security`` imports django-axes, which does).
"""

from __future__ import annotations

import json
import logging


class JsonLineFormatter(logging.Formatter):
    """Formats a record's ``security`` dict as one JSON line."""

    def format(self, record: logging.LogRecord) -> str:
        payload = getattr(record, "security", None) or {"event": "message", "message": record.getMessage()}
        return json.dumps(payload, ensure_ascii=False, default=str)
