"""Seed the eligibility rules with the pure defaults (HQ administrators edit them afterwards)."""

from django.db import migrations


def seed(apps, schema_editor):
    from entekhab.domain.eligibility import DEFAULT_RULES

    Rule = apps.get_model("candidates", "EligibilityRule")
    if Rule.objects.exists():
        return
    Rule.objects.bulk_create([
        Rule(office=office.value, code=r.code, version=r.version, kind=r.kind.value, params=dict(r.params),
             legal_ref=r.legal_ref, message_fa=r.message_fa, message_en=r.message_en, position=i)
        for office, rule_set in DEFAULT_RULES.items()
        for i, r in enumerate(rule_set.rules)
    ])


class Migration(migrations.Migration):
    dependencies = [("candidates", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
