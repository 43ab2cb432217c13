"""What an evidence pack says, as plain words and numbers: the content its template renders.

The content holds no model objects, only text, numbers and lists, so the same content can be kept at
release (ReleasedPackContent) and every later pack of the update built from what was signed off.

A commissioner's content is cut down to the services that commissioner commissions: its lines (each
wholly about them, `_only_about`), the learning's rows and the "not claimed" sentences name no other
service; the free text and figures that can speak of other services are left out of the content itself,
not only hidden by the template: hold reasons, why a line was left out, step figures, a trigger's story
unless its source service is theirs, and any other words (the learning, a line's claim) that name a
service of the provider they do not commission (`_naming_others`).
"""

import re
from dataclasses import dataclass, field

from django.db.models import Min, Prefetch, QuerySet
from django.utils import timezone

from escalation.choices import StepRunState
from escalation.computations import SYSTEM_FIGURES
from escalation.models import StepRecord
from escalation.rules import figure_text
from escalation.templatetags.steps import step_state, step_words
from escalation.values import value_rows
from learning_transfer.models import LearningTrigger
from providers.choices import Role
from providers.models import Commissioner, RoleAssignment, Service
from providers.templatetags.nhsuk import london, on_at
from providers.who_acts import join_and, join_or

from . import chain, evidence, live_adoption, movement
from .choices import WITHHELD_STATES, LineKind, LineState


def covered_for(update, commissioner: Commissioner) -> QuerySet[Service]:
    """The services the update covers that the commissioner commissions: its pack's "Your services
    covered", and what decides whether it gets a pack at all (`packs.commissioners_of`: exactly the
    commissioners for whom this is not empty).

    "The services the update covers" are the ones it was planned and released for. A line may also name
    a service the update does not cover, but that does not make the update one for that service's
    commissioner: such a commissioner would get a pack about none of its covered services (an empty
    "Your services"). Whoever gets a pack, every line and row in it is about services it commissions
    (`_only_about`), so a line naming an uncovered service of theirs is still theirs to read."""
    return update.services.filter(commissioners=commissioner)


class Shown:
    """The provider's free text as a reader's pack may show it: `words(text)` gives the text, or None
    when it names a service of the provider the commissioner does not commission (whole words, any
    case; "Elm House's sheet" names Elm House). The provider's own pack shows every text."""

    def __init__(self, update, theirs: set[int] | None):
        names = []
        if theirs is not None:
            others = Service.objects.filter(provider_id=update.provider_id).exclude(pk__in=theirs)
            names = sorted(others.values_list("name", flat=True), key=len, reverse=True)
        alternatives = "|".join(re.escape(name) for name in names if name.strip())
        self._others = re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE) if alternatives else None

    def words(self, text: str) -> str | None:
        if self._others is not None and text and self._others.search(text):
            return None
        return text


def _timeline(update) -> list:
    """Chain C's step runs with their current record, in order."""
    run = chain.run_for(update)
    if run is None:
        return []
    current = Prefetch(
        "records",
        queryset=StepRecord.objects.filter(is_current=True).select_related("recorded_by"),
        to_attr="current_records",
    )
    steps = list(run.step_runs.order_by("order", "due_at", "occurrence").prefetch_related(current))
    for step in steps:
        step.current_record = step.current_records[0] if step.current_records else None
        # Written as the step's own page writes them: rates to the precision that tells them apart.
        step.figures = value_rows(step.measures, step.current_record.values) if step.current_record else []
    return steps


def _only_about(line, found: evidence.EvidenceMap, service_ids: set[int]) -> bool:
    """Whether every service the line speaks for (`evidence.spoken_for`: the services its evidence rows
    describe) is among these. A line speaking for the whole provider describes every matched service,
    and a line naming a service of another commissioner may describe it in its own words, so neither
    belongs in a commissioner's pack."""
    if evidence.speaks_for_the_provider(line, found):
        return False
    named = evidence.spoken_for(line, found)
    return bool(named) and set(named) <= service_ids


