"""What happened to a released update's evidence after its release: verifications withdrawn since.

A released update's packs keep what was signed off (ReleasedPackContent), so they keep saying a line is
evidenced when the verification it rested on is later withdrawn (a line at the service reopened, a lead
removed). The packs stay as released; the provider's own pages say, line by line, which verification
was withdrawn since, when and why, and which commissioners hold a pack saying the line is evidenced.

Read from the matched services' history, so a withdrawal stays known after the service is verified
again. Every function here reads any number of updates in a fixed number of queries.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from learning_transfer.models import MatchedService
from providers.templatetags.nhsuk import on_at
from providers.who_acts import join_and

from .choices import LineState
from .evidence import EvidenceMap, speaks_for_the_provider
from .models import ReleasedPackContent, ReportingLine, ReportingUpdate

# The states a release says a line is evidenced in (the released pack's "evidenced" lines).
RELEASED_AS_EVIDENCED = (LineState.EVIDENCED, LineState.CHALLENGE_CLEARED)


@dataclass
class Withdrawal:
    """One verification a released line rested on, withdrawn after the release."""

    match_id: int
    service: str
    at: datetime
    because: str
    verified_again_at: datetime | None
    # Whom a pack saying the line is evidenced went to: commissioners' names (empty: the provider's only).
    held_by: tuple = ()

    @property
    def words(self) -> str:
        """The sentence the update's page shows under its line."""
        said = f"Since release: {self.service}'s verification was withdrawn {on_at(self.at)}"
        said += f" (because {self.because})." if self.because else "."
        if self.verified_again_at:
            said += f" It was verified again {on_at(self.verified_again_at)}."
        if self.held_by:
            one = len(self.held_by) == 1
            packs, hold, say = ("pack", "holds", "says") if one else ("packs", "hold", "say")
            said += f" The {packs} {join_and(list(self.held_by))} {hold} {say} this line is evidenced."
        else:
            said += " The pack issued on release says this line is evidenced."
        return said


def withdrawn_since_release(updates) -> dict[int, dict[int, list[Withdrawal]]]:
    """{update id: {line id: [Withdrawal]}} for the released updates among `updates` whose evidenced
    lines rested on a verification withdrawn after release (updates and lines with none are left out).

    A line rested on a match's verification when the match is of a trigger the update reports on, its
    service is one the line speaks for (named, or every matched service for a line speaking for the
    whole provider), and the match was verified when the update was released. Six queries, whatever the
    number of updates."""
    released = {u.pk: u for u in updates if u.released_at is not None}
    if not released:
        return {}
    lines = list(
        ReportingLine.objects.filter(update_id__in=released, state__in=RELEASED_AS_EVIDENCED)
        .prefetch_related("services")
        .order_by("update_id", "order")
    )
    if not lines:
        return {}
    through = ReportingUpdate.triggers.through.objects.filter(reportingupdate_id__in=released)
    triggers_of = defaultdict(set)
    for update_id, trigger_id in through.values_list("reportingupdate_id", "learningtrigger_id"):
        triggers_of[update_id].add(trigger_id)
    all_triggers = set().union(*triggers_of.values()) if triggers_of else set()
    matches = list(MatchedService.objects.filter(trigger_id__in=all_triggers).select_related("service"))
    history = _history_of([m.pk for m in matches])
    held_by = _packs_saying_evidenced(released)
    found: dict[int, dict[int, list[Withdrawal]]] = {}
    for line in lines:
        update = released[line.update_id]
        named = {s.pk for s in line.services.all()}
        provider_wide = speaks_for_the_provider(line, EvidenceMap(0, 0, {}, update.provider.name))
        for match in matches:
            if match.trigger_id not in triggers_of[update.pk]:
                continue
            if not (provider_wide or match.service_id in named):
                continue
            withdrawal = _first_withdrawal_after(history.get(match.pk, []), update.released_at)
            if withdrawal is None:
                continue
            at, because = withdrawal
            again = match.implementation_confirmed_at
            found.setdefault(update.pk, {}).setdefault(line.pk, []).append(
                Withdrawal(
                    match_id=match.pk,
                    service=match.service.name,
                    at=at,
                    because=because,
                    verified_again_at=again if again and again > at else None,
                    held_by=tuple(held_by.get((update.pk, line.order), ())),
                )
            )
    for by_line in found.values():
        for withdrawals in by_line.values():
            withdrawals.sort(key=lambda w: (w.at, w.service))
    return found


def _history_of(match_ids: list[int]) -> dict[int, list[tuple]]:
    """{match id: [(history date, verified at, withdrawn at, because)]}, oldest first, in one query."""
    rows = (
        MatchedService.history.filter(id__in=match_ids)
        .order_by("id", "history_date", "history_id")
        .values_list(
            "id",
            "history_date",
            "implementation_confirmed_at",
            "verification_withdrawn_at",
            "verification_withdrawn_because",
        )
    )
    by_match = defaultdict(list)
    for match_id, *row in rows:
        by_match[match_id].append(tuple(row))
    return by_match


def _first_withdrawal_after(rows: list[tuple], released_at: datetime) -> tuple[datetime, str] | None:
    """(when, because) of the first withdrawal after `released_at` of a verification the match had at
    release; None when it was not verified then or nothing withdrew it since."""
    before = [row for row in rows if row[0] <= released_at]
    if not before or before[-1][1] is None:
        return None
    for _, _, withdrawn_at, because in rows[len(before) :]:
        if withdrawn_at is not None and withdrawn_at > released_at:
            return withdrawn_at, because
    return None


def _packs_saying_evidenced(released: dict) -> dict[tuple[int, int], list[str]]:
    """{(update id, line order): [commissioner names]} of the commissioners' packs kept at release that
    show the line (a commissioner's pack holds only the lines wholly about its services), in one query."""
    held = defaultdict(list)
    kept = (
        ReleasedPackContent.objects.filter(update_id__in=released, commissioner__isnull=False)
        .select_related("commissioner")
        .order_by("commissioner__name")
    )
    for content in kept:
        for line in content.content.get("lines", []):
            if not line.get("left_out"):
                held[(content.update_id, line.get("order"))].append(content.commissioner.name)
    return held


def withdrawn_line_count(found: dict, update_id: int) -> int:
    """How many lines of the update rested on a verification withdrawn since its release."""
    return len(found.get(update_id, {}))
