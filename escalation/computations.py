"""One registry of the figures the system computes for step measures, and the one place they are run.

A measure in fixtures/chains.json names its computation (a key of this registry) and that
computation's parameters; the label shows the parameters, so a tuned window reads as tuned:

    {"name": "pct_received_within_4h",
     "label": "Matched services receiving the issued learning notice within {window_hours} hours",
     "kind": "percentage", "unit": "%",
     "computation": "notices_received_in_window", "parameters": {"window_hours": 4}}

``"computation": null`` says a person enters the figure from records this system does not hold. A
measure recorded with a baseline may also name a ``"baseline_computation"`` (without parameters).

Each app registers its computations in its AppConfig.ready(), explicitly:

    from escalation.computations import Parameter, registry
    registry.register("notices_received_in_window", received_in_window,
                      parameters=[Parameter("window_hours", "Receipt window", "hours", 1, 168)])

A computation is called as ``function(context, **parameters)`` and returns the measure's value (a number,
or ``{item: number}`` for a group measure), or raises ``CouldNotCompute(reason)`` when the records
cannot give one; the step form then says "Could not compute: <reason>" beside the field. Any other
error is a fault: with ``settings.MEASURE_ERRORS_RAISE`` (on in tests and with DEBUG) it is raised.

Most computed figures only pre-fill the form: the person recording checks them against records this
system does not hold. A computation registered with ``fixed_by`` gives a figure the records fix, which
the person recording must not set (the deployment's baseline B1 judges a shift against; the exposure
log's expected reductions A4 judges): ``fixed_by(context)`` says where it comes from ("set at
deployment on ..."), the form shows it read-only, and recording keeps the records' figure (see
`hold_to_records`). A group measure's such computation returns `PerItem`, naming the items without a
figure yet and why, so a record naming another item, or giving one of those a figure, is refused.
Where the records give no figure (CouldNotCompute), the person enters it as before.

Any other computed figure (A5's average implementation-confirmation rate) may be typed over, since the
person recording holds records this system does not, but never silently: the form shows "The system's
figure: 44.4 %" beside the field, another figure needs a reason, and the record keeps the system's
figure and the reason beside the typed one (`typed_over`), so every page showing the recorded values
shows both.

A computation registered with ``held_on`` (step codes) gives, on those steps, a figure the chain holds
to the records and refuses outright when another is typed (C5 signs the update's lines off as they
stand: reporting_control's `recorded` hook refuses any other count). There no reason could let
another figure through, so the form offers no reason box and `typed_over` asks none (`Figures.held`).

The system check (escalation/checks.py) refuses start-up when a fixture measure names a computation
nobody registered, or a registered computation is named by no measure.
"""

import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone

from providers.services import given_reason

from .choices import MeasureKind
from .measures import baseline_key, clean_number
from .rules import figure_text, fmt

logger = logging.getLogger(__name__)
_KEY_RE = re.compile(r"[a-z][a-z0-9_]{0,79}")
UNEXPECTED = "an unexpected error occurred; it has been logged for the administrator"
# Where a record keeps the system's figure and the reason for each figure typed over ({measure key:
# {"system": number, "reason": words}}), beside the measures' values. No measure's name starts with "_".
SYSTEM_FIGURES = "_system_figures"


class CouldNotCompute(Exception):
    """The records cannot give this figure (no care hours, no matched services...): the reason says why,
    in words the person recording the step can act on."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Parameter:
    """A whole-number setting of a computation (a window, a sample size, a look-back), with its range.

    The range is what a provider may tune it to: a window of 0 hours counts nothing, so it is refused.
    """

    name: str
    label: str
    unit: str
    minimum: int
    maximum: int
    effect: str = ""  # what else the value changes, told to whoever tunes it

    def check(self, value, where: str = "") -> int:
        """The value as a whole number in range; ValueError with a plain message otherwise."""
        prefix = f"{where}: " if where else ""
        if isinstance(value, bool) or not isinstance(value, int) or not self.minimum <= value <= self.maximum:
            raise ValueError(
                f"{prefix}{self.label} must be a whole number of {self.unit} from {self.minimum} "
                f"to {self.maximum}, not {value!r}."
            )
        return value


@dataclass(frozen=True)
class Computation:
    """A registered computation: its key, the function and the parameters it takes, and, for a figure
    the records fix (a person may not enter another), `fixed_by`: where it comes from, in words.
    `held_on`: the step codes whose chain refuses any other figure than this one outright."""

    key: str
    function: Callable
    parameters: tuple[Parameter, ...] = ()
    fixed_by: Callable | None = None
    held_on: tuple[str, ...] = ()

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    def held_at(self, step_code: str) -> bool:
        """Whether the chain refuses any other figure than this one on the step (`held_on`): read by
        the form (`Figures.held`) and by the chain's own refusal alike, so the two cannot drift."""
        return step_code in self.held_on

    def check_parameters(self, values, where: str) -> dict:
        """The measure's parameters checked against this computation's: every one given, none extra."""
        if not isinstance(values, dict):
            raise ValueError(f"{where}: parameters must be a mapping of name to whole number.")
        expected = {p.name for p in self.parameters}
        missing, extra = sorted(expected - set(values)), sorted(set(values) - expected)
        if missing or extra:
            raise ValueError(
                f"{where}: computation '{self.key}' takes parameters "
                f"{', '.join(sorted(expected)) or '(none)'}; "
                + (f"missing {', '.join(missing)}" if missing else f"unknown {', '.join(extra)}")
                + "."
            )
        return {p.name: p.check(values[p.name], where) for p in self.parameters}