@dataclass
class LearningReach:
    """One linked trigger as a pack tells it: its story (what happened, the cause, the fix at the source
    service, the learning, the governance change and the target), when the reader may read it, and
    where the learning reached: how many comparable services, how many verified, and the rows of the
    services the reader sees."""

    trigger: object
    story: bool
    matched: int
    verified: int
    rows: list = field(default_factory=list)

    @property
    def not_verified(self) -> int:
        return self.matched - self.verified


def learning_reach(triggers, found: evidence.EvidenceMap, theirs: set[int] | None) -> list[LearningReach]:
    """Each trigger's reach, from the evidence map the lines are judged on. `theirs` (a commissioner's
    services; None for the provider) limits the named rows and the story: the story belongs to the
    source service, so only its commissioners read it, while counts name no service."""
    matches = [match for service_matches in found.by_service.values() for match in service_matches]
    reach = []
    for trigger in triggers:
        own = [m for m in matches if m.trigger_id == trigger.pk]
        shown = sorted(
            (m for m in own if theirs is None or m.service_id in theirs), key=lambda m: m.service.name
        )
        reach.append(
            LearningReach(
                trigger=trigger,
                story=theirs is None or trigger.source_service_id in theirs,
                matched=len(own),
                verified=sum(1 for m in own if m.implementation_confirmed_at),
                rows=[(m.service.name, m.implementation_confirmed_at) for m in shown],
            )
        )
    return reach


def not_claimed(learning: list[LearningReach]) -> list[str]:
    """The pack's plain statement of where it does not claim the learning is in place: the services
    the reader sees whose implementation is not verified yet (one sentence, or one per trigger when the
    update reports on several)."""
    several = len(learning) > 1
    sentences = []
    for item in learning:
        names = [name for name, verified_at in item.rows if not verified_at]
        if names:
            which = f" of {item.trigger.reference}" if several else ""
            sentences.append(
                f"This pack does not claim the learning{which} is in place at {join_or(names)}: "
                "not verified yet."
            )
    return sentences


def _is_evidenced(line, verdict) -> bool:
    """Whether the line goes out with its evidence: judged evidenced now, or challenge-cleared (which only
    an evidenced line can be). A frozen or deferred line is withheld, so never evidenced."""
    return line.state == LineState.CHALLENGE_CLEARED if verdict is None else verdict.evidenced


def _why_not(line) -> str:
    """What became of a line without evidence, in the reader's words."""
    return line.get_state_display().lower() if line.state in WITHHELD_STATES else "lacking evidence"


def _counted(lines) -> str:
    """ "1 deferred — waiting for proof, 2 lacking evidence": each outcome with how many lines had it."""
    outcomes: dict[str, int] = {}
    for line in lines:
        outcomes[_why_not(line)] = outcomes.get(_why_not(line), 0) + 1
    return ", ".join(f"{count} {words}" for words, count in outcomes.items())


def evidence_summary(lines: list, evidenced: int, commissioner: Commissioner | None) -> str:
    """Page 1's plain statement of what the pack evidences, counting the lines as the figures do.

    A pack whose every line is withheld or lacking says first that nothing in it is evidence, so a
    released pack is never read as assurance it does not give.
    """
    whose = " for your services" if commissioner else ""
    if not lines:
        why = "no line of it is about your services alone" if commissioner else "it has no reporting lines"
        return f"Nothing in this update is evidenced{whose} yet: {why}."
    count = f"{len(lines)} line{'s' * (len(lines) != 1)}"
    unevidenced = [line for line in lines if not line.evidenced]
    if evidenced:
        return _evidenced_words(len(lines), evidenced, commissioner) + (
            f" ({_counted(unevidenced)})." if unevidenced else "."
        )
    about = ""
    if commissioner:
        names = sorted({service.name for line in lines for service in line.services.all()})
        about = f" about {join_and(names)}" if names else ""
    outcomes = {_why_not(line) for line in lines}
    if len(outcomes) == 1:
        said = f"{'is' if len(lines) == 1 else 'are'} {outcomes.pop()}"
    else:
        said = _counted(lines)
        about += ":"
    return f"Nothing in this update is evidenced{whose} yet: its {count}{about} {said}."


