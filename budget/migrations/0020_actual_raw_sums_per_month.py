"""A raw import's sums (``budget_actualrawsum``) per key and *month* instead of per key and period cell: the
period cell includes the posting date, so with many cost centres the sums hardly compressed the rows
(150 cost centres: ~450.000 sums a million-row import), and no reader of ``budget_postingsum`` needs the
date. The sums kept are regrouped per month (the same totals per every column the view has); the view
reads the month from the sum. Reversible: the reverse computes the sums per period cell from the rows again
(as 0019 did).
"""

from django.db import migrations, models

OLD_VIEW = r"""
CREATE VIEW budget_postingsum AS
SELECT a.home_id, a.month, a."group", a.function_code, a.dranst, a.art_code, a.account, a.cost_centre,
       1::bigint AS n, a.amount::numeric(16, 2) AS amount, a.part
FROM budget_actual a
UNION ALL
SELECT k.home_id, t.month, k."group", k.function_code, k.dranst, k.art_code, k.account, k.cost_centre,
       s.n, s.amount, s.batch_id::integer
FROM budget_actualrawsum s
JOIN budget_actualrawkey k ON k.id = s.key_id
JOIN budget_actualrawperiod t ON t.id = s.period_id;
"""

NEW_VIEW = r"""
CREATE VIEW budget_postingsum AS
SELECT a.home_id, a.month, a."group", a.function_code, a.dranst, a.art_code, a.account, a.cost_centre,
       1::bigint AS n, a.amount::numeric(16, 2) AS amount, a.part
FROM budget_actual a
UNION ALL
SELECT k.home_id, s.month, k."group", k.function_code, k.dranst, k.art_code, k.account, k.cost_centre,
       s.n, s.amount, s.batch_id::integer
FROM budget_actualrawsum s
JOIN budget_actualrawkey k ON k.id = s.key_id;
"""

PER_MONTH = r"""
CREATE TEMP TABLE budget_rawsum_month ON COMMIT DROP AS
SELECT s.batch_id, s.key_id, t.month, sum(s.n) AS n, sum(s.amount) AS amount
FROM budget_actualrawsum s JOIN budget_actualrawperiod t ON t.id = s.period_id
GROUP BY 1, 2, 3;
DELETE FROM budget_actualrawsum;
INSERT INTO budget_actualrawsum (batch_id, key_id, month, n, amount)
SELECT batch_id, key_id, month, n, amount FROM budget_rawsum_month;
DROP TABLE budget_rawsum_month;
"""

# The reverse: per key and period cell from the rows, as migration 0019 computed them.
PER_PERIOD = r"""
DELETE FROM budget_actualrawsum;
INSERT INTO budget_actualrawsum (batch_id, key_id, period_id, month, n, amount)
SELECT r.batch_id, k.id, t.id, t.month, count(*),
       sum(k.sign * CASE WHEN r.amount LIKE '%-' OR r.amount LIKE '-%' THEN -1 ELSE 1 END
           * translate(r.amount, '+-.,', '')::bigint) * 0.01
FROM budget_actualraw r
JOIN budget_actualrawkey k ON k.batch_id = r.batch_id AND k.cc = r.cc AND k.fn = r.fn AND k.dr = r.dr
  AND k.art = r.art AND k.acct = r.acct
JOIN budget_actualrawperiod t ON t.batch_id = r.batch_id AND t.period = r.period AND t.pdate = r.pdate
GROUP BY r.batch_id, k.id, t.id, t.month;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("budget", "0019_actual_raw_sums"),
    ]

    operations = [
        migrations.RunSQL("DROP VIEW budget_postingsum;", OLD_VIEW),
        migrations.AddField(model_name="actualrawsum", name="month", field=models.DateField(null=True)),
        migrations.AlterField(model_name="actualrawsum", name="period_id", field=models.BigIntegerField(null=True)),
        migrations.RunSQL(PER_MONTH, PER_PERIOD),
        migrations.RemoveField(model_name="actualrawsum", name="period_id"),
        migrations.AlterField(model_name="actualrawsum", name="month", field=models.DateField()),
        migrations.RunSQL(NEW_VIEW, "DROP VIEW budget_postingsum;"),
    ]
