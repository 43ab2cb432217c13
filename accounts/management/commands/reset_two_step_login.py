"""For a person who lost their phone and their recovery codes: remove their app and codes, so at their
next login (password first) they set up a new app."""

from django.core.management.base import BaseCommand, CommandError

from accounts import two_factor
from providers.models import User


class Command(BaseCommand):
    help = (
        "Remove a person's authenticator app and recovery codes; they set up a new app at their next login."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no login called {username!r}.")
        two_factor.reset(user)
        self.stdout.write(f"Two-step login reset for {username}: they set up a new app at their next login.")
