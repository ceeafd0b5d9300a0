"""An indexed summary of the approved follow-ups' frozen numbers.

The dashboard reads the approved (frozen) follow-ups of many rounds: the
forecast's movement from round to round and the forecast accuracy of the
last closed year. Reading them from the snapshots' JSON means detoasting
thousands of documents per page; this table holds the same numbers as plain
indexed columns, one row per approved follow-up and account group.

It is maintained by a Postgres trigger on the follow-up table (migration
0001): every insert, update or delete of a follow-up rewrites its rows in the
same transaction, so the summary is never stale, whichever code path (the
services, ``bulk_create`` in the demo seeder, the admin) changed it.
``refreshed_at`` is when the row was written.
"""

from __future__ import annotations

from django.db import models


class FollowUpFigure(models.Model):
    followup_id = models.IntegerField()
    home_id = models.IntegerField()
    round_id = models.IntegerField()
    month = models.DateField()
    group = models.CharField(max_length=20)
    corrected_budget = models.DecimalField(max_digits=16, decimal_places=2)
    budget_to_date = models.DecimalField(max_digits=16, decimal_places=2)
    actuals_to_date = models.DecimalField(max_digits=16, decimal_places=2)
    forecast = models.DecimalField(max_digits=16, decimal_places=2)
    deviation = models.DecimalField(max_digits=16, decimal_places=2)
    refreshed_at = models.DateTimeField()

    class Meta:
        verbose_name = "opfølgningstal (sammendrag)"
        verbose_name_plural = "opfølgningstal (sammendrag)"
        indexes = [
            models.Index(fields=["month", "home_id"], name="dash_figure_month_home"),
            models.Index(fields=["round_id", "home_id"], name="dash_figure_round_home"),
            models.Index(fields=["followup_id"], name="dash_figure_followup"),
            # budget.dashboard.selectors.summary_refreshed_at: MAX(refreshed_at)
            # for the department dashboard's "last written" note, one index probe.
            models.Index(fields=["refreshed_at"], name="dash_figure_refreshed"),
        ]

    def __str__(self) -> str:
        return f"{self.followup_id} {self.group}"


class DataVersion(models.Model):
    """One row: a number that changes whenever data the dashboard reads is committed.

    Statement-level triggers on every table the department dashboard reads
    (migration 0003, ``DASHBOARD_TABLES``) note that a transaction wrote;
    at its commit a deferred trigger sets ``version`` to the next value of a
    sequence. ``budget.dashboard.cache`` keys its cached department figures
    on it, so a commit anywhere (a service, the admin, an import, a
    ``bulk_create`` or raw SQL) makes the next page compute afresh.
    """

    version = models.BigIntegerField()

    class Meta:
        verbose_name = "dataversion (dashboard)"
        verbose_name_plural = "dataversion (dashboard)"

    def __str__(self) -> str:
        return str(self.version)
