"""The seeds' paragraphs with their place on the intervention ladder."""

from django.db import migrations

from botilbud.migrations._defaults import load_paragraphs


def forwards(apps, schema_editor):
    load_paragraphs(apps)


class Migration(migrations.Migration):
    dependencies = [("botilbud", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
