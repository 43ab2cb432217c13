from django.db import migrations

MEASURE = "omissions_per_100_administrations"


def cap_omissions(apps, schema_editor):
    """Medication omissions per 100 administrations are at most 100 (a dose is missed at most once), as
    the deployment's baseline for them already is (fixtures/chains.json "max"). Give the step templates
    the limit, and the checks not recorded yet, so a figure of 250 is refused wherever it is typed.
    Running it again changes nothing."""
    for model in ("StepTemplate", "StepRun"):
        rows = apps.get_model("escalation", model).objects.filter(code="B2")
        if model == "StepRun":
            rows = rows.filter(recorded_at__isnull=True)
        for row in rows.iterator():
            changed = False
            for measure in row.measures:
                if measure.get("name") == MEASURE and "max" not in measure:
                    measure["max"] = 100
                    changed = True
            if changed:
                row.save(update_fields=["measures"])


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0022_measures_asked_plainly"),
    ]

    operations = [
        migrations.RunPython(cap_omissions, migrations.RunPython.noop),
    ]
