"""The default chart of accounts (the same rows as migration 0002).

``ensure_default_accounts`` restores them where they are missing (the demo
seeder and tests call it: a flushed test database loses migration data).
"""

from __future__ import annotations

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


def ensure_default_accounts() -> int:
    from budget.models import Account

    existing = set(Account.objects.values_list("function_code", "art_prefix"))
    new = [
        Account(function_code=code, art_prefix=art, group=group, name=f"{name}: {art_name}")
        for code, name in FUNCTIONS
        for art, group, art_name in ARTS
        if (code, art) not in existing
    ]
    Account.objects.bulk_create(new)
    return len(new)
