"""Seed the council size table with DOMAIN.md §3.2 (the HQ may edit it afterwards)."""

from django.db import migrations

SOURCE = "قانون شوراها، ماده ۵ (Council law Art. 5, DOMAIN.md §3.2)"  # Persian first (issue 15)


def seed(apps, schema_editor):
    from entekhab.domain.council_size import DEFAULT_COUNCIL_SIZES

    Rule = apps.get_model("elections", "CouncilSizeRule")
    if Rule.objects.exists():
        return
    Rule.objects.bulk_create([
        Rule(settlement=r.settlement.value, min_population=r.min_population, max_population=r.max_population,
             seats=r.seats, alternates=r.alternates, source=SOURCE)
        for r in DEFAULT_COUNCIL_SIZES
    ])


class Migration(migrations.Migration):
    dependencies = [("elections", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
