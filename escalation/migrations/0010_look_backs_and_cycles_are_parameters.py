from django.db import migrations


def add_parameters(apps, schema_editor):
    """A1's working days and look-back, A5's learning cycles and the sample size A2's check method shows
    became parameters in fixtures/chains.json. Give the steps their new measures and check method, and
    give the steps of cases already running the parameters they ran with (the defaults, labels in
    words), so their figures are still computed. A step whose measures were edited by hand is left."""
    from escalation.loading import read_fixture
    from escalation.measures import label_in_words

    step_model = apps.get_model("escalation", "StepTemplate")
    step_run_model = apps.get_model("escalation", "StepRun")
    fixture = {s["code"]: s for chain in read_fixture() for s in chain["steps"]}
    for step in step_model.objects.filter(code__in=fixture):
        wanted = fixture[step.code]
        if [m["name"] for m in step.measures] != [m["name"] for m in wanted["measures"]]:
            continue
        step.measures = wanted["measures"]
        step.check_method = wanted["check_method"]
        step.save(update_fields=["measures", "check_method"])
        defaults = {m["name"]: m for m in wanted["measures"] if m.get("parameters")}
        for step_run in step_run_model.objects.filter(step_template=step).only("pk", "measures"):
            changed = False
            for measure in step_run.measures:
                default = defaults.get(measure["name"])
                if default is None or set(default["parameters"]) <= set(measure.get("parameters") or {}):
                    continue
                measure["parameters"] = {**default["parameters"], **(measure.get("parameters") or {})}
                measure["label_template"] = default["label_template"]
                measure["label"] = label_in_words(default["label_template"], measure["parameters"])
                changed = True
            if changed:
                step_run.save(update_fields=["measures"])


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0009_claims_return_their_rows"),
    ]

    operations = [
        migrations.RunPython(add_parameters, migrations.RunPython.noop),
    ]
