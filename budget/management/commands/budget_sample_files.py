"""``manage.py budget_sample_files [--month YYYY-MM] [--dir demo]``: sample import files in Danish format.

Writes a good actuals export (.xlsx and .csv), a bad one (a bad amount in row
17 and an unknown cost centre in row 40) and an opening budget (.xlsx) for
the demo's first two homes (cost centres 52000 and 52010).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser
from openpyxl import Workbook

from botilbud.lib.dates import month_end
from budget.importer import month_from_text

HEADER = ["Omkostningssted", "Funktion", "Art", "Bogføringsdato", "Beløb", "Tekst"]
LINES = [
    ("1.10", "Fast løn", 180_000, 260_000),
    ("1.20", "Timeløn og vikarer", 15_000, 45_000),
    ("1.51", "Pension", 20_000, 35_000),
    ("2.21", "Fødevarer", 4_000, 12_000),
    ("2.29", "Øvrige varer", 1_000, 6_000),
    ("4.00", "Tjenesteydelser", 2_000, 15_000),
    ("7.72", "Betaling fra beboere", -40_000, -20_000),
]


def danish(amount: float) -> str:
    whole, frac = f"{abs(amount):,.2f}".split(".")
    return ("-" if amount < 0 else "") + whole.replace(",", ".") + "," + frac


def rows_for(month: dt.date, count: int, seed: int = 5) -> list[list[str]]:
    rng = random.Random(seed)
    rows = []
    last = month_end(month).day
    for i in range(count):
        cc = "52000" if i % 2 == 0 else "52010"
        art, text, lo, hi = LINES[i % len(LINES)]
        amount = rng.uniform(lo, hi) / 4
        day = dt.date(month.year, month.month, 1 + (i * 7) % last)
        rows.append([cc, "5.38.50", art, f"{day:%d-%m-%Y}", danish(amount), text])
    return rows


def write_xlsx(path: Path, header: list[str], rows: list[list]) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Posteringer"
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)


class Command(BaseCommand):
    help = "Skriver eksempelfiler til import af forbrug og budget (dansk format)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", help="Måned (åååå-mm); standard er indeværende måned.")
        parser.add_argument("--dir", default="demo")

    def handle(self, *args: object, **options: object) -> None:
        month = month_from_text(str(options["month"])) if options["month"] else dt.date.today().replace(day=1)
        out = Path(str(options["dir"]))
        out.mkdir(parents=True, exist_ok=True)
        good = rows_for(month, 42)
        write_xlsx(out / "forbrug_eksempel.xlsx", HEADER, good)
        with (out / "forbrug_eksempel.csv").open("w", encoding="utf-8", newline="") as f:
            f.write(";".join(HEADER) + "\n")
            for row in good:
                f.write(";".join(row) + "\n")
        bad = [list(r) for r in rows_for(month, 45, seed=7)]
        bad[17 - 2][4] = "12.3456,7"  # sheet row 17 (header is row 1)
        bad[40 - 2][0] = "99999"  # sheet row 40
        write_xlsx(out / "forbrug_med_fejl.xlsx", HEADER, bad)
        budget = []
        for cc, wages, ops, income in (
            ("52000", 14_200_000, 1_650_000, -2_400_000),
            ("52010", 9_800_000, 1_100_000, -10_900_000),
        ):
            budget += [
                [cc, month.year, "Løn", wages],
                [cc, month.year, "Øvrig drift", ops],
                [cc, month.year, "Indtægter", income],
            ]
        write_xlsx(out / "budget_eksempel.xlsx", ["Omkostningssted", "År", "Kontogruppe", "Budget"], budget)
        self.stdout.write(self.style.SUCCESS(f"Eksempelfiler for {month:%m-%Y} skrevet i {out}/"))
