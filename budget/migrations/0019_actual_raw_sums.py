"""A large import's rows summed per key and period cell (``budget_actualrawsum``), and the view
``budget_postingsum`` (``budget.models.PostingSum``) that the readers that sum read instead of the rows:
``budget_actual``'s rows (``n`` 1 each) and the raw imports' sums joined to their keys. Raw imports kept
before this migration get their sums from their rows. Reversible (the sums are derived; dropped).
"""

from django.db import migrations, models


FORWARD = r"""
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
INSERT INTO budget_actualrawsum (batch_id, key_id, period_id, n, amount)
SELECT r.batch_id, k.id, t.id, count(*),
       sum(k.sign * CASE WHEN r.amount LIKE '%-' OR r.amount LIKE '-%' THEN -1 ELSE 1 END
           * translate(r.amount, '+-.,', '')::bigint) * 0.01
FROM budget_actualraw r
JOIN budget_actualrawkey k ON k.batch_id = r.batch_id AND k.cc = r.cc AND k.fn = r.fn AND k.dr = r.dr
  AND k.art = r.art AND k.acct = r.acct
JOIN budget_actualrawperiod t ON t.batch_id = r.batch_id AND t.period = r.period AND t.pdate = r.pdate
GROUP BY r.batch_id, k.id, t.id;
"""

REVERSE = "DROP VIEW budget_postingsum;"


class Migration(migrations.Migration):
    dependencies = [
        ("budget", "0018_actual_raw"),
    ]

    operations = [
        migrations.CreateModel(
            name="PostingSum",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("month", models.DateField(verbose_name="måned")),
                ("group", models.CharField(max_length=20, verbose_name="kontogruppe")),
                ("function_code", models.CharField(max_length=20, verbose_name="funktion")),
                ("dranst", models.CharField(max_length=1, verbose_name="dranst")),
                ("art_code", models.CharField(max_length=20, verbose_name="art")),
                ("account", models.CharField(max_length=80, verbose_name="kontostreng")),
                ("cost_centre", models.CharField(max_length=40, verbose_name="omkostningssted")),
                ("n", models.BigIntegerField()),
                ("amount", models.DecimalField(decimal_places=2, max_digits=16, verbose_name="beløb")),
                ("part", models.IntegerField(verbose_name="partition")),
            ],
            options={
                "db_table": "budget_postingsum",
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="ActualRawSum",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("batch_id", models.BigIntegerField()),
                ("key_id", models.BigIntegerField()),
                ("period_id", models.BigIntegerField()),
                ("n", models.BigIntegerField()),
                ("amount", models.DecimalField(decimal_places=2, max_digits=16)),
            ],
            options={
                "indexes": [models.Index(fields=["batch_id"], name="actual_raw_sum_batch")],
            },
        ),
        migrations.RunSQL(FORWARD, REVERSE),
    ]