def _evidenced_words(total: int, evidenced: int, commissioner) -> str:
    """ "The 1 line about your services is evidenced", "All 2 lines of the update are evidenced", "1 of
    the 2 lines about your services is evidenced" (no full stop: what the rest became may follow)."""
    lines = f"line{'s' * (total != 1)}"
    whose = "about your services" if commissioner else "of the update"
    if total == 1:
        return f"The 1 line {whose} is evidenced"
    if evidenced == total:
        return f"All {total} {lines} {whose} are evidenced"
    verb = "is" if evidenced == 1 else "are"
    return f"{evidenced} of the {total} {lines} {whose} {verb} evidenced"


def _role_at(user, provider) -> str:
    """The most senior role the person holds at the provider, in words ("Provider Director")."""
    held = set(RoleAssignment.objects.filter(user=user, provider=provider).values_list("role", flat=True))
    return next((role.label for role in Role if role.value in held), "")


def _fixes_recorded(learning: list[LearningReach]) -> dict:
    """{trigger id: when its fix at the source service was first recorded}, for the triggers whose story
    the reader reads: one query over the triggers' history, whatever their number."""
    ids = [item.trigger.pk for item in learning if item.story and item.trigger.local_fix]
    if not ids:
        return {}
    history = LearningTrigger.history.filter(id__in=ids).exclude(local_fix="").order_by()
    return dict(history.values_list("id").annotate(first=Min("history_date")))


def _yours_words(item: LearningReach) -> str:
    """A commissioner's count of the learning's reach among its own services (the rows it sees): "Of your
    services, 1 was issued this learning: 1 verified, 0 not verified yet." The provider-wide count follows,
    labelled as context, only when it counts services the commissioner does not commission."""
    verified = sum(1 for _, verified_at in item.rows if verified_at)
    count = len(item.rows)
    if not count:
        yours = "None of your services was issued this learning."
    else:
        was = "was" if count == 1 else "were"
        yours = f"Of your services, {count} {was} issued this learning: {verified} verified, "
        yours += f"{count - verified} not verified yet."
    if item.matched == count:
        return yours
    services = f"{item.matched} comparable service{'s' * (item.matched != 1)}"
    return (
        f"{yours} Provider-wide context, not only your services: issued to {services}, {item.verified} "
        f"verified, {item.not_verified} not verified yet."
    )


def _learning_words(item: LearningReach, fix_recorded_at, shown: Shown, *, for_commissioner=False) -> dict:
    """One trigger as the pack tells it. The learning itself (what the provider learned, the governance
    change, the target) is for every reader, since every matched service adopted it; the story at the
    source service (what happened, the cause, the fix there) only when the reader may read it. A field
    whose words name a service the reader does not commission is None: kept in the provider's record.
    A commissioner's pack counts the reach among its own services first (`yours`)."""
    trigger = item.trigger
    target = trigger.measurable_target
    if target and trigger.target_date:
        target = f"{target} by {trigger.target_date:%-d %B %Y}"
    words = {
        "yours": _yours_words(item) if for_commissioner else "",
        "reference": trigger.reference,
        "heading": str(trigger)
        if item.story
        else f"{trigger.reference} ({trigger.get_theme_display().lower()})",
        "story": item.story,
        "matched": item.matched,
        "verified": item.verified,
        "not_verified": item.not_verified,
        "rows": [[name, london(verified_at)] for name, verified_at in item.rows],
        "learning_statement": shown.words(trigger.learning_statement),
        "governance_change": shown.words(trigger.governance_change),
        "measurable_target": shown.words(target),
    }
    if item.story:
        words |= {
            "source_service": trigger.source_service.name,
            "confirmed_at": london(trigger.confirmed_at),
            "what_happened": shown.words(trigger.what_happened),
            "root_cause_summary": shown.words(trigger.root_cause_summary),
            "local_fix": shown.words(trigger.local_fix),
            "fix_status": f"Fix recorded {london(fix_recorded_at)}"
            if fix_recorded_at
            else "Not recorded yet",
        }
    return words


