"""What was done at one matched service, for its page's History: the service's own record (matched,
exposure log, verification), its notices (issued, acknowledged, reissued), its implementation lead
(confirmed, replaced) and its implementation lines (added, completed, reopened, corrected), newest first.

Each of the four records keeps its own history table (django-simple-history). Each is read once, its
newest rows only, with the columns the History shows; the four are merged here, newest first, changes
made at the same moment in the order they can have happened. A change of the service's own record says
what it changed, old → new (`providers.history.field_changes`, as every record's History does). Four
queries, whatever the length of the history.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from providers.history import READ_AS, SHOWN, field_changes, value_words
from providers.models import User
from providers.numbers import format_rate
from providers.permissions import compiled_once
from providers.templatetags.nhsuk import london

from ..models import ImplementationLead, ImplementationLine, LearningNotice, MatchedService
from .line_mails import CORRECTED
from .lines import REOPENED


@dataclass(frozen=True)
class Change:
    """One line of the History: when, who, what was done and why. Read by the shared History table
    (templates/includes/history.html) under the names of a historical row's own fields."""

    history_date: datetime
    history_user: User | None
    what: str
    history_change_reason: str
    changes: tuple[str, ...] = ()  # what a change changed, "label: old → new" a line

    @property
    def get_history_type_display(self) -> str:
        """What was done, where a historical row says "Created" or "Changed"."""
        return self.what


# How adjust_match opens the history reason of a service added or left out by hand.
ADJUSTED = (("Added: ", "added to"), ("Left out: ", "left out of"))  # "… the learning"


def matched_set_changes(trigger, services_seen: set[int], limit: int = 30) -> list[Change]:
    """The services added to or left out of the trigger's learning by hand, newest first, as lines of
    the trigger's History ("Ash Grove left out of the learning", who, why), of the services
    in `services_seen` (the page shows no service the person's role does not reach). One query."""
    adjusted = Q()
    for opening, _ in ADJUSTED:
        adjusted |= Q(history_change_reason__startswith=opening)
    rows = (
        MatchedService.history.filter(adjusted, trigger_id=trigger.pk)
        .select_related("history_user", "service")
        .order_by("-history_date", "-pk")[:limit]
    )
    changes = []
    for row in rows:
        if row.service_id not in services_seen:
            continue
        opening, verb = next((o, v) for o, v in ADJUSTED if row.history_change_reason.startswith(o))
        reason = row.history_change_reason.removeprefix(opening)
        changes.append(
            Change(row.history_date, row.history_user, f"{row.service} {verb} the learning", reason)
        )
    return changes


def _percent(value) -> str | None:
    """A percentage as the service's page shows it: "14 %"."""
    return None if value is None else f"{value.normalize():f} %"


# The service's fields whose own names read poorly in a change ("Expected reduction pct"), in the
# words its page uses (the shared History reads every other field by its own label).
READ_AS["learning_transfer.MatchedService"] = [
    ("Incidents in the matching window", ("incidents_7d",), value_words),
    ("Care hours in the matching window", ("care_hours_7d",), value_words),
    ("Incident rate per 100 care hours", ("rate_7d",), format_rate),
    ("Above the provider median", ("above_median",), value_words),
    ("Found by the risk-profile rule", ("matched_by_rule",), value_words),
    ("Mandatory briefing completed", ("briefing_completed_at",), london),
    ("Comparable risk found", ("comparable_risk_open_since",), london),
    ("Comparable risk resolved", ("comparable_risk_resolved_at",), london),
    ("Expected reduction in comparable risk", ("expected_reduction_pct",), _percent),
    ("Verified", ("implementation_confirmed_at",), london),
    ("Verification withdrawn", ("verification_withdrawn_at",), london),
]


def _the_service(row) -> str:
    """The matched service's own record: created (matched) or changed (its exposure log, inclusion or
    verification), as the History always said it."""
    return row.get_history_type_display()


