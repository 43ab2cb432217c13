"""The figures of one trigger, A1 to A5, computed from a fixed number of queries.

`picture(trigger, now)` loads the trigger's matched services with their notices, leads and lines
once; every figure below reads from it. The trigger's page shows them, and learning_transfer/
computations.py registers them as the computations chain A's measures name (with their windows).
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from providers.choices import RiskLevel, label_of
from providers.models import User
from providers.numbers import format_rate
from providers.permissions import compiled_once
from providers.who_acts import join_and

from .. import analysis, chain
from ..choices import HarmLevel
from ..models import ImplementationLead, ImplementationLine, LearningNotice, LearningTrigger, MatchedService
from ..models.triggers import TREND_FIGURES


@dataclass
class ServiceRow:
    """One matched service with everything the pages and measures need about it."""

    match: MatchedService
    notices: list[LearningNotice]
    current: LearningNotice | None
    received_in_time: bool
    lead: ImplementationLead | None
    lines: list[ImplementationLine]
    open_lines: int


@dataclass
class TriggerPicture:
    """A trigger's matched services, split into included and left out, plus the instant it describes."""

    trigger: LearningTrigger
    now: datetime
    receipt_window_hours: int
    included: list[ServiceRow] = field(default_factory=list)
    left_out: list[ServiceRow] = field(default_factory=list)

    @property
    def median(self) -> float | None:
        value = self.trigger.provider_median_rate
        return None if value is None else float(value)

    @property
    def rates(self) -> list[float]:
        """The included services' rates, which the median is shown beside."""
        return [float(r.match.rate_7d) for r in self.included if r.match.rate_7d is not None]


def _by_match(rows) -> dict[int, list]:
    """Rows of the trigger's matched services (notices or lines), listed per match id in their order."""
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(row.matched_service_id, []).append(row)
    return grouped


def _matches(trigger: int):
    # The trend figures are summed in SQL by the executive summary; no figure here reads them.
    return (
        MatchedService.objects.filter(trigger_id=trigger)
        .select_related("service__region", "lead__person")
        .defer(*TREND_FIGURES)
        .order_by("service__name")
    )


def _notices(trigger: int):
    return (
        LearningNotice.objects.filter(matched_service__trigger_id=trigger)
        .select_related("owner")
        .defer(*User.unread_when_named("owner"))  # the tables name the owner, nothing more
        .order_by("round", "pk")
    )


def _lines(trigger: int):
    return ImplementationLine.objects.filter(matched_service__trigger_id=trigger)  # by due date


def picture(
    trigger: LearningTrigger, now: datetime, receipt_window_hours: int | None = None
) -> TriggerPicture:
    """Load the trigger's matched services once (three queries) and describe each of them, receipt
    judged within `receipt_window_hours` of issue (default: A2's window as the trigger's case runs it).

    Notices and lines are read by the trigger and listed per service here rather than prefetched: at a
    large provider's 500 services Django's prefetch costs more (a list of 500 ids to send, a manager
    and queryset per service) than the rows. Only the people the figures and the page name are loaded
    with them (a notice's owner, the implementation lead)."""
    if receipt_window_hours is None:
        receipt_window_hours = chain.parameters(trigger.provider, trigger)["receipt_window_hours"]
    result = TriggerPicture(trigger=trigger, now=now, receipt_window_hours=receipt_window_hours)
    # Every trigger page and chain A check reads these three: their SQL is kept, run with this trigger.
    matches = compiled_once(None, "a trigger's matches", _matches, trigger=trigger.pk).rows()
    notices = _by_match(compiled_once(None, "a trigger's notices", _notices, trigger=trigger.pk).rows())
    lines = _by_match(compiled_once(None, "a trigger's lines", _lines, trigger=trigger.pk).rows())
    for match in matches:
        match.trigger = trigger  # as trigger.matches would have set it
        match_notices, match_lines = notices.get(match.pk, []), lines.get(match.pk, [])
        row = ServiceRow(
            match=match,
            notices=match_notices,
            current=next((n for n in match_notices if n.superseded_at is None), None),
            received_in_time=match.received_within(receipt_window_hours),
            lead=getattr(match, "lead", None),
            lines=match_lines,
            open_lines=sum(1 for line in match_lines if line.completed_at is None),
        )
        (result.included if match.included else result.left_out).append(row)
    return result


