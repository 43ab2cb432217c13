"""Keep each chain's deadlines in step order: A2 to A5 count from the step before, C4 moves back into
working time and is never after C5, C3 is never after C4 (as fixtures/chains.json now declares).

A step whose deadline rule was edited since it was loaded is left as it is.
"""

from django.db import migrations

BEFORE = {
    "A2": {"kind": "clock_on_working_day", "time": "10:18", "working_days_after": 0},
    "A3": {"kind": "clock_on_working_day", "time": "13:14", "working_days_after": 0},
    "A4": {"kind": "clock_on_working_day", "time": "16:06", "working_days_after": 0},
    "A5": {"kind": "clock_on_working_day", "time": "15:10", "working_days_after": 1},
    "C3": {"kind": "working_days_before", "days": 1},
    "C4": {"kind": "elapsed_hours_before", "hours": 28},
}
IN_ORDER = {
    "A2": {**BEFORE["A2"], "after_step": "A1"},
    "A3": {**BEFORE["A3"], "after_step": "A2"},
    "A4": {**BEFORE["A4"], "after_step": "A3"},
    "A5": {**BEFORE["A5"], "after_step": "A4"},
    "C3": {**BEFORE["C3"], "not_after_step": "C4"},
    "C4": {**BEFORE["C4"], "back_into_working_time": True, "not_after_step": "C5"},
}


def _replace(apps, old_rules, new_rules):
    step_model = apps.get_model("escalation", "StepTemplate")
    for step in step_model.objects.filter(code__in=new_rules):
        if step.deadline_rule == old_rules[step.code]:
            step.deadline_rule = new_rules[step.code]
            step.save(update_fields=["deadline_rule"])


def forwards(apps, schema_editor):
    _replace(apps, BEFORE, IN_ORDER)


def backwards(apps, schema_editor):
    _replace(apps, IN_ORDER, BEFORE)


class Migration(migrations.Migration):
    dependencies = [("escalation", "0002_load_chains")]

    operations = [migrations.RunPython(forwards, backwards)]
