"""Triggers refusing the lifecycle moves each table does not allow (see ``lifecycles.triggers``)."""

from django.db import migrations

from entekhab.hq.lifecycles.triggers import reinstall


def install(apps, schema_editor):
    reinstall(schema_editor.connection)


def drop(apps, schema_editor):
    from entekhab.hq.lifecycles.triggers import PREFIX

    conn = schema_editor.connection
    with conn.cursor() as cur:
        if conn.vendor == "sqlite":
            cur.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [PREFIX + "%"])
            for (name,) in cur.fetchall():
                cur.execute(f"DROP TRIGGER {name}")
        else:
            cur.execute("SELECT tgname, tgrelid::regclass::text FROM pg_trigger"
                        " WHERE NOT tgisinternal AND tgname LIKE %s", [PREFIX + "%"])
            for name, table in cur.fetchall():
                cur.execute(f"DROP TRIGGER {name} ON {table}")


class Migration(migrations.Migration):

    dependencies = [
        ("candidates", "0002_default_rules"),
        ("polling", "0005_offline_claims"),
        ("operations", "0001_initial"),
        ("results", "0002_closing"),
        ("capacity", "0001_initial"),
    ]

    operations = [migrations.RunPython(install, drop)]
