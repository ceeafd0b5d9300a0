"""Default reference data, shared by the data migration and the test reload."""

PARAGRAPHS = [
    # code, name, law, ladder step, sort
    ("§82a", "Gruppebaseret hjælp og støtte", "SEL", 1, 10),
    ("§82b", "Individuel tidsbegrænset hjælp og støtte", "SEL", 1, 20),
    ("§103", "Beskyttet beskæftigelse", "SEL", 2, 10),
    ("§104", "Aktivitets- og samværstilbud", "SEL", 2, 20),
    ("§97", "Ledsageordning", "SEL", 3, 5),
    ("§85", "Socialpædagogisk støtte", "SEL", 3, 10),
    ("§110", "Forsorgshjem og herberg", "SEL", 4, 5),
    ("§107", "Midlertidigt botilbud", "SEL", 4, 10),
    ("§105+§85", "Almen bolig (ABL §105) med socialpædagogisk støtte (SEL §85)", "ABL/SEL", 5, 5),
    ("§108", "Længerevarende botilbud", "SEL", 5, 10),
]


def load_paragraphs(apps) -> None:
    Paragraph = apps.get_model("botilbud", "Paragraph")
    for code, name, law, step, sort in PARAGRAPHS:
        Paragraph.objects.get_or_create(
            code=code, defaults={"name": name, "law": law, "ladder_step": step, "sort_order": sort}
        )