class Registry:
    """Computations by key. One instance (`registry`), filled by each app's AppConfig.ready()."""

    def __init__(self):
        self._computations: dict[str, Computation] = {}

    def register(
        self, key: str, function: Callable, *, parameters=(), fixed_by=None, held_on=()
    ) -> Computation:
        if not _KEY_RE.fullmatch(key):
            raise ImproperlyConfigured(f"Computation key {key!r} must be lower_case_with_underscores.")
        computation = Computation(key, function, tuple(parameters), fixed_by, tuple(held_on))
        existing = self._computations.get(key)
        if existing is not None and existing.function is not function:
            raise ImproperlyConfigured(f"Computation '{key}' is registered twice, by two functions.")
        self._computations[key] = computation
        return computation

    def unregister(self, key: str) -> None:
        self._computations.pop(key, None)

    def get(self, key: str) -> Computation | None:
        return self._computations.get(key)

    def keys(self) -> set[str]:
        return set(self._computations)


registry = Registry()


@dataclass
class Context:
    """What a computation is given: the case's subject (a trigger, a deployment, an update), the region
    of a step run once per region, the instant, and the step run itself when there is one.

    `shared(name, load)` lets the computations of one step load their records once between them.
    """

    subject: object
    now: datetime
    region: object = None
    step_run: object = None
    _loaded: dict = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, step_run, now: datetime) -> "Context":
        return cls(subject=step_run.chain_run.subject, now=now, region=step_run.region, step_run=step_run)

    def shared(self, name: str, load: Callable):
        if name not in self._loaded:
            self._loaded[name] = load()
        return self._loaded[name]


@dataclass
class PerItem:
    """A group measure's figures as the records fix them ({item: number}), and each item the records
    know of without a figure yet, with why ({item: reason}): together, every item a record may name."""

    figures: dict
    missing: dict = field(default_factory=dict)


@dataclass(frozen=True)
class NotFinal:
    """A figure the records give now that may still change before it is the step's to judge (A2's
    receipt rate while some notices' receipt window is open), with why in words ("… is open until
    14:30"). Recorded now only when the person says to record it anyway (recording.record_step)."""

    figure: float
    reason: str


@dataclass
class Figures:
    """A step run's computed figures keyed as the form and the engine take them (measure name or its
    baseline key), and the reason for each figure that could not be computed. `fixed` says where each
    figure the records fix comes from ({key: words}); `missing` the items of such a group measure
    without a figure yet ({key: {item: reason}}); `held` the keys the step's chain refuses any other
    figure for (Computation.held_on), so nobody is asked why theirs differs; `not_final` the figures
    that may still change, with why ({key: words}, see NotFinal)."""

    values: dict = field(default_factory=dict)
    failures: dict = field(default_factory=dict)
    fixed: dict = field(default_factory=dict)
    missing: dict = field(default_factory=dict)
    held: set = field(default_factory=set)
    not_final: dict = field(default_factory=dict)

    @property
    def waiting_for(self) -> list[str]:
        """Why figures are not final, each reason once (A3's three figures all wait for the learning's
        issue, said once)."""
        return list(dict.fromkeys(self.not_final.values()))


def targets(measure: dict) -> list[tuple[str, str, dict]]:
    """(value key, computation key, parameters) for what the system computes of one measure."""
    result = []
    if measure.get("computation"):
        result.append((measure["name"], measure["computation"], measure.get("parameters") or {}))
    if measure.get("baseline_computation"):
        result.append((baseline_key(measure["name"]), measure["baseline_computation"], {}))
    return result


