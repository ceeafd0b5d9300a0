"""The seeds' action-plan threshold: 1 % of the net budget or 100,000 kr."""

from django.db import migrations


def forwards(apps, schema_editor):
    Settings = apps.get_model("followup", "Settings")
    Settings.objects.get_or_create(pk=1, defaults={"threshold_pct": 1, "threshold_amount": 100000})


class Migration(migrations.Migration):
    dependencies = [("followup", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
