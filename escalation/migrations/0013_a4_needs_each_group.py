from django.db import migrations


def require_groups(apps, schema_editor):
    """A4's expected reduction per risk-level group must now list its groups (fixtures/chains.json marks it
    "items_required"): with none, A4 read "within threshold" with nothing judged. Mark the template's
    measure and every A4 of a case, so a case already running refuses an empty record too (a mark on
    what may be recorded, not a deadline or threshold). Records already made stay as they were made."""
    step_model = apps.get_model("escalation", "StepTemplate")
    step_run_model = apps.get_model("escalation", "StepRun")
    for step in step_model.objects.filter(code="A4"):
        if _mark(step.measures):
            step.save(update_fields=["measures"])
    for step_run in step_run_model.objects.filter(code="A4").only("pk", "measures"):
        if _mark(step_run.measures):
            step_run.save(update_fields=["measures"])


def _mark(measures) -> bool:
    """Mark the expected-reduction measure; True if it changed."""
    for measure in measures:
        if measure.get("name") == "expected_reduction_pct" and measure.get("group"):
            if measure.get("items_required") is not True:
                measure["items_required"] = True
                return True
    return False


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0012_history_reasons_kept_whole"),
    ]

    operations = [
        migrations.RunPython(require_groups, migrations.RunPython.noop),
    ]
