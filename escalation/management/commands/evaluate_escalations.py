"""Run the escalation scan once, now or at a given moment, and print what it raised."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from escalation import engine, notifications
from providers.calendar import LONDON
from providers.templatetags.nhsuk import london


def parse_moment(text: str) -> datetime:
    """An ISO 8601 date-time; without a zone it is UK time (Europe/London)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(
            f"--now must be an ISO 8601 date and time such as 2026-11-23T10:30 or 2026-11-23T10:30:00+00:00; "
            f"got {text!r}."
        ) from None
    if moment.utcoffset() is None:
        moment = moment.replace(tzinfo=LONDON)
    return moment


class Command(BaseCommand):
    help = "Raise overdue and follow-up escalations due now (or at --now) and print them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", help="Evaluate as if it were this moment (ISO 8601; UK time if no zone)."
        )
        parser.add_argument("--send", action="store_true", help="Also e-mail pending notifications.")

    def handle(self, *args, **options):
        now = parse_moment(options["now"]) if options["now"] else timezone.now()
        report = engine.tick(now)
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(
            f"Raised {len(report.raised)} escalation(s) at {london(now)}: "
            f"{len(report.overdue)} overdue, {len(report.follow_ups)} follow-up(s)."
        )
        if options["send"]:
            self.stdout.write(f"Sent {notifications.send_pending(now)} notification(s).")
