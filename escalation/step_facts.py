"""What a step's page shows from the case's subject beside the step's own record: figures the person
judging the step compares with but the step does not record (B2 reconciles the day's sample against
the clinical baseline set at deployment).

The engine knows no chain's subject (the chain apps sit above it in the house order), so each chain
app registers, in its AppConfig.ready(), one function per step code:

    from escalation import step_facts
    step_facts.register("B2", chain.baseline_facts)

The function is called with the step run and returns `StepFacts`, or None to show nothing; a step may
have several, shown in the order registered. It only
reads, and in a fixed number of queries whatever the subject holds: it runs on every view of the page.
"""

from collections.abc import Callable
from dataclasses import dataclass

_REGISTRY: dict[str, dict[str, Callable]] = {}
_ITEMS_ASKED: dict[tuple[str, str], Callable] = {}
_NONE_ASKED: dict[str, str] = {}
_AFFECTED_SERVICES: dict[str, Callable] = {}
_CHECKED_AGAINST: dict[str, tuple[str, ...]] = {}
_DONE_ALREADY: dict[str, Callable] = {}
_SUBJECT_CHANGES: dict[str, Callable] = {}


@dataclass(frozen=True)
class StepFacts:
    """A heading and its (label, value) rows, shown as a summary list on the step's page."""

    heading: str
    rows: list[tuple[str, str]]


def register(step_code: str, facts: Callable) -> None:
    """Show `facts(step_run)` on the page of every step run with this code, after any registered before
    it (once per function, however often ready() runs: registering it again replaces it)."""
    _REGISTRY.setdefault(step_code, {})[f"{facts.__module__}.{facts.__qualname__}"] = facts


def facts_for(step_run) -> list[StepFacts]:
    """What the step's chain app shows on its page, in the order registered (empty when nothing)."""
    found = (facts(step_run) for facts in _REGISTRY.get(step_run.code, {}).values())
    return [facts for facts in found if facts is not None]


def register_items_asked(step_code: str, measure_name: str, items: Callable, none_asked: str = "") -> None:
    """Ask the step's per-item measure only for the items `items(step_run)` names (a list), where the
    case's subject decides which items it has: C2's movement from baseline is asked only for the
    update's lines presented as improved. With none, the form leaves the measure out and records no
    items; the chain's facts (`register`) say why, and `none_asked` is what such a record reads wherever
    its values are shown (`none_asked_words`). A second registration replaces the first."""
    _ITEMS_ASKED[(step_code, measure_name)] = items
    if none_asked:
        _NONE_ASKED[measure_name] = none_asked


def none_asked_words(measure_name: str) -> str:
    """What a per-item measure recorded with no item reads ("Not asked: no line claims an
    improvement"), or "" when its chain says nothing. Kept by measure name: a record's values are put
    in words with the step's measures alone (escalation.values.value_rows, on pages and in packs)."""
    return _NONE_ASKED.get(measure_name, "")


def register_affected_services(step_code: str, services: Callable) -> None:
    """Offer as the step's "Affected service" only `services(step_run)` (a queryset, or None for the
    provider's services), where the case's subject decides which services it is about: C2 offers the
    update's services, so its escalation never reaches an unrelated service's manager."""
    _AFFECTED_SERVICES[step_code] = services


def affected_services(step_run, default):
    """The services the step run's "Affected service" offers: the chain's, else `default`."""
    services = _AFFECTED_SERVICES.get(step_run.code)
    found = services(step_run) if services is not None else None
    return default if found is None else found


def items_asked(step_run, measure_name: str) -> list[str] | None:
    """The items the step run's per-item measure is asked for, or None when the chain does not say."""
    items = _ITEMS_ASKED.get((step_run.code, measure_name))
    found = items(step_run) if items is not None else None
    return list(found) if found is not None else None


def register_checked_against(step_code: str, codes: tuple[str, ...]) -> None:
    """Say that the step is judged against the records of the steps `codes` of the same case (C5,
    "the whole sign-off set vs C4, C3 and C1"): while any is not recorded, its page names them and
    recording it asks "record it now anyway" (`unrecorded_checked_against`). A second registration
    replaces the first."""
    _CHECKED_AGAINST[step_code] = tuple(codes)


def unrecorded_checked_against(step_run) -> list:
    """The step runs of the case that `step_run` is judged against and that nobody has recorded yet,
    in step order; a step run each day (C2) counts as recorded once any of its days is. One query."""
    codes = _CHECKED_AGAINST.get(step_run.code)
    if not codes:
        return []
    runs = step_run.chain_run.step_runs.filter(code__in=codes).order_by("order", "due_at")
    first_of_each, recorded = {}, set()
    for run in runs:
        first_of_each.setdefault(run.code, run)
        if run.is_recorded:
            recorded.add(run.code)
    return [run for code, run in first_of_each.items() if code not in recorded]


def register_done_already(step_code: str, done: Callable) -> None:
    """Say when what the step's breach asks for is done already: `done(step_run)` returns it in words
    ("the learning was issued to the matched services") or None. A breach recorded then is settled
    as soon as it is raised (recording.record_step). A second registration replaces the first."""
    _DONE_ALREADY[step_code] = done


def done_already(step_run) -> str | None:
    """What the step's breach asks for, done already, in words; None when it is not (or the chain
    does not say)."""
    done = _DONE_ALREADY.get(step_run.code)
    return done(step_run) if done is not None else None


def recorded_after(step_run) -> list:
    """The step runs of the case that `step_run` is judged against whose record came after its own
    current record (C5 signed off, then C1 recorded): it was judged without them, so it should be
    recorded again. Empty for a step not recorded or judged against nothing. One query."""
    codes = _CHECKED_AGAINST.get(step_run.code)
    if not codes or step_run.recorded_at is None or not step_run.is_recorded:
        return []
    return list(
        step_run.chain_run.step_runs.filter(code__in=codes, recorded_at__gt=step_run.recorded_at).order_by(
            "order", "due_at"
        )
    )


def register_subject_changes(step_code: str, changed: Callable) -> None:
    """Say what of the case's subject the step signs off besides other steps' records: `changed(step_run)`
    returns (when it last changed, what it is in words: "the update's lines"), or None. A record older
    than that change was made without it: its page says so, and the same figures recorded again are a
    new record, not a double press (found: a line added after C5 could not be signed off again). A
    second registration replaces the first."""
    _SUBJECT_CHANGES[step_code] = changed


def subject_changed_since(step_run, moment) -> tuple | None:
    """(when, what) when what the step signs off of its subject changed after `moment`, else None."""
    changed = _SUBJECT_CHANGES.get(step_run.code)
    found = changed(step_run) if changed is not None and moment is not None else None
    return found if found is not None and found[0] is not None and found[0] > moment else None
