"""A commissioner's role always names its organisation, and only a commissioner's does.

Separate from 0004, whose data step must be committed before PostgreSQL alters the same table.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("providers", "0004_commissioning_organisations"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="roleassignment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("commissioner__isnull", False),
                        ("region__isnull", True),
                        ("role", "commissioner"),
                        ("service__isnull", True),
                    ),
                    models.Q(
                        models.Q(("role", "commissioner"), _negated=True), ("commissioner__isnull", True)
                    ),
                    _connector="OR",
                ),
                name="role_commissioner_acts_for_an_organisation",
            ),
        ),
    ]
