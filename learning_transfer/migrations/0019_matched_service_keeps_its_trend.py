"""Each matched service keeps its trend figures (its service's incidents and care hours in each of the
4 weeks before and after its trigger's learning was issued), filled here from the daily roll-up by the
one function that keeps them current (`trend.refresh_trend_figures`), so the backfill counts exactly as
every later write does."""

from django.db import migrations, models


def backfill(apps, schema_editor):
    MatchedService = apps.get_model("learning_transfer", "MatchedService")
    if not MatchedService.objects.filter(trigger__notices_issued_at__isnull=False).exists():
        return
    # The service function works on the current models, which this migration's fields match.
    from learning_transfer.services.trend import refresh_trend_figures

    refresh_trend_figures(MatchedService.objects.values("pk"))


class Migration(migrations.Migration):
    dependencies = [
        ("learning_transfer", "0018_derived_rows_are_not_checked_row_by_row"),
    ]

    operations = [
        migrations.AddField(
            model_name="matchedservice",
            name="week_minus1_hour_hundredths",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="matchedservice",
            name="week_minus1_incidents",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="matchedservice",
            name="week_minus2_hour_hundredths",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="matchedservice",
            name="week_minus2_incidents",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="matchedservice",
            name="week_minus3_hour_hundredths",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="matchedservice",
            name="week_minus3_incidents",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="matchedservice",
            name="week_minus4_hour_hundredths",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="matchedservice",
            name="week_minus4_incidents",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="matchedservice",
            name="week_plus1_hour_hundredths",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="matchedservice",
            name="week_plus1_incidents",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="matchedservice",
            name="week_plus2_hour_hundredths",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="matchedservice",
            name="week_plus2_incidents",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="matchedservice",
            name="week_plus3_hour_hundredths",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="matchedservice",
            name="week_plus3_incidents",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="matchedservice",
            name="week_plus4_hour_hundredths",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="matchedservice",
            name="week_plus4_incidents",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
