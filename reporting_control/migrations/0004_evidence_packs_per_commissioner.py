"""Evidence packs per commissioner: a release issues the provider's full pack and one pack for each
commissioner of the covered services, each once.

Packs built before this were all the provider's full pack; where staff had asked for more after the
release, only the first stays the one "for release" (the constraint allows one per update).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def one_full_release_pack_per_update(apps, schema_editor):
    EvidencePack = apps.get_model("reporting_control", "EvidencePack")
    first = {}
    for pack in EvidencePack.objects.filter(for_release=True).order_by("requested_at", "pk"):
        first.setdefault(pack.update_id, pack.pk)
    EvidencePack.objects.filter(for_release=True).exclude(pk__in=first.values()).update(for_release=False)


class Migration(migrations.Migration):
    dependencies = [
        ("providers", "0004_commissioning_organisations"),
        ("reporting_control", "0003_background_work"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(one_full_release_pack_per_update, migrations.RunPython.noop),
        migrations.AddField(
            model_name="evidencepack",
            name="commissioner",
            field=models.ForeignKey(
                blank=True,
                help_text="The commissioner this pack was released to; empty for the provider's own full pack.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="evidence_packs",
                to="providers.commissioner",
            ),
        ),
        migrations.AddConstraint(
            model_name="evidencepack",
            constraint=models.UniqueConstraint(
                condition=models.Q(("commissioner__isnull", False), ("for_release", True)),
                fields=("update", "commissioner"),
                name="evidence_pack_released_once_per_commissioner",
            ),
        ),
        migrations.AddConstraint(
            model_name="evidencepack",
            constraint=models.UniqueConstraint(
                condition=models.Q(("commissioner__isnull", True), ("for_release", True)),
                fields=("update",),
                name="evidence_pack_released_once_for_provider",
            ),
        ),
        migrations.AddConstraint(
            model_name="evidencepack",
            constraint=models.CheckConstraint(
                condition=models.Q(("commissioner__isnull", True), ("for_release", True), _connector="OR"),
                name="evidence_pack_commissioner_only_on_release",
            ),
        ),
        migrations.AddField(
            model_name="historicalevidencepack",
            name="commissioner",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The commissioner this pack was released to; empty for the provider's own full pack.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="providers.commissioner",
            ),
        ),
    ]
