"""Working calendar and deadline arithmetic for adult social care providers in England.

Every deadline form stored in step templates is computed here, in pure Python, so the rules can be
tested without a database.

Conventions (the decisions on ambiguous cases):

* Inputs are aware datetimes in any zone; results are aware datetimes in Europe/London. Naive
  datetimes are rejected: silently guessing a zone is how deadlines drift by an hour.
* Local wall times are built with fold=0 and normalised through UTC, so a wall time in the
  spring-forward gap moves forward by the gap (01:30 -> 02:30 BST) and an ambiguous autumn wall
  time takes its first occurrence (01:30 BST, not 01:30 GMT).
* Working time and elapsed time are real elapsed time (UTC arithmetic).
* A bank holiday is any date the ``holidays`` package lists for GB/ENG: both the day itself and
  its substitute (in 2026 Boxing Day is Saturday 26 December and Monday 28 December is observed).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
ONE_DAY = timedelta(days=1)
Hours = float | int | Decimal
Occurrence = tuple[datetime, datetime]  # (shift start, shift end)
# Generous caps so a mistyped template cannot send the day-stepping loops off for centuries.
MAX_RULE_HOURS = 10_000
MAX_RULE_DAYS = 1_000


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays for one year, from the holidays package (cached per year)."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def bank_holidays_between(first: date, last: date) -> list[tuple[date, str]]:
    """The bank holidays the calendar skips from `first` to `last` (both included), with their names as
    GOV.UK says them: "Boxing Day (substitute day)"."""
    years = range(first.year, last.year + 1)
    named = holidays.country_holidays("GB", subdiv="ENG", years=years)
    return [
        (day, name.replace("(observed)", "(substitute day)"))
        for day, name in sorted(named.items())
        if first <= day <= last
    ]


def _utc(moment: datetime, what: str = "moment") -> datetime:
    """The same instant in UTC; naive datetimes are refused rather than guessed."""
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime, got {moment!r}.")
    return moment.astimezone(UTC)


def _utc_at(day: date, clock: time) -> datetime:
    """The UTC instant of a London wall time (fold=0: gap times move forward, ambiguous take the first)."""
    return datetime.combine(day, clock, tzinfo=LONDON).astimezone(UTC)


def _as_day(day: date) -> date:
    """A date; an aware datetime becomes its London date (as a date it would never match a holiday)."""
    return _utc(day).astimezone(LONDON).date() if isinstance(day, datetime) else day


def local_datetime(day: date, clock: time) -> datetime:
    """A London wall time on a day as a normalised aware datetime (see the module conventions)."""
    return _utc_at(day, clock).astimezone(LONDON)


def _is_number(value: object) -> bool:
    """A finite int, float or Decimal (bools are not numbers of hours)."""
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool) and math.isfinite(value)


def _duration(hours: Hours, what: str = "hours") -> timedelta:
    """A non-negative number of hours as a timedelta."""
    if not _is_number(hours):
        raise ValueError(f"{what} must be a finite number, got {hours!r}.")
    if hours < 0:
        raise ValueError(f"{what} cannot be negative (got {hours}).")
    return timedelta(hours=float(hours))


@dataclass(frozen=True)
class WorkingHours:
    """A provider's working week: days (0=Mon..6=Sun) and daily opening/closing local times."""

    start: time = time(9, 0)
    end: time = time(17, 0)
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})

    def __post_init__(self) -> None:
        # Accept any iterable (e.g. a list from JSON) but store a frozenset so instances stay hashable.
        object.__setattr__(self, "weekdays", frozenset(self.weekdays))
        if not (isinstance(self.start, time) and isinstance(self.end, time)):
            raise ValueError("Working hours start and end must be datetime.time values.")
        if self.start >= self.end:
            raise ValueError(
                f"Working hours must open before they close (got {self.start:%H:%M}-{self.end:%H:%M})."
            )
        if not self.weekdays or not self.weekdays <= frozenset(range(7)):
            raise ValueError("Working days must be a non-empty set of weekday numbers, 0 (Mon) to 6 (Sun).")


