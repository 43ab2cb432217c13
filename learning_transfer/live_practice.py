"""What live practice shows at the services a learning went to, read beside their verified
implementation.

Verification (chain A) says the change was put in place at a service; the checks on its shifts once
the learning went live there (chain B, the adoption app) say whether it holds. A board or a manager
reading "verified" beside a night team failing those checks would be misled, so every page that says
"verified" says this too.

The adoption app sits above this one in the house order, so it registers its reader in its
AppConfig.ready(), as dashboard panels are:

    live_practice.register(practice.at_matches)

The reader takes matched services (a queryset or ids), the moment and whether to read only the
services whose practice is off track, and returns {matched service id: Practice} for those whose
learning went live, in a fixed number of queries whatever their number.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse

from providers.templatetags.nhsuk import london

from .models import MatchedService

_READERS: list[Callable] = []


@dataclass(frozen=True)
class Practice:
    """Live practice at one matched service: when the learning went live, whether its checks still
    run, how many are past their deadline unrecorded, and how many problems they raised are open
    (a threshold reached, or a team, shift or location weak while the service's average is not)."""

    deployment_id: int
    live_since: datetime
    closed: bool
    overdue: int
    problems: int

    @property
    def on_track(self) -> bool:
        """No check overdue and no problem open."""
        return not (self.overdue or self.problems)

    @property
    def url(self) -> str:
        """The page of the learning live at the service, where its checks are recorded."""
        return reverse("adoption:deployment_detail", args=[self.deployment_id])

    def words(self) -> str:
        """ "Live since Fri 4 Dec 2026, 09:30: 14 checks overdue; 3 problems open (a threshold reached
        or a weak group)", or "…: checks on track"."""
        said = []
        if self.overdue:
            said.append(f"{self.overdue} check{'s' if self.overdue != 1 else ''} overdue")
        if self.problems:
            # Escalations, not groups: the deployment's page counts the groups weak now, which a
            # resolved escalation may still be about.
            are = "escalations still open" if self.problems != 1 else "escalation still open"
            said.append(f"{self.problems} {are} (a threshold reached or a weak group)")
        if not said:
            said.append("monitoring closed, nothing left open" if self.closed else "checks on track")
        return f"Live since {london(self.live_since)}: {'; '.join(said)}"


def register(reader: Callable) -> None:
    """Read live practice with `reader(matches, now, off_track_only)` (once, however often ready()
    runs)."""
    if reader not in _READERS:
        _READERS.append(reader)


def at(matches, now: datetime, *, off_track_only: bool = False) -> dict[int, Practice]:
    """{matched service id: Practice} of `matches` whose learning went live (with `off_track_only`,
    only those with a check overdue or a problem open); empty when no reader is registered."""
    found = {}
    for reader in _READERS:
        found.update(reader(matches, now, off_track_only))
    return found


def verified_off_track(matches, now: datetime, shown: int) -> dict:
    """The services of `matches` verified but whose live practice is off track now: {"count", "more"
    (than are named), "first": the first `shown` by service name, each {"match" (its id), "service",
    "trigger", "words"}}. The board's summary says it beside its verified counts."""
    from_matches = matches.filter(implementation_confirmed_at__isnull=False)
    off_track = at(from_matches, now, off_track_only=True)
    first = (
        MatchedService.objects.filter(pk__in=off_track)
        .select_related("service", "trigger")
        .order_by("service__name", "-trigger__confirmed_at", "pk")[:shown]
    )
    return {
        "count": len(off_track),
        "more": max(len(off_track) - shown, 0),
        "first": [
            {"match": m.pk, "service": m.service.name, "trigger": m.trigger, "words": off_track[m.pk].words()}
            for m in first
        ],
    }
