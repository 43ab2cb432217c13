"""Work waiting on a role where one assignment of it is held: what the page that removes a role names.

The work lives in the apps above this one (the escalation engine's steps to record and escalations to
answer), which this app may not import; each registers a source in its AppConfig.ready(), as
dashboard panels are, with the words the page puts before its list:

    waiting_work.register(steps_waiting_on, "After this, nobody can record:")

A source takes a RoleAssignment and the most rows to read, and returns (the first rows as `Waiting`,
in the order the page lists them, and how many there are in all) in a fixed number of queries.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from .templatetags.nhsuk import london


@dataclass(frozen=True)
class Waiting:
    """One thing waiting on the role's holders: "Check complaints and safeguarding alerts (C3) for
    RU-0002", and when it is due (or, with `when`, when it happened: "raised")."""

    what: str
    at: datetime
    when: str = "due"
    link: str = ""  # its page, for whoever may open it (the page itself says who may)

    def __str__(self) -> str:
        return f"{self.what} — {self.when} {london(self.at)}"


@dataclass(frozen=True)
class WaitingList:
    """One source's work as the page lists it: its heading, the first rows and how many in all."""

    heading: str
    first: list[Waiting]
    total: int

    @property
    def more(self) -> int:
        """How many more there are than the ones named."""
        return self.total - len(self.first)


@dataclass(frozen=True)
class _Source:
    """A registered source of waiting work and the heading of its list."""

    find: Callable
    heading: str


_SOURCES: list[_Source] = []


def register(find: Callable, heading: str) -> None:
    """Add a source of waiting work (once, however often an app's ready() runs)."""
    source = _Source(find, heading)
    if source not in _SOURCES:
        _SOURCES.append(source)


def waiting_on(assignment, size: int = 5) -> list[WaitingList]:
    """What waits on the holders of `assignment`'s role at its scope, one list per source that has
    any, each naming its first `size` and counting the rest: one query or so per source, however
    many."""
    lists = []
    for source in _SOURCES:
        first, total = source.find(assignment, size)
        if total:
            lists.append(WaitingList(source.heading, first, total))
    return lists