def _live_practice(update, found: evidence.EvidenceMap, theirs: set[int] | None, *, several: bool) -> dict:
    """{matched service id: (LivePractice, its words)} for every verified matched service the reader
    sees: what live practice showed there at release (or now, before release). The services a pack
    counts as evidenced are among them. A fixed number of queries, however many services."""
    matches = [
        match
        for service_id, service_matches in found.by_service.items()
        if theirs is None or service_id in theirs
        for match in service_matches
        if match.implementation_confirmed_at
    ]
    released = update.released_at is not None
    practice = live_adoption.live_practice(matches, update.released_at or timezone.now())
    by_pk = {match.pk: match for match in matches}
    return {
        pk: (
            found_practice,
            live_adoption.words(
                found_practice,
                released,
                f"{found_practice.service} ({by_pk[pk].trigger.reference})" if several else "",
            ),
        )
        for pk, found_practice in practice.items()
    }


def _before_live(item: LearningReach, found: evidence.EvidenceMap, live: dict) -> list[str]:
    """ "Rowan Court: verified before the learning went live on Fri 4 Dec 2026, 11:30" for each service of
    the trigger's rows whose verification is dated before its learning went live (said, never hidden)."""
    said = []
    for matches in found.by_service.values():
        for match in matches:
            practice = live.get(match.pk, (None,))[0]
            if match.trigger_id != item.trigger.pk or practice is None or practice.deployed_at is None:
                continue
            if practice.verified_at < practice.deployed_at:
                went_live = london(practice.deployed_at)
                said.append(f"{practice.service}: verified before the learning went live on {went_live}")
    return sorted(said)


def _line_live(line, found: evidence.EvidenceMap, live: dict) -> list[str]:
    """The one-line account of live practice for each service an evidenced line counts as verified."""
    said = []
    for service_id in evidence.spoken_for(line, found):
        match = found.verified(service_id)
        if match is not None and match.pk in live:
            said.append(live[match.pk][1]["short"])
    return said


def _movement_words(line, found: evidence.EvidenceMap) -> str:
    """For an improvement line, the movement from baseline the latest check of the figures (C2) gave it,
    which is what makes the improvement evidenced: "Movement from baseline: 12 % in the check of …"."""
    record = found.figures_check
    if line.kind != LineKind.IMPROVEMENT or record is None:
        return ""
    given = movement.recorded_movements(record.values).get(line.order)
    if given is None:
        return ""
    return (
        f"Movement from baseline: {figure_text(given)} % in the check of the figures (C2) recorded by "
        f"{record.recorded_by} {on_at(record.recorded_at)}."
    )


def _line_words(line, found: evidence.EvidenceMap, shown: Shown, commissioner) -> dict:
    """One reporting line: its claim, each named service's evidence, and, for a line left out, why (in
    the provider's own pack only: a reason is free text written for the provider's governance)."""
    return {
        "order": line.order,
        "kind": line.get_kind_display(),
        # The state's name alone: "— ready for sign-off" is what to do before release, not in a pack.
        "state": line.get_state_display().split(" — ")[0],
        "left_out": line.state in WITHHELD_STATES,
        "decision_reason": "" if commissioner else line.decision_reason,
        "claim": shown.words(line.claim),
        "rows": [list(row) for row in line.service_rows],
        "evidence_note": line.evidence_note,
        "movement": _movement_words(line, found),
        "live": line.live,
    }