@dataclass(frozen=True)
class Shift:
    """A named shift pattern at a service, e.g. early 07:00-15:00, late 14:00-22:00, night 21:30-07:30.

    A shift whose end is at or before its start crosses midnight (end == start is a 24-hour shift).
    """

    name: str
    start: time
    end: time

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError("A shift needs a name.")
        if not (isinstance(self.start, time) and isinstance(self.end, time)):
            raise ValueError(f"Shift {self.name!r}: start and end must be datetime.time values.")

    @property
    def crosses_midnight(self) -> bool:
        """True when the shift ends on the calendar day after it starts."""
        return self.end <= self.start

    def contains_clock(self, clock: time) -> bool:
        """True when a wall-clock time falls within the shift (both ends included)."""
        if self.crosses_midnight:
            return clock >= self.start or clock <= self.end
        return self.start <= clock <= self.end


class WorkingCalendar:
    """Working days and times for one provider, and the deadline forms computed on them."""

    def __init__(self, hours: WorkingHours | None = None):
        """Use the given working hours, or Monday to Friday 09:00-17:00."""
        self.hours = hours or WorkingHours()

    def is_bank_holiday(self, day: date) -> bool:
        """True for an England and Wales bank holiday (actual or substitute day)."""
        day = _as_day(day)
        return day in _bank_holidays(day.year)

    def is_working_day(self, day: date) -> bool:
        """True when the day is one of the working weekdays and not a bank holiday."""
        day = _as_day(day)
        return day.weekday() in self.hours.weekdays and not self.is_bank_holiday(day)

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        day += ONE_DAY
        while not self.is_working_day(day):
            day += ONE_DAY
        return day

    def previous_working_day(self, day: date) -> date:
        """The last working day strictly before ``day``."""
        day -= ONE_DAY
        while not self.is_working_day(day):
            day -= ONE_DAY
        return day

    def working_day_on_or_after(self, day: date) -> date:
        """``day`` itself if it is a working day, otherwise the next one."""
        return day if self.is_working_day(day) else self.next_working_day(day)

    def _opening(self, day: date) -> tuple[datetime, datetime]:
        """The day's opening and closing instants in UTC (real time, so DST days are handled)."""
        return _utc_at(day, self.hours.start), _utc_at(day, self.hours.end)

    def is_working_time(self, moment: datetime) -> bool:
        """True when the moment is inside [opening, closing) on a working day."""
        instant = _utc(moment)
        day = instant.astimezone(LONDON).date()
        if not self.is_working_day(day):
            return False
        opens, closes = self._opening(day)
        return opens <= instant < closes

    def add_working_hours(self, start: datetime, hours: Hours) -> datetime:
        """Within N working hours: count only working time, starting at the next opening if outside it.

        A result exactly at a closing time stays there rather than rolling to the next morning.
        Zero hours returns ``start`` itself (in London time).
        """
        remaining = _duration(hours)
        cursor = _utc(start, "start")
        if hours == 0:
            return cursor.astimezone(LONDON)
        day = cursor.astimezone(LONDON).date()
        while True:
            if self.is_working_day(day):
                opens, closes = self._opening(day)
                begin = max(cursor, opens)
                if begin < closes:
                    if remaining <= closes - begin:
                        return (begin + remaining).astimezone(LONDON)
                    remaining -= closes - begin
            day += ONE_DAY

    def clock_time_on_working_day(
        self, event: datetime, clock: time, working_days_after: int = 0, *, strictly_after: bool = False
    ) -> datetime:
        """A clock time on the same (0), following (1) or Nth working day after the event.

        An event on a non-working day is treated as happening on the next working day. With 0, an
        event after the clock time also rolls to the next working day, and so does an event exactly
        at it when ``strictly_after`` (a step counted from an earlier step's deadline is never due
        at the same moment). With N >= 1 the deadline is N working days after the event's (rolled)
        working day, whatever the time of the event.
        """
        n = working_days_after
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"working_days_after must be a whole number, 0 or more; got {n!r}.")
        instant = _utc(event, "event")
        day = self.working_day_on_or_after(instant.astimezone(LONDON).date())
        on_the_day = _utc_at(day, clock)
        if n == 0 and (on_the_day < instant or strictly_after and on_the_day == instant):
            day = self.next_working_day(day)
        for _ in range(n):
            day = self.next_working_day(day)
        return local_datetime(day, clock)

    def add_elapsed_hours(self, start: datetime, hours: Hours) -> datetime:
        """Within N hours: real elapsed time, so across a clock change the wall clock moves 1 h more/less."""
        return (_utc(start, "start") + _duration(hours)).astimezone(LONDON)

    def working_days_before(self, target: datetime, days: int) -> datetime:
        """N working days before the target: closing time on the working day ``days`` working days earlier.

        The target's own day is not counted, so 1 means the close of the previous working day.
        """
        if isinstance(days, bool) or not isinstance(days, int) or days < 1:
            raise ValueError(f"days must be a whole number of at least 1, got {days!r}.")
        day = _utc(target, "target").astimezone(LONDON).date()
        for _ in range(days):
            day = self.previous_working_day(day)
        return local_datetime(day, self.hours.end)

    def elapsed_hours_before(self, target: datetime, hours: Hours) -> datetime:
        """N hours before the target, in real elapsed time."""
        return (_utc(target, "target") - _duration(hours)).astimezone(LONDON)

    def back_into_working_time(self, moment: datetime) -> datetime:
        """The last working moment at or before ``moment``: itself when it is in working time (or
        exactly at a closing time), otherwise the closing time of the last working day before it."""
        instant = _utc(moment, "moment")
        day = instant.astimezone(LONDON).date()
        if self.is_working_day(day):
            opens, closes = self._opening(day)
            if opens <= instant <= closes:
                return instant.astimezone(LONDON)
            if instant > closes:
                return closes.astimezone(LONDON)
        return local_datetime(self.previous_working_day(day), self.hours.end)

    def clock_time_on_working_day_before(self, target: datetime, clock: time) -> datetime:
        """A clock time on the working day before the target's date."""
        day = _utc(target, "target").astimezone(LONDON).date()
        return local_datetime(self.previous_working_day(day), clock)

    def each_working_day(self, start: datetime, clock: time, until: datetime) -> list[datetime]:
        """A clock time on each working day: one deadline per working day.

        The first is on the first working day whose clock time is strictly after ``start`` (an event
        at 09:00 on a working day gets that day's 14:16); the last is at or before ``until``.
        """
        first, last = _utc(start, "start"), _utc(until, "until")
        day = first.astimezone(LONDON).date()
        if not self.is_working_day(day) or _utc_at(day, clock) <= first:
            day = self.next_working_day(day)
        deadlines = []
        while _utc_at(day, clock) <= last:
            deadlines.append(local_datetime(day, clock))
            day = self.next_working_day(day)
        return deadlines

    def shift_occurrences(self, shift: Shift, start: datetime, until: datetime) -> list[Occurrence]:
        """Every (start, end) of a shift starting within [start, until]; shifts run every day of the year.

        A shift crossing midnight ends on the next calendar day, and its length is the real time
        between the two wall times (a 21:30-07:30 night is 9 h in spring, 11 h in autumn).
        """
        first, last = _utc(start, "start"), _utc(until, "until")
        day = first.astimezone(LONDON).date()
        occurrences = []
        while (begins := _utc_at(day, shift.start)) <= last:
            if begins >= first:
                ends = _utc_at(day + ONE_DAY if shift.crosses_midnight else day, shift.end)
                occurrences.append((begins.astimezone(LONDON), ends.astimezone(LONDON)))
            day += ONE_DAY
        return occurrences

    def each_shift(
        self, shift: Shift, start: datetime, until: datetime, within_hours: Hours
    ) -> list[datetime]:
        """Within the first N hours of each shift: shift start plus N elapsed hours, per occurrence.

        The deadline is not capped at the shift end if ``within_hours`` exceeds the shift's length.
        """
        delta = _duration(within_hours, "within_hours")
        return [
            (begins.astimezone(UTC) + delta).astimezone(LONDON)
            for begins, _ in self.shift_occurrences(shift, start, until)
        ]

    def before_clock_each_shift(
        self, shift: Shift, start: datetime, until: datetime, clock: time
    ) -> list[datetime]:
        """Before a clock time each shift: that clock time inside each occurrence of the shift.

        For a shift crossing midnight, a clock time earlier than the shift start falls on the
        shift's second calendar day. A clock time outside the shift is a ValueError.
        """
        if not shift.contains_clock(clock):
            raise ValueError(
                f"{clock:%H:%M} is not within the {shift.name} shift ({shift.start:%H:%M}-{shift.end:%H:%M})."
            )
        offset = ONE_DAY if shift.crosses_midnight and clock < shift.start else timedelta(0)
        occurrences = self.shift_occurrences(shift, start, until)
        return [local_datetime(begins.date() + offset, clock) for begins, _ in occurrences]


