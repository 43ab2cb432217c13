"""Fill the daily roll-up and the review flags from the incidents and care hours already stored.

Calls the one function that keeps them current (`rollup.after_data_saved`), so the backfill counts
exactly as every later save does. A database without incidents or care hours has nothing to fill.
"""

from django.db import migrations


def backfill(apps, schema_editor):
    Incident = apps.get_model("learning_transfer", "Incident")
    CareHours = apps.get_model("learning_transfer", "CareHours")
    if not (Incident.objects.exists() or CareHours.objects.exists()):
        return
    from learning_transfer.services.rollup import after_data_saved

    Service = apps.get_model("providers", "Service")
    after_data_saved(Service.objects.values_list("pk", flat=True))


class Migration(migrations.Migration):
    dependencies = [("learning_transfer", "0011_incident_names_its_import")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
