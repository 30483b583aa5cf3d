"""The full election lifecycle (issue 13): candidacy → registration, campaign → lists_final."""

from django.db import migrations, models

OLD_TO_NEW = {"candidacy": "registration", "campaign": "lists_final"}


def forwards(apps, schema_editor):
    Election = apps.get_model("elections", "Election")
    for old, new in OLD_TO_NEW.items():
        Election.objects.filter(state=old).update(state=new)


def backwards(apps, schema_editor):
    Election = apps.get_model("elections", "Election")
    for old, new in OLD_TO_NEW.items():
        Election.objects.filter(state=new).update(state=old)
    Election.objects.filter(state__in=["vetting"]).update(state="candidacy")
    Election.objects.filter(state__in=["ready"]).update(state="campaign")
    Election.objects.filter(state__in=["closed"]).update(state="polling")


class Migration(migrations.Migration):
    dependencies = [("elections", "0002_council_sizes")]

    operations = [
        migrations.AlterField(
            model_name="election",
            name="state",
            field=models.CharField(
                choices=[
                    ("draft", "draft"), ("registration", "registration"), ("vetting", "vetting"),
                    ("lists_final", "lists_final"), ("ready", "ready"), ("polling", "polling"),
                    ("closed", "closed"), ("counting", "counting"), ("certified", "certified"),
                    ("published", "published"),
                ],
                default="draft",
                max_length=12,
                verbose_name="state",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
