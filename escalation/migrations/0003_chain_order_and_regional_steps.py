"""Keep each chain's deadlines in step order, and run A4 once per region of the matched services.

- A2 to A5 count from the step before; C4 moves back into working time and is never after C5; C3 is
  never after C4 (as fixtures/chains.json now declares). A step whose deadline rule was edited since
  it was loaded is left as it is.
- A step run may name its region (A4, one per region); A4's expected reduction is judged per matched
  service group, now named on its form (the region's matched services of one risk level).
"""

import django.db.models.deletion
from django.db import migrations, models

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
OLD_LABEL = "Expected reduction in comparable risk exposure, for each matched service group"
NEW_LABEL = (
    f"{OLD_LABEL} (the region's matched services of one risk level, as the mean of their expected reductions)"
)
OLD_GROUP = (OLD_LABEL, "matched service group")
NEW_GROUP = (NEW_LABEL, "risk-level group")


def _change(apps, old_rules, new_rules, old_group, new_group):
    step_model = apps.get_model("escalation", "StepTemplate")
    for step in step_model.objects.filter(code__in=new_rules):
        if step.deadline_rule == old_rules[step.code]:
            step.deadline_rule = new_rules[step.code]
            step.save(update_fields=["deadline_rule"])
    for step in step_model.objects.filter(code="A4"):
        for measure in step.measures:
            if measure.get("name") == "expected_reduction_pct" and measure.get("label") == old_group[0]:
                measure["label"], measure["item_label"] = new_group
                step.save(update_fields=["measures"])


def forwards(apps, schema_editor):
    _change(apps, BEFORE, IN_ORDER, OLD_GROUP, NEW_GROUP)


def backwards(apps, schema_editor):
    _change(apps, IN_ORDER, BEFORE, NEW_GROUP, OLD_GROUP)


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0002_load_chains"),
        ("providers", "0003_working_hours_defaults"),
    ]

    operations = [
        migrations.AddField(
            model_name="steprun",
            name="region",
            field=models.ForeignKey(
                blank=True,
                help_text="For a step run once per region the case covers: that region.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="providers.region",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
