"""Once filled the daily roll-up and the review flags here; that backfill now runs in 0017.

The backfill calls the one function that keeps both current (`rollup.after_data_saved`), which writes
the review flag's `decided` (added in 0017): run here, it would fail on a database with incidents.
0017 fills the roll-up and flags of a database that reaches it without them.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("learning_transfer", "0011_incident_names_its_import")]

    operations = []
