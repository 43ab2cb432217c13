"""Each matched service keeps its receipt figures (first notice, first acknowledgement, current notice
and whether it is acknowledged), filled here from the notices already stored by the one function that
keeps them current (`notices.refresh_notice_figures`), so the backfill counts exactly as every later
write does."""

from django.db import migrations, models


def backfill(apps, schema_editor):
    MatchedService = apps.get_model("learning_transfer", "MatchedService")
    if not MatchedService.objects.exists():
        return
    # The service function works on the current models, which this migration's fields match.
    from learning_transfer.services.notices import refresh_notice_figures

    refresh_notice_figures(MatchedService.objects.values("pk"))


class Migration(migrations.Migration):
    dependencies = [("learning_transfer", "0015_audit_pointers_are_not_checked_row_by_row")]

    operations = [
        migrations.AddField(
            model_name="matchedservice",
            name="current_notice_acknowledged",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name="matchedservice",
            name="first_acknowledged_at",
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="matchedservice",
            name="first_notice_at",
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="matchedservice",
            name="has_current_notice",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
