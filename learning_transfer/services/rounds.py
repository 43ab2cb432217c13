"""Rounds of a trigger's learning notices (A2): what each round reached and how each notice fared.

Redistribution supersedes a service's notice with the next round's and keeps the old one, so the
trigger's page can show the whole history: each round in a sentence ("Round 1: … 2 of 3 received
within 4 hours") and each service's notices round by round. Everything here reads the notices the
trigger's picture (`measures.picture`) already loaded: no query of its own, whatever the number of
services and rounds.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.template.defaultfilters import pluralize

from providers.templatetags.nhsuk import london

from ..models import LearningNotice

# How a notice fared against the receipt window counted from its own issue.
IN_TIME, LATE, MISSED, WAITING = "in_time", "late", "missed", "waiting"


def receipt_of(notice: LearningNotice, window_hours: int, now: datetime) -> str:
    """Acknowledged within `window_hours` of its own issue (IN_TIME) or after (LATE); never acknowledged
    and replaced by the next round or past its window (MISSED); or still inside its window (WAITING)."""
    closes = notice.issued_at + timedelta(hours=window_hours)
    if notice.acknowledged_at:
        return IN_TIME if notice.acknowledged_at <= closes else LATE
    if notice.superseded_at is not None or now >= closes:
        return MISSED
    return WAITING


def missed_in_time(notice: LearningNotice, window_hours: int) -> bool:
    """Whether a missed notice's window had closed before it was replaced (a notice replaced earlier, for
    want of an owner or due date, was not received, but was not late)."""
    closes = notice.issued_at + timedelta(hours=window_hours)
    return notice.superseded_at is None or notice.superseded_at >= closes


@dataclass
class Round:
    """One round of a trigger's notices to its included services, and how they fared."""

    number: int
    first_issued_at: datetime
    last_issued_at: datetime
    issued: int = 0
    in_time: int = 0
    late: int = 0
    missed: int = 0
    waiting: int = 0

    def words(self, window_hours: int) -> str:
        """The round in a sentence, e.g. "Round 2: reissued Wed 18 Nov 2026, 15:30 to the 1 service
        without a received notice; 1 of 1 received within 4 hours of the reissue." """
        when = london(self.first_issued_at)
        if self.last_issued_at != self.first_issued_at:
            when = f"between {when} and {london(self.last_issued_at)}"
        services = f"{self.issued} service{pluralize(self.issued)}"
        if self.number == 1:
            reached, of_what = f"issued {when} to {services}", ""
        else:
            reached = f"reissued {when} to the {services} without a received notice"
            of_what = " of the reissue"
        parts = [f"{self.in_time} of {self.issued} received within {window_hours} hours{of_what}"]
        if self.late:
            parts.append(f"{self.late} received late")
        if self.missed:
            parts.append(f"{self.missed} not received in time")
        if self.waiting:
            parts.append(f"{self.waiting} not yet due")
        return f"Round {self.number}: {reached}; {', '.join(parts)}."


def rounds(rows, window_hours: int, now: datetime) -> list[Round]:
    """The rounds of the notices of `rows` (a picture's included services), first round first."""
    by_number: dict[int, Round] = {}
    for row in rows:
        for notice in row.notices:
            found = by_number.get(notice.round)
            if found is None:
                found = by_number[notice.round] = Round(notice.round, notice.issued_at, notice.issued_at)
            found.first_issued_at = min(found.first_issued_at, notice.issued_at)
            found.last_issued_at = max(found.last_issued_at, notice.issued_at)
            found.issued += 1
            receipt = receipt_of(notice, window_hours, now)
            setattr(found, receipt, getattr(found, receipt) + 1)
    return [by_number[number] for number in sorted(by_number)]
