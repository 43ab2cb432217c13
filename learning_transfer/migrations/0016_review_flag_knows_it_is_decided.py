"""A review flag stores whether its incident is decided (a review outcome or a learning trigger), and
the flags awaiting a decision get a partial index, newest first, for the review list and its count.

The backfill marks the flags of incidents already decided, as `review_flags.refresh_decided` does.
"""

from django.db import migrations, models
from django.db.models import Q


def mark_decided(apps, schema_editor):
    ReviewFlag = apps.get_model("learning_transfer", "ReviewFlag")
    IncidentReview = apps.get_model("learning_transfer", "IncidentReview")
    LearningTrigger = apps.get_model("learning_transfer", "LearningTrigger")
    reviewed = IncidentReview.objects.values("incident_id")
    logged = LearningTrigger.objects.filter(source_incident__isnull=False).values("source_incident_id")
    ReviewFlag.objects.filter(Q(incident_id__in=reviewed) | Q(incident_id__in=logged)).update(decided=True)


class Migration(migrations.Migration):
    dependencies = [
        ("learning_transfer", "0015_audit_pointers_are_not_checked_row_by_row"),
        ("providers", "0004_commissioning_organisations"),
    ]

    operations = [
        migrations.AddField(
            model_name="reviewflag",
            name="decided",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(mark_decided, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="reviewflag",
            index=models.Index(
                condition=models.Q(("decided", False)),
                fields=["occurred_at", "incident"],
                include=(
                    "service",
                    "serious_harm",
                    "repeated",
                    "safeguarding",
                    "regulatory",
                    "several_people",
                ),
                name="review_flag_awaiting",
            ),
        ),
    ]