# --- JSON deadline rules ------------------------------------------------------------------------

_TIME_RE = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d")
# kind -> its fields; all are required except clock_on_working_day's working_days_after (default 0).
_FIELDS: dict[str, tuple[str, ...]] = {
    "working_hours_after": ("hours",),
    "clock_on_working_day": ("time", "working_days_after"),
    "elapsed_hours_after": ("hours",),
    "working_days_before": ("days",),
    "elapsed_hours_before": ("hours",),
    "clock_on_working_day_before": ("time",),
    "immediately": (),
    "each_working_day": ("time",),
    "each_shift": ("within_hours",),
    "each_shift_before": ("shift", "time"),
}
_OPTIONAL = {("clock_on_working_day", "working_days_after")}
RECURRING_KINDS = frozenset({"each_working_day", "each_shift", "each_shift_before"})
DEADLINE_KINDS = frozenset(_FIELDS)
ONE_OFF_KINDS = DEADLINE_KINDS - RECURRING_KINDS
# Optional fields that keep a chain's one-off deadlines in step order, and the kinds that take them:
# - after_step: count from that step's deadline instead of the case's anchor (and always after it);
# - not_after_step: never later than that step's deadline;
# - back_into_working_time: a deadline outside working time moves back to the last working moment.
# And one that says when a one-off step opens (escalation/scheduling.py `opening_time`):
# - opens_after_shifts: N, it judges the last N shifts to end by its deadline, so opens when they have.
_LINK_FIELDS = ("after_step", "not_after_step")
_ORDER_FIELDS: dict[str, frozenset[str]] = {
    "after_step": frozenset({"working_hours_after", "clock_on_working_day", "elapsed_hours_after"}),
    "not_after_step": ONE_OFF_KINDS,
    "back_into_working_time": ONE_OFF_KINDS,
    "opens_after_shifts": ONE_OFF_KINDS,
}


