"""The follow-up's background job (procrastinate): the daily reminder e-mails."""

from __future__ import annotations

import logging

from procrastinate.contrib.django import app

from botilbud.tasks import local_date
from budget.followup.reminders import send_reminders

logger = logging.getLogger(__name__)


@app.periodic(cron="0 6 * * *")  # 07:00 Danish winter time, 08:00 summer time
@app.task(name="followup.reminders")
def reminders_daily(timestamp: int) -> int:
    """E-mail whoever's turn it is in a follow-up round (step opened, or
    deadline passed); idempotent, like ``manage.py followup_reminders``."""
    result = send_reminders(today=local_date(timestamp))
    logger.info("followup reminders: %s sent (%s opened, %s overdue)", result.sent, result.opened, result.overdue)
    return result.sent