def a1_decision(pic: TriggerPicture, a1_step=None) -> analysis.A1Decision:
    """A1's decision from the included matched services' recorded baseline, judged by the rule the
    trigger's case snapshotted when it started (so a provider's tuning applies): `a1_step`'s, when
    the caller has loaded that step run already. A trigger with no case (none was started, as for a
    history loaded in bulk) is judged by the rule as the provider runs it now."""
    rule, step_measures = chain.rule_as_run(pic.trigger, "A1", None if a1_step is None else [a1_step])
    decision = analysis.a1_decision_of(
        len(pic.included),
        matched_service_rates(pic),
        sum(1 for r in pic.included if r.match.above_median),
        pic.median,
        rule,
        step_measures,
    )
    return replace(
        decision, left_out_words=left_out_above_median([r.match for r in pic.left_out], pic.median)
    )


def left_out_above_median(left_out, median: float | None) -> str:
    """ "Left out by hand while above the provider median: Ash Grove (1.143)" for the matched services
    left out whose rate was above the median, said beside A1's decision and in its record ("" for none):
    the decision does not count them, and a comparable service left out is a warning sign."""
    above = sorted((m for m in left_out if m.above_median), key=lambda m: m.service.name)
    if not above:
        return ""
    named = ", ".join(f"{m.service.name} ({format_rate(m.rate_7d, median)})" for m in above)
    return f"Left out by hand while above the provider median: {named}"


def _issued_first(row: ServiceRow, issued) -> bool:
    """Whether the service was among those the learning was first issued to."""
    return row.match.first_notice_at is not None and row.match.first_notice_at <= issued


def as_issued(pic: TriggerPicture) -> TriggerPicture | None:
    """The picture as the learning was first issued on (None before then): the services its first
    notices went to, whether left out since or not, and none added after. The A1 decision the
    learning rested on is judged on it, so leaving a service out later does not rewrite it."""
    issued = pic.trigger.notices_issued_at
    if issued is None:
        return None
    rows = [r for r in pic.included + pic.left_out if _issued_first(r, issued)]
    return TriggerPicture(
        trigger=pic.trigger, now=pic.now, receipt_window_hours=pic.receipt_window_hours, included=rows
    )


def changed_since_issue(pic: TriggerPicture) -> str:
    """What changed in the matched services of `pic` since the learning was first issued, in a
    sentence ("Since then, Ash Grove was left out of the learning, and Ember Court was added to it."), or
    "" when nothing did (or it is not issued yet)."""
    issued = pic.trigger.notices_issued_at
    if issued is None:
        return ""
    left_out = [r.match.service.name for r in pic.left_out if _issued_first(r, issued)]
    added = [r.match.service.name for r in pic.included if not _issued_first(r, issued)]
    said = []
    if left_out:
        said.append(
            f"{join_and(left_out)} {'was' if len(left_out) == 1 else 'were'} left out of the learning"
        )
    if added:
        said.append(f"{join_and(added)} {'was' if len(added) == 1 else 'were'} added to it")
    return f"Since then, {', and '.join(said)}." if said else ""


def look_wider(pic: TriggerPicture, step_runs=None) -> dict | None:
    """Whether the quality director should be prompted to look beyond the risk-profile match: an open
    trigger, matched, its learning not issued yet, from an incident notified to CQC or causing severe
    harm or a death, whose included matched services are too few for A1's rule ever to call for
    mandatory learning (seed 000: "matched services exceed 2", or the provider's tuning, as the
    trigger's case runs it; read from `step_runs` when the caller has loaded the case's, see
    `chain.rule_as_run`). Seed 003 expects "a fall at one site" to lead "to an audit of all sites".
    None, or what the prompt says: how many services matched, the number A1 needs them to exceed, and
    why the failure counts as serious."""
    trigger, incident = pic.trigger, pic.trigger.source_incident
    # Once the learning is issued the prompt has done its work: a service left out afterwards must not
    # make it read as if the learning should never have gone out.
    if trigger.is_closed or trigger.matched_at is None or incident is None or trigger.notices_issued_at:
        return None
    if incident.regulatory_notification:
        serious = "notified to CQC"
    elif incident.harm_level == HarmLevel.DEATH:
        serious = "that caused a death"
    elif incident.harm_level == HarmLevel.SEVERE:
        serious = "that caused severe harm"
    else:
        return None
    # A rule that no longer counts matched services has no "too few": only no match at all is.
    at_most = chain.threshold_as_run(trigger, "A1", "matched_service_count", step_runs)
    if len(pic.included) > (at_most or 0):
        return None
    return {"matched": len(pic.included), "needed_more_than": at_most, "serious": serious}


