"""The council size table's legal source in Persian first, its English twin after (issue 15)."""

from django.db import migrations

OLD = "Council law Art. 5 (DOMAIN.md §3.2)"
NEW = "قانون شوراها، ماده ۵ (Council law Art. 5, DOMAIN.md §3.2)"


def forwards(apps, schema_editor):
    apps.get_model("elections", "CouncilSizeRule").objects.filter(source=OLD).update(source=NEW)


def backwards(apps, schema_editor):
    apps.get_model("elections", "CouncilSizeRule").objects.filter(source=NEW).update(source=OLD)


class Migration(migrations.Migration):
    dependencies = [("elections", "0003_election_lifecycle")]
    operations = [migrations.RunPython(forwards, backwards)]
