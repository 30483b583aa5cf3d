"""Triggers refusing the lifecycle moves each table does not allow (see ``lifecycles.triggers``)."""

from django.db import migrations

from entekhab.hq.lifecycles.triggers import drop_all, reinstall


def install(apps, schema_editor):
    reinstall(schema_editor.connection)


def drop(apps, schema_editor):
    drop_all(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("candidates", "0002_default_rules"),
        ("polling", "0005_offline_claims"),
        ("operations", "0001_initial"),
        ("results", "0002_closing"),
        ("capacity", "0001_initial"),
    ]

    operations = [migrations.RunPython(install, drop)]
