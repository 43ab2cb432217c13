from django.db import migrations


def name_computations(apps, schema_editor):
    """Give each step's measures their computation and parameters from fixtures/chains.json, and copy
    them (labels in words, the default parameters) onto the steps of cases already running, so their
    forms are filled in as before. A step whose measures were edited by hand is left as it is."""
    from escalation.loading import read_fixture
    from escalation.measures import with_parameters

    step_model = apps.get_model("escalation", "StepTemplate")
    step_run_model = apps.get_model("escalation", "StepRun")
    fixture = {s["code"]: s["measures"] for chain in read_fixture() for s in chain["steps"]}
    for step in step_model.objects.filter(code__in=fixture):
        measures = fixture[step.code]
        if [m["name"] for m in step.measures] != [m["name"] for m in measures]:
            continue
        step.measures = measures
        step.save(update_fields=["measures"])
        snapshot = with_parameters(measures)
        for step_run in step_run_model.objects.filter(step_template=step).only("pk", "measures"):
            if [m["name"] for m in step_run.measures] == [m["name"] for m in measures]:
                step_run.measures = snapshot
                step_run.save(update_fields=["measures"])


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0007_measure_parameters"),
    ]

    operations = [
        migrations.RunPython(name_computations, migrations.RunPython.noop),
    ]
