"""Commissioning organisations: services name who commissions them, and a commissioner's role names the
organisation the person works for.

Before this, a commissioner held one role assignment per service. Each such person becomes one
organisation (named after them, to be renamed or merged by an operator) that commissions exactly the
services they had, so nobody sees more or less than before.
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

COMMISSIONER = "commissioner"


def per_person_organisations(apps, schema_editor):
    """One organisation per commissioner person; one assignment per provider instead of per service."""
    RoleAssignment = apps.get_model("providers", "RoleAssignment")
    Commissioner = apps.get_model("providers", "Commissioner")
    rows = RoleAssignment.objects.filter(role=COMMISSIONER).select_related("user").order_by("user_id", "pk")
    organisations = {}
    kept = set()
    for row in rows:
        organisation = organisations.get(row.user_id)
        if organisation is None:
            person = f"{row.user.first_name} {row.user.last_name}".strip() or row.user.username
            name = f"Commissioning organisation of {person}"
            if Commissioner.objects.filter(name=name).exists():
                name = f"{name} ({row.user.username})"
            organisation = organisations[row.user_id] = Commissioner.objects.create(name=name)
        if row.service_id:
            organisation.services.add(row.service_id)
        if (row.user_id, row.provider_id) in kept:
            row.delete()
            continue
        kept.add((row.user_id, row.provider_id))
        row.commissioner, row.service, row.region = organisation, None, None
        row.save(update_fields=["commissioner", "service", "region"])
    _check_now(schema_editor)


def per_service_assignments(apps, schema_editor):
    """Back to one commissioner assignment per commissioned service."""
    RoleAssignment = apps.get_model("providers", "RoleAssignment")
    for row in RoleAssignment.objects.filter(role=COMMISSIONER):
        for service in row.commissioner.services.filter(provider_id=row.provider_id):
            RoleAssignment.objects.get_or_create(
                user_id=row.user_id, role=COMMISSIONER, provider_id=row.provider_id, service=service
            )
        row.delete()
    _check_now(schema_editor)


def _check_now(schema_editor):
    """PostgreSQL refuses to alter a table with foreign-key checks still pending from the data step in
    the same transaction: run them now, so the constraint can follow in this one migration."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("providers", "0003_working_hours_defaults"),
    ]

    operations = [
        migrations.CreateModel(
            name="Commissioner",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200, unique=True)),
            ],
            options={
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalCommissioner",
            fields=[
                (
                    "id",
                    models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID"),
                ),
                ("name", models.CharField(db_index=True, max_length=200)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
            ],
            options={
                "verbose_name": "historical commissioner",
                "verbose_name_plural": "historical commissioners",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalService_commissioners",
            fields=[
                (
                    "id",
                    models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID"),
                ),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
            ],
            options={
                "verbose_name": "HistoricalService_commissioners",
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddField(
            model_name="historicalroleassignment",
            name="commissioner",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="For the Commissioner role only: the organisation the person works for.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="providers.commissioner",
            ),
        ),
        migrations.AddField(
            model_name="roleassignment",
            name="commissioner",
            field=models.ForeignKey(
                blank=True,
                help_text="For the Commissioner role only: the organisation the person works for.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="role_assignments",
                to="providers.commissioner",
            ),
        ),
        migrations.AddField(
            model_name="service",
            name="commissioners",
            field=models.ManyToManyField(
                blank=True,
                help_text="Who commissions care here; each sees evidence about its own services only.",
                related_name="services",
                to="providers.commissioner",
            ),
        ),
        migrations.AddField(
            model_name="historicalcommissioner",
            name="history_user",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="historicalservice_commissioners",
            name="commissioner",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_tablespace="",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="providers.commissioner",
            ),
        ),
        migrations.AddField(
            model_name="historicalservice_commissioners",
            name="history",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                to="providers.historicalservice",
            ),
        ),
        migrations.AddField(
            model_name="historicalservice_commissioners",
            name="service",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_tablespace="",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="providers.service",
            ),
        ),
        migrations.RunPython(per_person_organisations, per_service_assignments),
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