def _hold_words(hold, commissioner) -> dict:
    """One issue hold; its reasons only in the provider's own pack (they can name other services)."""
    words = {
        "placed_at": london(hold.placed_at),
        "placed_by": str(hold.placed_by),
        "lifted_at": london(hold.lifted_at),
        "lifted_by": str(hold.lifted_by) if hold.lifted_by else "",
    }
    if commissioner is None:
        words |= {"reason": hold.reason, "lift_reason": hold.lift_reason}
    return words


def _not_needed(step, update) -> bool:
    """A check closed without a record because the update was released before it fell due."""
    return (
        step.state == StepRunState.CLOSED
        and step.current_record is None
        and update.released_at is not None
        and step.due_at > update.released_at
    )


def _what_happened(step) -> str:
    """The check's outcome in words; the sign-off names who signed and in what role (the pack writes
    when after it, kept on one line)."""
    record = step.current_record
    if step.code == chain.SIGN_OFF_STEP and record is not None and not record.breached:
        return f"Signed off by {record.recorded_by}, {step.get_role_display()},"  # the date follows
    return step_state(step)


def _not_needed_words(steps) -> str:
    """ "Check the figures behind each claim (C2) due Thu 10 Dec, Fri 11 Dec and Mon 14 Dec 2026": each
    check the release made unnecessary once, with the days it would have been due."""
    by_name: dict[str, list] = {}
    for step in steps:
        by_name.setdefault(f"{step_words(step)} ({step.code})", []).append(step.due_at)
    return "; ".join(f"{name} due {join_and([_day(due) for due in dues])}" for name, dues in by_name.items())


def _day(moment) -> str:
    """The London day of a moment, as the pack writes dates: "Thu 10 Dec 2026"."""
    return london(moment).split(",")[0]


def _checks(update, timeline: list, *, figures: bool) -> dict:
    """The checks before issue: a row for each that was recorded or still stands, and one line naming
    those not needed because the update was released before they fell due. `figures`: the recorded
    figures too (the provider's own pack only: they count every service of the update)."""
    rows = []
    for step in timeline:
        if _not_needed(step, update):
            continue
        record = step.current_record
        rows.append(
            {
                "name": step_words(step),
                "code": step.code,
                "role": step.get_role_display(),
                "due": london(step.due_at),
                "what_happened": _what_happened(step),
                "recorded_at": london(record.recorded_at) if record else "",
                "recorded_by": str(record.recorded_by) if record else "",
                "signed_off": step.code == chain.SIGN_OFF_STEP and record is not None,
                "figures": [
                    f"{row['label']}: {row['value']} {row['unit']}"
                    + (f" ({row['system_note']})" if row.get("system_note") else "")
                    for row in step.figures
                ]
                if figures
                else [],
                "typed_over": TYPED_OVER
                if not figures and record and record.values.get(SYSTEM_FIGURES)
                else "",
            }
        )
    skipped = [step for step in timeline if _not_needed(step, update)]
    return {"started": bool(timeline), "rows": rows, "not_needed": _not_needed_words(skipped)}


# Said in a commissioner's pack, which has no figures column, where a check's figure was typed over
# the system's: the reader knows the check does not rest on the system's figure alone.
TYPED_OVER = (
    "A figure of this check was entered by hand in place of the system's: the system's figure and the "
    "reason are kept in the provider's own record."
)


def _released_early(update, timeline: list) -> str:
    """Page 1's sentence for an update released before its checks' preparation window opened (when the
    first of them, `chain.PREPARATION_STEP`, falls due): its evidence and checks are those of the day
    of release."""
    opens = next((step.due_at for step in timeline if step.code == chain.PREPARATION_STEP), None)
    if update.released_at is None or opens is None or update.released_at >= opens:
        return ""
    days = (update.issue_at - update.released_at).days
    return (
        f"Released {days} day{'s' * (days != 1)} before its issue date, before the checks' preparation "
        f"window opened {on_at(opens)}: the evidence and the checks are as they stood at release, not in "
        "the days before issue."
    )