def _check_field(kind: str, name: str, value: object) -> None:
    """Check one field's value according to what the field name means."""
    where = f"Deadline rule '{kind}': '{name}'"
    if name == "time":
        if not isinstance(value, str) or not _TIME_RE.fullmatch(value):
            raise ValueError(f"{where} must be a 24-hour time as HH:MM, got {value!r}.")
    elif name == "shift":
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{where} must be a shift name, got {value!r}.")
    elif name in _LINK_FIELDS:
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{where} must be the code of another step of the chain, got {value!r}.")
    elif name == "back_into_working_time":
        if not isinstance(value, bool):
            raise ValueError(f"{where} must be true or false, got {value!r}.")
    elif name in ("days", "working_days_after", "opens_after_shifts"):
        low = 0 if name == "working_days_after" else 1  # "0 working days before" an event has no meaning
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MAX_RULE_DAYS:
            raise ValueError(f"{where} must be a whole number from {low} to {MAX_RULE_DAYS}, got {value!r}.")
    elif not _is_number(value) or not 0 <= value <= MAX_RULE_HOURS:
        raise ValueError(f"{where} must be a number of hours from 0 to {MAX_RULE_HOURS}, got {value!r}.")


def validate_deadline_rule(rule: dict) -> None:
    """Raise ValueError with a human message unless ``rule`` is a well-formed deadline rule."""
    if not isinstance(rule, dict):
        raise ValueError(f"A deadline rule must be a JSON object, got {rule!r}.")
    if "kind" not in rule:
        raise ValueError("A deadline rule needs a 'kind'.")
    kind = rule["kind"]
    if not isinstance(kind, str) or kind not in _FIELDS:
        raise ValueError(f"Unknown deadline kind {kind!r}; expected one of: {', '.join(sorted(_FIELDS))}.")
    fields = _FIELDS[kind]
    ordering = tuple(name for name, kinds in _ORDER_FIELDS.items() if kind in kinds)
    extra = sorted(repr(key) for key in rule if key != "kind" and key not in fields + ordering)
    if extra:
        raise ValueError(f"Deadline rule '{kind}' does not take {', '.join(extra)}.")
    for name in fields:
        if name in rule:
            _check_field(kind, name, rule[name])
        elif (kind, name) not in _OPTIONAL:
            raise ValueError(f"Deadline rule '{kind}' is missing '{name}'.")
    for name in ordering:
        if name in rule:
            _check_field(kind, name, rule[name])


