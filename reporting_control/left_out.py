"""Services left out of a linked trigger's learning, as the evidence check reads them: when and why each
was left out, and whether the learning had been sent to it first.

The quality director may leave a matched service out of a trigger at any time, with a reason. The row
stays (included = False) and its history says when; its receipt figures (`first_notice_at`) say when
its first learning notice was issued. evidence.py decides what these mean for a claim.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from learning_transfer.models import MatchedService


def day_words(moment: datetime) -> str:
    """A day as the evidence words write it: "23 Nov 2026" (London)."""
    return timezone.localtime(moment).strftime("%-d %b %Y")


@dataclass(frozen=True)
class LeftOut:
    """One matched service left out of a linked trigger's learning (`left_out_at`: when, from its
    history; None for a row left out before its history was kept)."""

    match: MatchedService
    left_out_at: datetime | None

    @property
    def after_its_notice(self) -> bool:
        """Whether the learning had been issued to the service before it was left out: it was judged
        comparable when the learning went out (`MatchedService.left_out_after_its_notice`)."""
        return self.match.left_out_after_its_notice

    def words(self, *, notice: bool = True) -> str:
        """ "Ash Grove was left out of the learning on 7 Dec 2026, after its learning notice was issued on
        2 Dec 2026: Not comparable after review" (the date and reason as recorded; the notice only when
        `notice` and it was issued first)."""
        when = f" on {day_words(self.left_out_at)}" if self.left_out_at else ""
        issued = self.match.first_notice_at
        after = f", after its learning notice was issued on {day_words(issued)}"
        after = after if notice and self.after_its_notice else ""
        reason = self.match.reason.strip().rstrip(".") or "no reason recorded"
        return f"{self.match.service.name} was left out of the learning{when}{after}: {reason}"


def _left_out_since(match_ids: list[int]) -> dict[int, datetime]:
    """{match id: when it was last left out}, read from the matches' history in one query: the start of
    the last run of rows saying it was left out."""
    rows = (
        MatchedService.history.filter(id__in=match_ids)
        .order_by("id", "history_date", "history_id")
        .values_list("id", "history_date", "included")
    )
    since: dict[int, datetime] = {}
    for pk, when, included in rows:
        if included:
            since.pop(pk, None)
        else:
            since.setdefault(pk, when)
    return since


def left_out_of(triggers, kept: set[int]) -> dict[int, LeftOut]:
    """{service id: LeftOut} for the services left out of these triggers and not among `kept` (the
    services still included in one of them, whose evidence is read there). Where a service was left out
    of several, the one sent the learning first, then the latest, speaks for it. Two queries at most."""
    matches = list(
        MatchedService.objects.filter(trigger__in=triggers, included=False)
        .exclude(service_id__in=kept)
        .select_related("service", "trigger", "implementation_confirmed_by")
    )
    if not matches:
        return {}
    since = _left_out_since([match.pk for match in matches])
    found = [LeftOut(match, since.get(match.pk)) for match in matches]
    found.sort(key=lambda left: (left.after_its_notice, left.left_out_at or left.match.trigger.confirmed_at))
    return {left.match.service_id: left for left in found}  # the last of a service's wins
