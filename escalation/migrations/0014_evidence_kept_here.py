import re

from django.db import migrations

# The fixture's words: "Kept here: ... (was: <the store the seed names>)".
_WAS = re.compile(r"\(was: (?P<store>.*)\)$")


def kept_here(apps, schema_editor):
    """The evidence of each step is kept in this system, no longer in the store the seed names (a
    SharePoint library, a board vault): fixtures/chains.json now says so. Give the templates and the
    steps of cases already running the new words where they still hold the seed's store; a store a
    provider edited is left. Running it again changes nothing."""
    from escalation.loading import read_fixture

    step_model = apps.get_model("escalation", "StepTemplate")
    step_run_model = apps.get_model("escalation", "StepRun")
    for chain in read_fixture():
        for step in chain["steps"]:
            wanted = step["evidence_store"]
            was = _WAS.search(wanted)
            if was is None:
                continue
            for model in (step_model, step_run_model):
                model.objects.filter(code=step["code"], evidence_store=was["store"]).update(
                    evidence_store=wanted
                )


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0013_a4_needs_each_group"),
    ]

    operations = [
        migrations.RunPython(kept_here, migrations.RunPython.noop),
    ]