def _run(key: str, context: Context, parameters: dict):
    computation = registry.get(key)
    if computation is None:
        raise CouldNotCompute(f"no computation called '{key}' is registered")
    value = computation.function(context, **parameters)
    if value is None:
        raise CouldNotCompute(f"computation '{key}' gave no figure")
    return value


def compute(step_run, now: datetime | None = None, *, fixed_only: bool = False) -> Figures:
    """Every figure the step run's measures name a computation for, with the parameters the case
    snapshotted (with `fixed_only`, only those the records fix). A figure the records cannot give is a
    failure with its reason, never a silent gap."""
    context = Context.of(step_run, now or timezone.now())
    figures = Figures()
    for measure in step_run.measures:
        for value_key, key, parameters in targets(measure):
            computation = registry.get(key)
            fixed_by = computation.fixed_by if computation is not None else None
            if fixed_only and fixed_by is None:
                continue
            if computation is not None and computation.held_at(step_run.code):
                figures.held.add(value_key)
            try:
                value = _run(key, context, parameters)
                if fixed_by is not None:
                    figures.fixed[value_key] = fixed_by(context)
            except CouldNotCompute as exc:
                figures.failures[value_key] = exc.reason
                continue
            except Exception:
                if settings.MEASURE_ERRORS_RAISE:
                    raise
                logger.exception("Computation %r failed for step run %s", key, step_run.pk)
                figures.failures[value_key] = UNEXPECTED
                continue
            if isinstance(value, PerItem):
                # Not a failure: an item still without a figure is what the records say (the form
                # names it with its reason).
                figures.missing[value_key] = value.missing
                value = value.figures
            elif isinstance(value, NotFinal):
                figures.not_final[value_key] = value.reason
                value = value.figure
            figures.values[value_key] = value
    return figures


def by_computation(measures: list[dict], figures: dict) -> dict:
    """Figures keyed by computation key, re-keyed by the name of the measure that names each one: how
    an app judges a step's rule on figures it computed itself, without knowing the measures' names."""
    return {m["name"]: figures[m["computation"]] for m in measures if m.get("computation") in figures}


def parameters_of(measures: list[dict], key: str) -> dict:
    """The parameters of the (first) measure naming computation `key`, as the case snapshotted them."""
    return next((dict(m.get("parameters") or {}) for m in measures if m.get("computation") == key), {})


def tunable_parameters(measures: list[dict]) -> list[dict]:
    """Every parameter of the measures' computations with its current value, for the tuning form:
    {"measure", "measure_label", "name", "label", "unit", "value", "minimum", "maximum", "effect"}."""
    result = []
    for measure in measures:
        computation = registry.get(measure.get("computation") or "")
        if computation is None:
            continue
        for parameter in computation.parameters:
            result.append(
                {
                    "measure": measure["name"],
                    "measure_label": measure["label"],
                    "name": parameter.name,
                    "label": parameter.label,
                    "unit": parameter.unit,
                    "value": (measure.get("parameters") or {}).get(parameter.name),
                    "minimum": parameter.minimum,
                    "maximum": parameter.maximum,
                    "effect": parameter.effect,
                }
            )
    return result


def hold_to_records(measures: list[dict], values: dict, figures: Figures) -> tuple[dict, dict]:
    """The values to record, held to the figures the records fix (`figures.fixed`), and the problems
    ({key: [message]}) that refuse them.

    A single figure (the deployment's baseline) replaces whatever was given: the form never offers it,
    and the person whose practice is measured must not set their own pass mark. A group measure's items
    are checked rather than replaced, so a person who typed other figures is told, not overruled
    unseen: an item the records do not know, a figure for an item still without one, another figure
    than the records', or an item left out, each refused by name (`_item_problems`)."""
    held, problems = dict(values), {}
    for measure in measures:
        for key in (measure["name"], baseline_key(measure["name"])):
            if key not in figures.fixed:
                continue
            if not measure.get("group"):
                held[key] = figures.values[key]
                continue
            found = _item_problems(measure, values.get(key), figures, key)
            if found:
                problems[key] = found
    return held, problems


