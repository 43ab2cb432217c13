"""Load the three chains and fifteen steps from fixtures/chains.json (see escalation/loading.py)."""

from django.db import migrations


def load(apps, schema_editor):
    from escalation.loading import load_chain_templates

    load_chain_templates(apps.get_model("escalation", "ChainTemplate"), apps.get_model("escalation", "StepTemplate"))


class Migration(migrations.Migration):
    dependencies = [("escalation", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
