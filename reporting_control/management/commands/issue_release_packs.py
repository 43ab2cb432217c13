"""Issue the packs a release owes that do not exist yet: after commissioning organisations were set
up, or a service's commissioners changed, the released updates give each commissioner its own pack."""

from django.core.management.base import BaseCommand
from django.db import transaction

from reporting_control import services
from reporting_control.choices import UpdateStatus
from reporting_control.models import ReportingUpdate


class Command(BaseCommand):
    help = "Queue the missing release packs (the provider's and one per commissioner) of released updates."

    def handle(self, *args, **options):
        released = ReportingUpdate.objects.filter(status=UpdateStatus.RELEASED).select_related("released_by")
        made = 0
        for update in released.order_by("released_at", "pk"):
            with transaction.atomic():
                packs = services.queue_release_packs(update, by=update.released_by)
            for pack in packs:
                self.stdout.write(f"{update.reference}: {pack.commissioner or 'provider'} pack queued")
            made += len(packs)
        self.stdout.write(f"{made} pack{'s' * (made != 1)} queued.")
