"""Load (or reset) the chain templates from fixtures/chains.json."""

from django.core.management.base import BaseCommand

from escalation.loading import FIXTURE, load_chain_templates


class Command(BaseCommand):
    help = "Load the three chains and fifteen steps from fixtures/chains.json (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep-edits",
            action="store_true",
            help="Only create missing chains and steps; leave existing rows as they are.",
        )

    def handle(self, *args, **options):
        changed = load_chain_templates(update=not options["keep_edits"])
        self.stdout.write(f"Chains loaded from {FIXTURE}: {changed} row(s) created or reset.")
