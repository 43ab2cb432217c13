"""The number of people an incident affected is 1 to 10,000 on every path: validators on the field (so
the admin refuses more, with the import's message) and a check in the database."""

import django.core.validators
from django.db import migrations, models

REFUSAL = "Give the number of people affected as a whole number from 1 to 10,000."


def refuse_if_any_outside_the_limits(apps, schema_editor):
    """Name the incidents the new check would refuse, so an operator can correct them first, rather
    than leaving only the database's own words about a failed constraint."""
    Incident = apps.get_model("learning_transfer", "Incident")
    outside = Incident.objects.exclude(people_affected__gte=1, people_affected__lte=10_000)
    found = list(outside.values_list("source_reference", "people_affected")[:20])
    if found:
        named = ", ".join(f"{reference} ({people:,})" for reference, people in found)
        raise RuntimeError(
            "Correct the number of people affected (1 to 10,000) of these incidents before "
            f"migrating: {named}."
        )


def people_affected_field():
    return models.PositiveIntegerField(
        default=1,
        validators=[
            django.core.validators.MinValueValidator(1, message=REFUSAL),
            django.core.validators.MaxValueValidator(10000, message=REFUSAL),
        ],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("learning_transfer", "0021_history_reasons_kept_whole"),
    ]

    operations = [
        migrations.RunPython(refuse_if_any_outside_the_limits, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="historicalincident", name="people_affected", field=people_affected_field()
        ),
        migrations.AlterField(model_name="incident", name="people_affected", field=people_affected_field()),
        migrations.AddConstraint(
            model_name="incident",
            constraint=models.CheckConstraint(
                condition=models.Q(("people_affected__gte", 1), ("people_affected__lte", 10000)),
                name="incident_people_affected_in_range",
                violation_error_message=REFUSAL,
            ),
        ),
    ]
