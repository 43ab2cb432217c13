"""A4 runs once per region of the matched services: a step run may name its region. A4's expected
reduction is judged per matched service group, now named on the form (risk levels in the region)."""

import django.db.models.deletion
from django.db import migrations, models

OLD_LABEL = "Expected reduction in comparable risk exposure, for each matched service group"
NEW_LABEL = f"{OLD_LABEL} (the region's matched services of one risk level, as the mean of their expected reductions)"
LABELS = {"forwards": (OLD_LABEL, "matched service group", NEW_LABEL, "risk-level group")}
LABELS["backwards"] = (NEW_LABEL, "risk-level group", OLD_LABEL, "matched service group")


def _relabel(apps, direction):
    old_label, old_item, new_label, new_item = LABELS[direction]
    step = apps.get_model("escalation", "StepTemplate").objects.filter(code="A4").first()
    if step is None:
        return
    for measure in step.measures:
        if measure.get("name") == "expected_reduction_pct" and measure.get("label") == old_label:
            measure["label"], measure["item_label"] = new_label, new_item
            step.save(update_fields=["measures"])


def forwards(apps, schema_editor):
    _relabel(apps, "forwards")


def backwards(apps, schema_editor):
    _relabel(apps, "backwards")


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0003_chain_deadlines_in_order"),
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
