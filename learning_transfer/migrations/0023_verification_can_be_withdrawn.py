"""A matched service keeps when and why its verification was withdrawn (services/verification.py)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('learning_transfer', '0022_people_affected_limited_everywhere'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalmatchedservice',
            name='verification_withdrawn_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='historicalmatchedservice',
            name='verification_withdrawn_because',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='matchedservice',
            name='verification_withdrawn_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='matchedservice',
            name='verification_withdrawn_because',
            field=models.TextField(blank=True),
        ),
    ]
