"""An incident's description is at most 2,000 characters: the limit on the field (the forms and the
admin) and its validator (the services' full_clean); the import checks it row by row. No change to the
database: a description already longer stays as it is until it is next corrected."""

import django.core.validators
from django.db import migrations, models

REFUSAL = "Shorten the description to %(limit_value)d characters or fewer (it has %(show_value)d)."


class Migration(migrations.Migration):
    dependencies = [
        ("learning_transfer", "0025_trigger_logged_when_it_was"),
    ]

    operations = [
        migrations.AlterField(
            model_name="historicalincident",
            name="description",
            field=models.TextField(
                blank=True,
                help_text="What happened, briefly: up to 2,000 characters.",
                max_length=2000,
                validators=[
                    django.core.validators.MaxLengthValidator(
                        2000,
                        message=REFUSAL,
                    )
                ],
            ),
        ),
        migrations.AlterField(
            model_name="incident",
            name="description",
            field=models.TextField(
                blank=True,
                help_text="What happened, briefly: up to 2,000 characters.",
                max_length=2000,
                validators=[
                    django.core.validators.MaxLengthValidator(
                        2000,
                        message=REFUSAL,
                    )
                ],
            ),
        ),
    ]