def _notice(row) -> str:
    """A notice issued (or reissued, from round 2) or, once issued, acknowledged, superseded or given
    another owner or due date (the only changes a notice has)."""
    if row.history_type == "+":
        return "Learning notice issued" if row.round == 1 else f"Learning notice reissued (round {row.round})"
    if row.superseded_at is not None:
        return "Learning notice replaced by a reissue"
    if row.acknowledged_at is not None:
        return "Learning notice acknowledged"
    return "Learning notice changed"


def _lead(row) -> str:
    """The implementation lead confirmed, or replaced by another person (the reason is its why)."""
    if row.history_type == "+":
        return f"Implementation lead confirmed: {row.person}"
    return f"Implementation lead changed to {row.person}"


def _line(row) -> str:
    """A line added, completed, reopened (done by mistake) or corrected (its task, owner or due date):
    the last two are told by the start of their reason (`lines.REOPENED`, `lines.CORRECTED`)."""
    if row.history_type == "+":
        return f"Implementation line added: {row.task}"
    reason = row.history_change_reason or ""
    if reason.startswith(REOPENED):
        return f"Implementation line reopened: {row.task}"
    if reason.startswith(CORRECTED):
        return f"Implementation line corrected: {row.task}"
    if row.completed_at is not None:
        return f"Implementation line completed: {row.task}"
    return f"Implementation line changed: {row.task}"


# Each record at a matched service beside its own (`_the_services_changes`): (model, the column naming
# the matched service, the columns its words read beyond those the History shows, the people they name,
# its words).
RECORDS = [
    (LearningNotice, "matched_service_id", ["round", "acknowledged_at", "superseded_at"], [], _notice),
    (ImplementationLead, "matched_service_id", ["person"], ["person"], _lead),
    (ImplementationLine, "matched_service_id", ["task", "completed_at"], [], _line),
]


def match_history(match: MatchedService, limit: int = 30) -> list[Change]:
    """The newest `limit` changes of the matched service and of its notices, lead and lines, newest
    first: one query a record (its SQL kept, run with this service). Changes at the same moment keep
    the order they can have happened in: the service's record (a verification, or its withdrawal
    after the change that undid it) after its notices, lead and lines; its matching before them all."""
    changes = _the_services_changes(match, limit)
    for model, column, columns, people, words in RECORDS:

        def newest(pk, model=model, column=column, columns=columns, people=people):
            rows = model.history.filter(**{column: pk}).select_related("history_user", *people)
            return rows.only(*SHOWN, "history_type", *columns).order_by("-history_date", "-pk")[:limit]

        name = f"changes at a matched service: {model._meta.label}, {limit}"
        for row in compiled_once(None, name, newest, pk=match.pk).rows():
            reason = row.history_change_reason or ""
            changes.append(Change(row.history_date, row.history_user, words(row), reason))
    # Sorted by when, newest first; at the same moment the match's creation is the oldest, and every
    # other change keeps the order it was listed in (the sort is stable), so the History reads the same
    # on every view.
    changes.sort(key=lambda change: (change.history_date, change.what != "Created"), reverse=True)
    return changes[:limit]


def _the_services_changes(match: MatchedService, limit: int) -> list[Change]:
    """The newest `limit` changes of the matched service's own record, each saying what it changed:
    one row more than shown is read, so the oldest shown is compared with the one before it too."""

    def newest(pk):
        rows = MatchedService.history.filter(id=pk)
        rows = rows.select_related("history_user", "implementation_confirmed_by")
        return rows.order_by("-history_date", "-pk")[: limit + 1]

    name = f"changes at a matched service: its own record, {limit}"
    rows = list(compiled_once(None, name, newest, pk=match.pk).rows())
    # The people a change names: read with the rows, so the History asks nothing more per change.
    names = {
        (User, row.implementation_confirmed_by_id): str(row.implementation_confirmed_by)
        for row in rows
        if row.implementation_confirmed_by_id is not None
    }
    found = []
    for newer, older in zip(rows[:limit], [*rows[1:], None], strict=False):
        said = tuple(field_changes(older, newer, names)) if newer.history_type == "~" else ()
        reason = newer.history_change_reason or ""
        found.append(Change(newer.history_date, newer.history_user, _the_service(newer), reason, said))
    return found
