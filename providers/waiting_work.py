"""Work waiting on a role where one assignment of it is held: what the page that removes a role names.

The work lives in the apps above this one (the escalation engine's steps to record and escalations to
answer, chain A's learning work its holder is named for), which this app may not import; each
registers a source in its AppConfig.ready(), as dashboard panels are, with the words the page puts
before its list:

    waiting_work.register(steps_waiting_on, "After this, nobody can record:")

A source takes a RoleAssignment and the most rows to read, and returns (the first rows as `Waiting`,
in the order the page lists them, and how many there are in all) in a fixed number of queries.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
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
    """One source's work as the page lists it: its heading, the first rows, the next ones (folded
    under "and N more"), and how many in all."""

    heading: str
    first: list[Waiting]
    total: int
    rest: list[Waiting] = field(default_factory=list)

    @property
    def more(self) -> int:
        """How many more there are than the ones named first."""
        return self.total - len(self.first)

    @property
    def unlisted(self) -> int:
        """How many are only counted: more than the page lists in all (`LISTED`)."""
        return self.total - len(self.first) - len(self.rest)


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


# How many of each list the page names at once, and how many in all (the rest unfolded on asking);
# beyond that they are counted, so the page stays short however much waits.
SHOWN = 5
LISTED = 50


def waiting_on(assignment, shown: int = SHOWN, listed: int = LISTED) -> list[WaitingList]:
    """What waits on the holders of `assignment`'s role at its scope, one list per source that has
    any, each naming its first `shown`, then up to `listed` in all, and counting the rest: one query
    or so per source, however many."""
    lists = []
    for source in _SOURCES:
        rows, total = source.find(assignment, listed)
        if total:
            lists.append(WaitingList(source.heading, rows[:shown], total, rows[shown:listed]))
    return lists
