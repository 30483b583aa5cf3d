"""Reinstall the lifecycle triggers after ``polling.0006``: SQLite rebuilds a table to add columns,
and a rebuilt table has lost its triggers (``test_every_guarded_column_has_its_current_trigger``)."""

from django.db import migrations

from entekhab.hq.lifecycles.triggers import reinstall


def install(apps, schema_editor):
    reinstall(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("lifecycles", "0001_transition_triggers"),
        ("polling", "0006_heartbeats"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
