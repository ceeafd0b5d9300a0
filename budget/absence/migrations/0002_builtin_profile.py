from django.db import migrations


def create(apps, schema_editor):
    from budget.absence.reading import BUILTIN_PROFILES

    model = apps.get_model("absence", "AbsenceProfile")
    for spec in BUILTIN_PROFILES:
        model.objects.get_or_create(name=spec["name"], defaults={**spec, "is_builtin": True})


class Migration(migrations.Migration):
    dependencies = [("absence", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
