"""A review flag stores whether its incident is decided (a review outcome or a learning trigger), and
the flags awaiting a decision get a partial index, newest first, for the review list and its count.

The backfill marks the flags of incidents already decided, as `review_flags.refresh_decided` does. A
database that had incidents before the roll-up existed (its backfill moved here from 0012) has its
roll-up and flags filled first, by the one function that keeps them current.
"""

from django.db import migrations, models
from django.db.models import Q


def fill_rollup_if_never_filled(apps, schema_editor):
    """The roll-up and flags of a database upgraded from before 0012 (incidents or care hours, no days)."""
    Incident = apps.get_model("learning_transfer", "Incident")
    CareHours = apps.get_model("learning_transfer", "CareHours")
    ServiceDay = apps.get_model("learning_transfer", "ServiceDay")
    if ServiceDay.objects.exists() or not (Incident.objects.exists() or CareHours.objects.exists()):
        return
    from learning_transfer.services.rollup import after_data_saved

    Service = apps.get_model("providers", "Service")
    after_data_saved(Service.objects.values_list("pk", flat=True))
    if schema_editor.connection.vendor == "postgresql":
        # The new rows' key checks now, not at commit: the index below cannot be built while they wait.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def mark_decided(apps, schema_editor):
    ReviewFlag = apps.get_model("learning_transfer", "ReviewFlag")
    IncidentReview = apps.get_model("learning_transfer", "IncidentReview")
    LearningTrigger = apps.get_model("learning_transfer", "LearningTrigger")
    reviewed = IncidentReview.objects.values("incident_id")
    logged = LearningTrigger.objects.filter(source_incident__isnull=False).values("source_incident_id")
    ReviewFlag.objects.filter(Q(incident_id__in=reviewed) | Q(incident_id__in=logged)).update(decided=True)


class Migration(migrations.Migration):
    dependencies = [
        ("learning_transfer", "0016_matched_service_keeps_its_receipt"),
        ("providers", "0004_commissioning_organisations"),
    ]

    operations = [
        migrations.AddField(
            model_name="reviewflag",
            name="decided",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(fill_rollup_if_never_filled, migrations.RunPython.noop),
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