def is_recurring(rule: dict) -> bool:
    """True when the (valid) rule yields a series of deadlines rather than one."""
    validate_deadline_rule(rule)
    return rule["kind"] in RECURRING_KINDS


def _clock(text: str) -> time:
    """Parse a validated HH:MM string."""
    return time(int(text[:2]), int(text[3:]))


_ONE_OFF: dict[str, Callable[[dict, datetime, WorkingCalendar], datetime]] = {
    "working_hours_after": lambda r, a, c: c.add_working_hours(a, r["hours"]),
    "clock_on_working_day": lambda r, a, c: c.clock_time_on_working_day(
        a, _clock(r["time"]), r.get("working_days_after", 0), strictly_after="after_step" in r
    ),
    "elapsed_hours_after": lambda r, a, c: c.add_elapsed_hours(a, r["hours"]),
    "working_days_before": lambda r, a, c: c.working_days_before(a, r["days"]),
    "elapsed_hours_before": lambda r, a, c: c.elapsed_hours_before(a, r["hours"]),
    "clock_on_working_day_before": lambda r, a, c: c.clock_time_on_working_day_before(a, _clock(r["time"])),
    "immediately": lambda r, a, c: _utc(a, "anchor").astimezone(LONDON),
}


def _linked_steps(rule: dict) -> list[str]:
    """The steps whose deadlines this rule's deadline depends on."""
    return [rule[name] for name in _LINK_FIELDS if name in rule]


def deadline_for(
    rule: dict,
    anchor: datetime,
    calendar: WorkingCalendar,
    step_deadlines: Mapping[str, datetime] = MappingProxyType({}),
) -> datetime:
    """The deadline of a one-off rule, measured from ``anchor`` (the future event for "before" kinds).

    A rule linked to other steps (after_step, not_after_step) needs their deadlines in
    ``step_deadlines``; ``chain_deadlines`` computes a whole chain in the right order.
    """
    validate_deadline_rule(rule)
    if rule["kind"] in RECURRING_KINDS:
        raise ValueError(f"'{rule['kind']}' is a recurring deadline; use recurring_deadlines_for().")
    missing = [code for code in _linked_steps(rule) if code not in step_deadlines]
    if missing:
        raise ValueError(f"This deadline depends on {', '.join(missing)}; compute it with chain_deadlines().")
    start = step_deadlines[rule["after_step"]] if "after_step" in rule else anchor
    due = _ONE_OFF[rule["kind"]](rule, start, calendar)
    if rule.get("back_into_working_time"):
        due = calendar.back_into_working_time(due)
    if "not_after_step" in rule:
        due = min(due, step_deadlines[rule["not_after_step"]], key=lambda d: d.astimezone(UTC))
    return due


def one_off_order(rules: Mapping[str, dict]) -> list[str]:
    """The codes of a chain's one-off steps, each after the steps its deadline depends on.

    ``rules`` maps every step code of the chain to its deadline rule. ValueError when a rule depends
    on a step that is not a one-off step of the chain, or when rules depend on each other in a circle.
    """
    one_off = {code: rule for code, rule in rules.items() if not is_recurring(rule)}
    for code, rule in one_off.items():
        for linked in _linked_steps(rule):
            if linked not in one_off:
                raise ValueError(
                    f"{code}'s deadline depends on {linked!r}, which is not a one-off step of the same chain."
                )
    order: list[str] = []
    waiting = dict(one_off)
    while waiting:
        ready = [code for code, rule in waiting.items() if all(s in order for s in _linked_steps(rule))]
        if not ready:
            raise ValueError(
                f"The deadlines of {', '.join(sorted(waiting))} depend on each other in a circle."
            )
        order += ready
        for code in ready:
            del waiting[code]
    return order


def chain_deadlines(
    rules: Mapping[str, dict], anchor: datetime, calendar: WorkingCalendar
) -> dict[str, datetime]:
    """The deadline of every one-off step of a chain (step code -> deadline), links resolved."""
    deadlines: dict[str, datetime] = {}
    for code in one_off_order(rules):
        deadlines[code] = deadline_for(rules[code], anchor, calendar, deadlines)
    return deadlines