def matched_service_rates(pic: TriggerPicture) -> dict[str, float]:
    """A1: each included matched service's incident rate before the learning, by service name."""
    return {r.match.service.name: float(r.match.rate_7d) for r in pic.included if r.match.rate_7d is not None}


def open_actions_due(pic: TriggerPicture) -> int:
    """A1: open action lines due within the trigger's working days (`open_actions_working_days`, as
    counted when matching ran) in the included matched services."""
    return sum(r.match.open_actions_due_5d for r in pic.included)


def receipt_judged(pic: TriggerPicture) -> list[ServiceRow]:
    """The services A2's receipt is judged over: every included service, and each left out after its
    notice went out. It was sent the learning; leaving it out afterwards must not make the distribution
    look better than it was (1 of 3 in time is not 1 of 1 once two are left out)."""
    return pic.included + [r for r in pic.left_out if r.match.left_out_after_its_notice]


def pct_received(pic: TriggerPicture) -> float | None:
    """A2: the % of the services judged (`receipt_judged`) that received their notice in the window."""
    judged = receipt_judged(pic)
    received = sum(1 for r in judged if r.received_in_time)
    return round(100 * received / len(judged), 1) if judged else None


def sample(pic: TriggerPicture, sample_size: int) -> list[LearningNotice]:
    """A2's sample: the first `sample_size` current notices issued to the included services."""
    issued = (r.current for r in pic.included if r.current is not None)
    return sorted(issued, key=lambda n: (n.issued_at, n.pk))[:sample_size]


def due_in_time(notices: list[LearningNotice], due_within_hours: int) -> int:
    """How many of the notices give implementation a due date within `due_within_hours` of issue."""
    limit = timedelta(hours=due_within_hours)
    return sum(1 for n in notices if n.due_at and n.due_at - n.issued_at <= limit)


def distribution(
    pic: TriggerPicture, sample_size: int | None = None, due_within_hours: int | None = None
) -> dict:
    """A2's figures plus what the notices table shows: receipt within the picture's window, the first
    `sample_size` notices' owners and due dates (default: as the trigger's case runs them), left-out
    services and notices missing details."""
    if sample_size is None or due_within_hours is None:
        values = chain.parameters(pic.trigger.provider, pic.trigger)
        sample_size, due_within_hours = values["sample_size"], values["due_within_hours"]
    issued = [r for r in pic.included if r.current is not None]
    judged = receipt_judged(pic)
    received = sum(1 for r in judged if r.received_in_time)
    sampled = sample(pic, sample_size)
    return {
        "included": len(pic.included),
        "judged": len(judged),  # receipt is judged over these: left out after issue among them
        "left_out_after_issue": len(judged) - len(pic.included),
        "issued": len(issued),
        "received": received,
        "pct_received": pct_received(pic),
        "window_hours": pic.receipt_window_hours,
        "in_time_words": f"Within {pic.receipt_window_hours} hours",
        "without_owner": [r for r in issued if r.current.owner_id is None],
        "without_due": [r for r in issued if r.current.due_at is None],
        "not_issued": [r for r in pic.included if r.current is None],
        "sample_size": len(sampled),
        "sampled_with_owner": sum(1 for n in sampled if n.owner_id),
        "due_within_hours": due_within_hours,
        "sampled_due_in_time": due_in_time(sampled, due_within_hours),
        "acknowledged": sum(1 for r in issued if r.current.acknowledged_at),
        **receipt_windows(pic, received),
    }


def receipt_windows(pic: TriggerPicture, received: int) -> dict:
    """Notices still inside their receipt window (issued less than the window ago, not acknowledged)
    are not yet late: when the last window closes (None once the percentage is final), and how many
    services have missed theirs."""
    window = timedelta(hours=pic.receipt_window_hours)
    judged = receipt_judged(pic)
    open_until = [
        r.current.issued_at + window
        for r in judged
        if r.current and r.current.acknowledged_at is None and r.current.issued_at + window > pic.now
    ]
    return {
        "receipt_window_closes_at": max(open_until, default=None),
        "receipt_missed": len(judged) - received - len(open_until),
    }


def risk_unresolved(pic: TriggerPicture, age_hours: int) -> int:
    """A3: included services whose comparable risk has been open for more than `age_hours`."""
    return sum(1 for r in pic.included if r.match.comparable_risk_open_longer_than(age_hours, pic.now))


def without_lead(pic: TriggerPicture) -> int:
    """A3: included services without a confirmed implementation lead who still leads (one whose
    sign-in was switched off leads nothing)."""
    return sum(1 for r in pic.included if r.lead is None or not r.lead.leads_now)


