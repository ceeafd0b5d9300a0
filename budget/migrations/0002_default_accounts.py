"""The default chart of accounts: KL functions for botilbud × art groups.

Art 1 = wages (lønninger), 2 = goods (varekøb), 4 = services
(tjenesteydelser), 5 = transfers, 9 = internal purchases → other operations,
7 = income (indtægter). A blank function applies to every function.
"""

from django.db import migrations

FUNCTIONS = [
    ("5.38.42", "Botilbud for personer med særlige sociale problemer (§§ 109-110)"),
    ("5.38.50", "Botilbud til længerevarende ophold (§ 108)"),
    ("5.38.52", "Botilbud til midlertidigt ophold (§ 107)"),
    ("5.38.53", "Kontaktperson- og ledsageordninger (§§ 85, 97-99)"),
]
ARTS = [
    ("1", "loen", "Lønninger"),
    ("2", "drift", "Varekøb"),
    ("4", "drift", "Køb af tjenesteydelser"),
    ("5", "drift", "Tilskud og overførsler"),
    ("9", "drift", "Interne køb"),
    ("7", "indtaegt", "Indtægter"),
]


def forwards(apps, schema_editor):
    Account = apps.get_model("budget", "Account")
    for function_code, function_name in FUNCTIONS:
        for art, group, art_name in ARTS:
            Account.objects.update_or_create(
                function_code=function_code,
                art_prefix=art,
                defaults={"group": group, "name": f"{function_name}: {art_name}"},
            )


class Migration(migrations.Migration):
    dependencies = [("budget", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
