"""Reinstall the lifecycle triggers after ``operations.0003``: SQLite rebuilt ``operations_device``
to drop a column, and a rebuilt table has lost its triggers."""

from django.db import migrations

from entekhab.hq.lifecycles.triggers import reinstall


def install(apps, schema_editor):
    reinstall(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("lifecycles", "0003_reinstall_after_incident_workflow"),
        ("operations", "0003_drop_device_token"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
