"""A large import's rows stay as the file's cells: ``budget_actualraw`` and the view ``budget_posting``.

An import of ``budget.importer.PARTITION_MIN_ROWS`` rows or more through the COPY path (every amount of the
plain form) keeps the table its COPY wrote, ``budget_actualraw_b<import id>``: the file's cells as text, the
key columns renamed to ``cc``, ``fn``, ``dr``, ``art``, ``acct``, ``period``, ``pdate``, ``amount``, ``text``
and the table made a child (``INHERIT``) of ``budget_actualraw``. Its distinct account cells, resolved, are
``budget_actualrawkey`` and its period/date cells ``budget_actualrawperiod`` (a few hundred rows each).
``budget_posting`` is every posting: ``budget_actual``'s rows and the raw rows joined to their keys, the
amount computed from its cells (digits, sign, the profile's sign convention) and the text trimmed as the
import trims it. Readers read ``budget.models.Posting`` (this view); writers write ``budget_actual``. Why:
budget/README.md, "Where the rows of a large import go".

Reversible: the reverse writes every raw row into ``budget_actual`` (``budget_actual_main``) as the view
shows it, then drops the raw tables, the keys and the view.
"""

import django.db.models.deletion
from django.db import migrations, models


FORWARD = r"""
CREATE TABLE budget_actualraw (
  batch_id integer, cc text, fn text, dr text, art text, acct text, period text, pdate text, amount text, text text
);
CREATE VIEW budget_posting AS
SELECT a.id, a.home_id, a.month, a."group", a.function_code, a.dranst, a.art_code, a.account, a.cost_centre,
       a.posting_date, a.amount, a.text, a.batch_id, a.part
FROM budget_actual a
UNION ALL
SELECT -(r.batch_id::bigint * 4294967296 + (r.ctid::text::point)[0]::bigint * 65536 + (r.ctid::text::point)[1]::bigint),
       k.home_id, t.month, k."group", k.function_code, k.dranst, k.art_code, k.account, k.cost_centre,
       t.posting_date,
       (k.sign * CASE WHEN r.amount LIKE '%-' OR r.amount LIKE '-%' THEN -1 ELSE 1 END
          * translate(r.amount, '+-.,', '')::bigint * 0.01)::numeric(14, 2),
       left(btrim(r.text, E' \t'), 200)::varchar(200), r.batch_id::bigint, r.batch_id
FROM budget_actualraw r
JOIN budget_actualrawkey k ON k.batch_id = r.batch_id AND k.cc = r.cc AND k.fn = r.fn AND k.dr = r.dr
  AND k.art = r.art AND k.acct = r.acct
JOIN budget_actualrawperiod t ON t.batch_id = r.batch_id AND t.period = r.period AND t.pdate = r.pdate;
"""

REVERSE = r"""
INSERT INTO budget_actual (home_id, cost_centre, month, "group", function_code, dranst, art_code, account,
                           posting_date, amount, text, batch_id)
SELECT home_id, cost_centre, month, "group", function_code, dranst, art_code, account, posting_date, amount,
       text, batch_id
FROM budget_posting WHERE id < 0;
DROP VIEW budget_posting;
DO $$
DECLARE name text;
BEGIN
  FOR name IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
              WHERE i.inhparent = 'budget_actualraw'::regclass LOOP
    EXECUTE format('DROP TABLE %I', name);
  END LOOP;
END
$$;
DROP TABLE budget_actualraw;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("botilbud", "0007_job_upload"),
        ("budget", "0017_actual_finer_groups_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="Posting",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("month", models.DateField(verbose_name="måned")),
                ("group", models.CharField(max_length=20, verbose_name="kontogruppe")),
                ("function_code", models.CharField(max_length=20, verbose_name="funktion")),
                ("dranst", models.CharField(max_length=1, verbose_name="dranst")),
                ("art_code", models.CharField(max_length=20, verbose_name="art")),
                ("account", models.CharField(max_length=80, verbose_name="kontostreng")),
                ("cost_centre", models.CharField(max_length=40, verbose_name="omkostningssted")),
                ("posting_date", models.DateField(null=True, verbose_name="bogføringsdato")),
                ("amount", models.DecimalField(decimal_places=2, max_digits=14, verbose_name="beløb")),
                ("text", models.CharField(max_length=200, verbose_name="tekst")),
                ("part", models.IntegerField(verbose_name="partition")),
            ],
            options={
                "verbose_name": "postering",
                "verbose_name_plural": "posteringer",
                "db_table": "budget_posting",
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="ActualRawPeriod",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("batch_id", models.BigIntegerField()),
                ("period", models.TextField()),
                ("pdate", models.TextField()),
                ("month", models.DateField()),
                ("posting_date", models.DateField(null=True)),
            ],
            options={
                "indexes": [models.Index(fields=["batch_id"], name="actual_raw_period_batch")],
            },
        ),
        migrations.CreateModel(
            name="ActualRawKey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("batch_id", models.BigIntegerField()),
                ("cc", models.TextField()),
                ("fn", models.TextField()),
                ("dr", models.TextField()),
                ("art", models.TextField()),
                ("acct", models.TextField()),
                ("cost_centre", models.CharField(max_length=40)),
                ("group", models.CharField(max_length=20)),
                ("function_code", models.CharField(max_length=20)),
                ("dranst", models.CharField(max_length=1)),
                ("art_code", models.CharField(max_length=20)),
                ("account", models.CharField(max_length=80)),
                ("sign", models.SmallIntegerField(help_text="-1: the profile flips the file's signs.")),
                (
                    "home",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="botilbud.home",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["batch_id"], name="actual_raw_key_batch")],
            },
        ),
        migrations.RunSQL(FORWARD, REVERSE),
    ]
