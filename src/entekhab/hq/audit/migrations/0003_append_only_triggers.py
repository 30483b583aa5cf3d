"""Database triggers refusing UPDATE and DELETE of audit events and signed heads (see ``audit.triggers``)."""

from django.db import migrations

from entekhab.hq.audit.triggers import drop_sql, install_sql


def install(apps, schema_editor):
    for sql in install_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


def drop(apps, schema_editor):
    for sql in drop_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_auditcheckpoint"),
    ]

    operations = [migrations.RunPython(install, drop)]
