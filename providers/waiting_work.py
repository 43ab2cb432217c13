"""Work waiting on a role where one assignment of it is held: what the page that removes a role names.

The work lives in the apps above this one (the escalation engine's steps to record), which this app
may not import; each registers a source in its AppConfig.ready(), as dashboard panels are:

    waiting_work.register(steps_waiting_on)

A source takes a RoleAssignment and the most rows to read, and returns (the first rows as `Waiting`,
earliest due first, and how many there are in all) in a fixed number of queries.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from .templatetags.nhsuk import london


@dataclass(frozen=True)
class Waiting:
    """One thing the role's holders must record: "Check complaints and safeguarding alerts (C3) for
    RU-0002", and when it is due."""

    what: str
    due_at: datetime

    def __str__(self) -> str:
        return f"{self.what} — due {london(self.due_at)}"


_SOURCES: list[Callable] = []


def register(source: Callable) -> None:
    """Add a source of waiting work (once, however often an app's ready() runs)."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def waiting_on(assignment, size: int = 5) -> tuple[list[Waiting], int]:
    """The first `size` things, earliest due first, that the holders of `assignment`'s role at its
    scope must record, and how many there are in all: one query or so per source, however many."""
    rows, total = [], 0
    for source in _SOURCES:
        found, count = source(assignment, size)
        rows.extend(found)
        total += count
    return sorted(rows, key=lambda row: row.due_at)[:size], total
