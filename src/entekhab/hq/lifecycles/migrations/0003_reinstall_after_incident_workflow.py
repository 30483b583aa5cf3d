"""Guard the incident's status (``polling.0007``), and reinstall what SQLite's table rebuild dropped."""

from django.db import migrations

from entekhab.hq.lifecycles.triggers import reinstall


def install(apps, schema_editor):
    reinstall(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("lifecycles", "0002_reinstall_after_heartbeats"),
        ("polling", "0007_incident_workflow"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
