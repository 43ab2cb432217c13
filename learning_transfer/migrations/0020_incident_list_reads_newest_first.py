"""The incident list reads a person's incidents newest first from an index in that order: without it,
PostgreSQL sorted every incident of a large provider (2 million) to show the newest 50."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("learning_transfer", "0019_matched_service_keeps_its_trend"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(fields=["-occurred_at", "-id"], name="incident_newest_first"),
        ),
    ]