def _item_problems(measure: dict, given, figures: Figures, key: str) -> list[str]:
    """What is wrong with a group measure's items against the figures the records fix."""
    fixed, missing, source = figures.values[key], figures.missing.get(key, {}), figures.fixed[key]
    given = given if isinstance(given, dict) else {}
    item_label, unit = measure.get("item_label", "item"), measure.get("unit", "")
    known = list(fixed) + [item for item in missing if item not in fixed]
    problems, named = [], set()
    for item, raw in given.items():
        name = str(item).strip()
        named.add(name)
        if name in fixed:
            try:
                number = clean_number(measure, raw, name)
            except ValueError:
                continue  # not a number: the measure's own check says so
            if not math.isclose(number, fixed[name], abs_tol=1e-9):
                problems.append(
                    f"{name}: the figure {source} is {fmt(fixed[name])} {unit}, not {fmt(number)} {unit}. "
                    "If that is wrong, correct it there: this check records what it holds."
                )
        elif name in missing:
            reason = missing[name]
            problems.append(f"{reason[:1].upper()}{reason[1:]}: {name} has no figure to record until then.")
        else:
            problems.append(
                f"'{name}' is not a {item_label} of this check. Its {item_label}s are: "
                f"{', '.join(known) or 'none'}."
            )
    for name in fixed:
        if name not in named:
            problems.append(f"{name} is left out: the figure {source} is {fmt(fixed[name])} {unit}.")
    if not fixed and not given and missing and measure.get("items_required"):
        problems.append(
            f"No {item_label} has a figure yet, so this check cannot be judged: "
            + "; ".join(f"{item}: {reason}" for item, reason in missing.items())
            + "."
        )
    return problems


def reason_key(key: str) -> str:
    """The form field (and the refusal's key) for why a figure differs from the system's."""
    return f"{key}__reason"


def unit_for(measure: dict, value) -> str:
    """The measure's unit, in the singular for a count of one ("1 section"): the fixture's count units
    are all plain plurals ("sections", "action lines"), so the singular drops the final "s"."""
    unit = measure.get("unit", "")
    counted = measure.get("kind") in (MeasureKind.COUNT, MeasureKind.MINUTES)
    if counted and not isinstance(value, dict | bool) and value == 1 and unit.endswith("s"):
        return unit[:-1]
    return unit


def figure_number(measure: dict, value) -> str:
    """A computed figure as the page shows it and the form pre-fills it, without its unit: a rate as
    every figure is written (`figure_text`), any other fraction to one decimal place: 44.4444 reads
    44.4, 66.66666 reads 66.7."""
    if measure.get("kind") != MeasureKind.RATE and isinstance(value, float) and math.isfinite(value):
        value = round(value, 1)
    return figure_text(value, measure)


def shown_figure(measure: dict, value) -> str:
    """A computed figure with its unit: "44.4 %", "0.071 incidents per 100 care hours"."""
    return f"{figure_number(measure, value)} {unit_for(measure, value)}".rstrip()


def _same_figure(measure: dict, typed, computed) -> bool:
    """Whether the person kept the system's figure: exactly, or as the page shows and the form
    pre-fills it (a person who leaves "66.7" has not typed over 66.66666)."""
    if math.isclose(typed, computed, abs_tol=1e-9):
        return True
    try:
        return math.isclose(typed, float(figure_number(measure, computed)), abs_tol=1e-9)
    except ValueError:
        return False


def typed_over(measures: list[dict], values: dict, figures: Figures, reasons: dict) -> tuple[dict, dict]:
    """The figures a person typed over the system's, each with the system's figure and their reason
    ({key: {"system": number, "reason": words}}), and the problems ({reason_key: [message]}) refusing
    those without a reason or with one too long.

    Only a single figure the system computed and a person may set is compared: one the records fix is
    held to them (`hold_to_records`), one the chain holds is refused by it outright (`Figures.held`),
    and a group measure's items are typed as lines. A figure that is
    not a number is left to the measure's own check. The threshold is still judged on the recorded
    figure, since the person may hold records the system does not; what makes the override trustworthy
    is that it is never silent: the system's figure and the reason stay on the record, shown beside it."""
    overridden, problems = {}, {}
    for measure in measures:
        if measure.get("group"):
            continue
        for key, _computation, _parameters in targets(measure):
            if key not in figures.values or values.get(key) in (None, ""):
                continue
            if key in figures.fixed or key in figures.held:
                continue
            try:
                typed = clean_number(measure, values[key], measure["label"])
            except ValueError:
                continue
            computed = figures.values[key]
            if _same_figure(measure, typed, computed):
                continue
            system = shown_figure(measure, computed)
            missing = (
                f"Say why your figure of {shown_figure(measure, typed)} differs from the system's {system}."
            )
            try:
                reason = given_reason(
                    (reasons or {}).get(key, ""), missing, field=reason_key(key), what="the reason"
                )
            except ValidationError as exc:
                problems |= exc.message_dict
                continue
            overridden[key] = {"system": computed, "reason": reason}
    return overridden, problems