def _services_spoken_for(covered: list, lines) -> list[str]:
    """The names of the services the pack's claims speak for: those the update covers (for a
    commissioner, those of theirs), and every service a line still in the pack names, in name order. An
    update planned without its covered services still names the homes its lines speak of."""
    named = {
        service.name for line in lines if line.state not in WITHHELD_STATES for service in line.services.all()
    }
    return sorted({service.name for service in covered} | named)


def pack_content(update, commissioner: Commissioner | None = None) -> dict:
    """Everything the pack shows, in words: lines with evidence per named service, the learning and where
    it reached, holds and the checks before issue. A commissioner's pack keeps only the commissioner's
    services and the lines wholly about them."""
    found = evidence.evidence_map(update)
    verdicts = evidence.judge_update(update)
    # As the update's page words it, from every line's saved state ("Draft — 1 line lacks evidence").
    lacking = sum(1 for line in verdicts if line.state == LineState.LACKING)
    status = update.status_words(len(verdicts), lacking)
    services = list(update.services.order_by("name"))
    theirs = None
    if commissioner is not None:
        theirs = set(commissioner.services.values_list("pk", flat=True))
        services = list(covered_for(update, commissioner).order_by("name"))
        verdicts = {line: v for line, v in verdicts.items() if _only_about(line, found, theirs)}
    services = _services_spoken_for(services, verdicts)
    lines = []
    for line, verdict in verdicts.items():
        line.service_rows = evidence.line_services(line, found)
        line.evidenced = _is_evidenced(line, verdict)
        lines.append(line)
    evidenced = sum(1 for line in lines if line.evidenced)
    triggers = list(update.triggers.select_related("source_service").order_by("confirmed_at"))
    learning = learning_reach(triggers, found, theirs)
    live = _live_practice(update, found, theirs, several=len(triggers) > 1)
    for line in lines:
        line.live = _line_live(line, found, live) if line.evidenced else []
    fixes = _fixes_recorded(learning)
    c1 = evidence.c1_measures(verdicts)
    holds = update.holds.select_related("placed_by", "lifted_by").order_by("placed_at")
    live_words = [words for _, words in sorted(live.values(), key=lambda pair: pair[1]["service"])]
    shown = Shown(update, theirs)
    timeline = _timeline(update)
    return {
        "provider": update.provider.name,
        "reference": update.reference,
        "title": update.title,
        "audience": update.get_audience_display(),
        "status": status,
        "issue_at": london(update.issue_at),
        "released_at": london(update.released_at),
        "released_by": str(update.released_by) if update.released_by else "",
        "released_by_role": _role_at(update.released_by, update.provider) if update.released_by else "",
        "commissioner": commissioner.name if commissioner else "",
        "services": services,
        "summary": evidence_summary(lines, evidenced, commissioner),
        "not_claimed": not_claimed(learning),
        "learning": [
            _learning_words(
                item, fixes.get(item.trigger.pk), shown, for_commissioner=commissioner is not None
            )
            | {"before_live": _before_live(item, found, live)}
            for item in learning
        ],
        "live_practice_when": live_adoption.moment_words(update.released_at is not None),
        "live_practice": live_words,
        "live_warnings": [sentence for words in live_words for sentence in words["warnings"]],
        "figures": {
            "evidenced": evidenced,
            "left_out": sum(1 for line in lines if line.state in WITHHELD_STATES),
            "provider_wide": c1["provider_wide_lines"],
            "lacking": c1["lines_lacking_service_evidence"],
            "open_risk_without_data": c1["open_risk_lines_without_data"],
        },
        "lines": [_line_words(line, found, shown, commissioner) for line in lines],
        "holds": [_hold_words(hold, commissioner) for hold in holds],
        "checks": _checks(update, timeline, figures=commissioner is None),
        "released_early": _released_early(update, timeline),
    }