def recurring_deadlines_for(
    rule: dict, anchor: datetime, until: datetime, calendar: WorkingCalendar, shifts: Sequence[Shift] = ()
) -> list[datetime]:
    """Every deadline of a rule from ``anchor`` up to ``until``, sorted; a one-off rule gives one."""
    validate_deadline_rule(rule)
    kind = rule["kind"]
    if kind not in RECURRING_KINDS:
        return [deadline_for(rule, anchor, calendar)]
    if kind == "each_working_day":
        return calendar.each_working_day(anchor, _clock(rule["time"]), until)
    if kind == "each_shift":
        found = [d for s in shifts for d in calendar.each_shift(s, anchor, until, rule["within_hours"])]
    else:
        wanted = rule["shift"].strip().casefold()
        matching = [s for s in shifts if s.name.strip().casefold() == wanted]
        if not matching:
            known = ", ".join(s.name for s in shifts) or "none"
            raise ValueError(f"No shift named {rule['shift']!r} at this service (shifts: {known}).")
        clock = _clock(rule["time"])
        found = [d for s in matching for d in calendar.before_clock_each_shift(s, anchor, until, clock)]
    # Sort by instant: London datetimes sharing a tzinfo compare by wall time, misordering the autumn hour.
    return sorted(found, key=lambda d: d.astimezone(UTC))


def _count(value: Hours, unit: str) -> str:
    """A quantity with its unit, pluralised and without a trailing .0: 1 working hour, 1.5 hours."""
    number = str(int(value)) if value == int(value) else f"{Decimal(str(value)).normalize():f}"
    return f"{number} {unit}{'' if value == 1 else 's'}"


def _ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st..."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def describe_deadline_rule(rule: dict) -> str:
    """The rule in plain English, e.g. "10:18 on the same working day"."""
    validate_deadline_rule(rule)
    text = _describe_after_step(rule) if "after_step" in rule else _describe_kind(rule)
    if rule.get("back_into_working_time"):
        text += ", moved back into working time"
    if "not_after_step" in rule:
        text += f", no later than {rule['not_after_step']}"
    if "opens_after_shifts" in rule:
        text += f", once the last {_count(rule['opens_after_shifts'], 'shift')} before it have ended"
    return text


def _describe_after_step(rule: dict) -> str:
    """A rule counted from another step's deadline, in plain English."""
    step = rule["after_step"]
    if rule["kind"] != "clock_on_working_day":
        return _describe_kind(rule).replace("the start", f"{step}'s deadline")
    n = rule.get("working_days_after", 0)
    if n == 0:
        return (
            f"{rule['time']} on the working day {step} falls due, or the next working day when {step} "
            f"falls due at {rule['time']} or later"
        )
    days = "working day" if n == 1 else f"{_ordinal(n)} working day"
    return f"{rule['time']} on the {days} after {step}'s"


def _describe_kind(rule: dict) -> str:
    """The rule's own kind in plain English, counted from the case's anchor."""
    kind, r = rule["kind"], rule
    if kind == "clock_on_working_day":
        n = r.get("working_days_after", 0)
        named = {0: "the same working day", 1: "the following working day"}
        return f"{r['time']} on {named.get(n, f'the {_ordinal(n)} working day after')}"
    if kind == "each_shift":
        first = "hour" if r["within_hours"] == 1 else _count(r["within_hours"], "hour")
        return f"within the first {first} of each shift"
    text = {
        "working_hours_after": lambda: f"{_count(r['hours'], 'working hour')} after the start",
        "elapsed_hours_after": lambda: f"{_count(r['hours'], 'hour')} after the start",
        "working_days_before": lambda: f"{_count(r['days'], 'working day')} before the event",
        "elapsed_hours_before": lambda: f"{_count(r['hours'], 'hour')} before the event",
        "clock_on_working_day_before": lambda: f"{r['time']} on the working day before the event",
        "immediately": lambda: "immediately",
        "each_working_day": lambda: f"{r['time']} each working day",
        "each_shift_before": lambda: f"before {r['time']} each {r['shift']} shift",
    }
    return text[kind]()
