"""The dashboard's data version: bumped at the commit of every write to a table the dashboard reads.

Each table in ``DASHBOARD_TABLES`` gets a statement-level trigger (insert,
update, delete, truncate). The first such statement of a transaction sets a
transaction-local setting and inserts a row into ``dashboard_versionbump``;
a deferred constraint trigger on that table runs at commit, sets the single
``dashboard_dataversion`` row to the sequence's next value and deletes the
bump row. So a transaction bumps the version once, at its end (the row lock
on the version is held only for the commit, not for the whole transaction),
and a rolled-back transaction does not bump it.

``tests/dashboard/test_cache.py`` checks that every table the department
dashboard reads, for each role that sees it, is in this list.
"""

from django.db import migrations, models

DASHBOARD_TABLES = (
    "absence_absenceimport",
    "absence_sicknessabsence",
    "botilbud_area",
    "botilbud_area_managers",
    "botilbud_home",
    "botilbud_home_consultants",
    "botilbud_home_managers",
    "botilbud_paragraph",
    "botilbud_user",
    "budget_actualtotal",
    "budget_actualyear",
    "budget_budgetcorrection",
    "budget_budgetline",
    "dashboard_followupfigure",
    "disponering_ledgerentry",
    "disponering_ledgerentrymonth",
    "disponering_ledgermonthtotal",
    "followup_action",
    "followup_homefollowup",
    "followup_round",
    "visitation_citizen",
    "visitation_offer",
    "visitation_placement",
    "visitation_placementyear",
    "visitation_provider",
)

FUNCTIONS_SQL = """
CREATE SEQUENCE dashboard_dataversion_seq;

CREATE TABLE dashboard_versionbump (id bigserial PRIMARY KEY);

CREATE FUNCTION dashboard_mark_write() RETURNS trigger AS $$
BEGIN
    IF current_setting('dashboard.txn_marked', true) IS DISTINCT FROM 'on' THEN
        PERFORM set_config('dashboard.txn_marked', 'on', true);
        INSERT INTO dashboard_versionbump DEFAULT VALUES;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION dashboard_bump_version() RETURNS trigger AS $$
BEGIN
    INSERT INTO dashboard_dataversion (id, version) VALUES (1, nextval('dashboard_dataversion_seq'))
    ON CONFLICT (id) DO UPDATE SET version = nextval('dashboard_dataversion_seq');
    DELETE FROM dashboard_versionbump WHERE id = NEW.id;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER dashboard_bump_version
    AFTER INSERT ON dashboard_versionbump DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION dashboard_bump_version();

INSERT INTO dashboard_dataversion (id, version) VALUES (1, nextval('dashboard_dataversion_seq'));
"""

DROP_FUNCTIONS_SQL = """
DROP TABLE IF EXISTS dashboard_versionbump;
DROP FUNCTION IF EXISTS dashboard_bump_version();
DROP FUNCTION IF EXISTS dashboard_mark_write();
DROP SEQUENCE IF EXISTS dashboard_dataversion_seq;
"""


def _trigger_sql(table: str) -> str:
    return (
        f"CREATE TRIGGER dashboard_mark_write AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION dashboard_mark_write();"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0002_dashboard_indexes"),
        ("absence", "0002_builtin_profile"),
        ("botilbud", "0007_job_upload"),
        ("budget", "0020_actual_raw_sums_per_month"),
        ("disponering", "0009_ledger_month_totals"),
        ("followup", "0004_hardening"),
        ("visitation", "0009_placement_year"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.BigIntegerField()),
            ],
            options={
                "verbose_name": "dataversion (dashboard)",
                "verbose_name_plural": "dataversion (dashboard)",
            },
        ),
        migrations.RunSQL(FUNCTIONS_SQL, DROP_FUNCTIONS_SQL),
        *(
            migrations.RunSQL(_trigger_sql(table), f"DROP TRIGGER IF EXISTS dashboard_mark_write ON {table};")
            for table in DASHBOARD_TABLES
        ),
    ]
