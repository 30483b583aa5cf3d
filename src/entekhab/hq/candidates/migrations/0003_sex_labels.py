# The sex choices take their labels from the catalogue (no Persian in Python); a label is not a column, so no SQL runs.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('candidates', '0002_default_rules'),
    ]

    operations = [
        migrations.AlterField(
            model_name='registration',
            name='sex',
            field=models.CharField(choices=[('male', 'male'), ('female', 'female')], max_length=6, verbose_name='sex'),
        ),
    ]