def briefing_incomplete(pic: TriggerPicture) -> int:
    """A3: included services whose mandatory learning briefing is not yet complete."""
    return sum(1 for r in pic.included if r.match.briefing_completed_at is None)


def exposure(pic: TriggerPicture, age_hours: int) -> dict:
    """A3's figures for the page: services without a lead, with comparable risk open for more than
    `age_hours`, briefing incomplete."""
    return {
        "without_lead": without_lead(pic),
        "risk_age_hours": age_hours,
        "risk_unresolved": risk_unresolved(pic, age_hours),
        "briefing_incomplete": briefing_incomplete(pic),
    }


def narrowed(pic: TriggerPicture, keep: Callable[[ServiceRow], bool]) -> TriggerPicture:
    """The same picture with only the matched services `keep` accepts (included and left out alike)."""
    return TriggerPicture(
        trigger=pic.trigger,
        now=pic.now,
        receipt_window_hours=pic.receipt_window_hours,
        included=[r for r in pic.included if keep(r)],
        left_out=[r for r in pic.left_out if keep(r)],
    )


def for_region(pic: TriggerPicture, region) -> TriggerPicture:
    """The same picture narrowed to one region's matched services (what that region's A4 measures)."""
    return narrowed(pic, lambda r: r.match.service.region_id == region.pk)


# A4 judges "expected reduction below 12 % on any matched service group": the groups are the region's
# matched services of one risk level (the provider's own classification), highest risk first.
GROUP_ORDER = [RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW]


def group_name(service) -> str:
    """The matched service group a service belongs to in A4, e.g. "High-risk services"."""
    return f"{label_of(RiskLevel, service.risk_level)}-risk services"


def _group_rank(level: str) -> int:
    """Where a risk level's group comes: a level since retired comes after the current ones."""
    return GROUP_ORDER.index(level) if level in GROUP_ORDER else len(GROUP_ORDER)


def service_groups(rows: list[ServiceRow]) -> dict[str, list[ServiceRow]]:
    """A4's matched service groups, highest risk first, each with its services by name."""
    ordered = sorted(rows, key=lambda r: (_group_rank(r.match.service.risk_level), r.match.service.name))
    groups: dict[str, list[ServiceRow]] = {}
    for row in ordered:
        groups.setdefault(group_name(row.match.service), []).append(row)
    return groups


def expected_reduction_by_group(rows: list[ServiceRow]) -> dict[str, float]:
    """Each group's expected % reduction in comparable risk: the mean of its services' figures (services
    without a figure yet are left out; a group with none has no figure)."""
    result = {}
    for name, members in service_groups(rows).items():
        figures = [
            float(r.match.expected_reduction_pct)
            for r in members
            if r.match.expected_reduction_pct is not None
        ]
        if figures:
            result[name] = round(sum(figures) / len(figures), 1)
    return result


def alignment_by_region(pic: TriggerPicture) -> list[dict]:
    """A4 as each region's Deputy Regional Manager sees it: the region's matched service groups, each
    with its expected reduction and its services (so a weak service stays visible beside its group)."""
    by_region: dict = {}
    for row in pic.included:
        by_region.setdefault(row.match.service.region, []).append(row)
    result = []
    for region in sorted(by_region, key=lambda r: r.name):
        rows = by_region[region]
        figures = expected_reduction_by_group(rows)
        groups = [
            {"name": name, "reduction": figures.get(name), "rows": members}
            for name, members in service_groups(rows).items()
        ]
        result.append({"region": region, "groups": groups})
    return result


def briefings_completed(pic: TriggerPicture, window_hours: int) -> int:
    """A4: included services whose briefing was completed in the previous `window_hours`."""
    since = pic.now - timedelta(hours=window_hours)
    return sum(
        1
        for r in pic.included
        if r.match.briefing_completed_at and since <= r.match.briefing_completed_at <= pic.now
    )


def local_tasks_due(pic: TriggerPicture, window_hours: int) -> int:
    """A4: open implementation lines of the included services falling due in the next `window_hours`."""
    until = pic.now + timedelta(hours=window_hours)
    return sum(
        1
        for r in pic.included
        for line in r.lines
        if line.completed_at is None and pic.now < line.due_at <= until
    )


def high_risk_lacking_action(pic: TriggerPicture) -> list[ServiceRow]:
    """Included high-risk services whose implementation is not yet verified."""
    return [
        r
        for r in pic.included
        if r.match.service.risk_level == RiskLevel.HIGH and r.match.implementation_confirmed_at is None
    ]
