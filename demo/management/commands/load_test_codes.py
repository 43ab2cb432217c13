"""Get the demo's people who sign in with a second step ready for a load test that runs as production
does (DEBUG off, so the published demo code is refused).

Each gets an authenticator app with a random key nobody holds (so the sign-in asks for a code rather
than for setting one up) and `--count` recovery codes, written to `--file` one per line as
"username code". The load test's people sign in with those codes, each used once, through the same
second step as anyone who has lost their phone. Any earlier authenticator and codes of theirs go.
Only the people of the demo's two providers are touched: nobody else's second step changes.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor

from .load_demo import demo_people


class Command(BaseCommand):
    help = "Give the demo's second-step people recovery codes for a load test, written to a file."

    def add_arguments(self, parser):
        parser.add_argument("--file", required=True, help="Where to write the codes.")
        parser.add_argument("--count", type=int, default=100, help="Recovery codes for each person.")

    def handle(self, *args, file, count, **options):
        if count < 1:
            raise CommandError("--count must be at least 1.")
        people = [user for user in demo_people() if two_factor.two_factor_required(user)]
        if not people:
            raise CommandError("No demo person needs a second step: run load_demo first.")
        lines = []
        with transaction.atomic():
            for user in people:
                TOTPDevice.objects.filter(user=user).delete()
                TOTPDevice.objects.create(user=user, name=two_factor.AUTHENTICATOR_NAME, confirmed=True)
                lines += [f"{user.username} {code}" for code in two_factor.new_recovery_codes(user, count)]
        Path(file).write_text("\n".join(lines) + "\n")
        self.stdout.write(f"{count} recovery codes each for {len(people)} people, written to {file}.")
