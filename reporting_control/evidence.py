"""Judging reporting lines against the learning-transfer records, without saving anything.

The one rule of chain C: a claim of adoption counts only where a named, included matched service of a
linked trigger has verified implementation (`implementation_confirmed_at`). A learning notice, sent or
acknowledged, is never adoption evidence. services.py saves these verdicts; prefill reads them. Two more
conditions, since a verification alone does not show the claim:
- where the learning has gone live at the service (its adoption deployment's go-live), the verification
  counts only once a check of live practice (a chain B record) has been recorded there at or after
  go-live: until then the service's evidence says "verified, but no check of live practice recorded at
  Rowan Court since it went live on …". A service not live yet is judged on its verification alone;
- a line claiming an improvement is evidenced only when, besides the above, the latest check of the
  figures (C2) recorded a movement from baseline above zero for it ("Line 3"): until then its evidence
  says the improvement has not been checked against the figures, or that the movement goes against it.
C1, C4 and C5's figures are counted from these same verdicts.

Services left out of a linked trigger's learning (left_out.py) are read the way that is safe for a
regulator:
- a line naming a left-out service as the place it speaks of is never evidenced by it: its evidence says
  when and why it was left out ("Ash Grove was left out of the learning on 7 Dec 2026: Not comparable
  after review; it has no verified implementation"), whatever it had verified before. (A line added as
  provider-wide names the comparable homes it means: its named services are read as the rule below.);
- a claim speaking for the whole provider still counts a service left out AFTER its learning notice was
  issued: it was judged comparable when the learning went out, so leaving it out later must not shrink
  the set the claim is judged on. Its evidence row says when and why it was left out, so a reader sees
  the matched set shrank; its verification, if given before it was left out, still counts;
- a service left out BEFORE it was sent the learning was never part of it: a claim speaking for the whole
  provider does not count it.

A claim speaks for the whole provider when it was added as provider-wide, or its words speak of shared
learning, of every service or of the provider by name (`speaks_for_every_service`) and it claims adoption:
a named-service or improvement line always claims adoption; an open-risk statement does when its words
say so (`ADOPTION_WORDS`). Such a line is judged on every service the provider-wide set holds and on its
own named services too, and its evidence says why it was checked that way.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from adoption import chain as adoption_chain
from adoption.models import Deployment
from escalation.models import StepRecord
from escalation.rules import figure_text
from learning_transfer import live_practice
from learning_transfer.models import LearningNotice, MatchedService
from providers.templatetags.nhsuk import london, on_at

from . import chain, movement
from .choices import ADOPTION_KINDS, DECIDED_STATES, WITHHELD_STATES, LineKind, LineState
from .left_out import LeftOut, left_out_of

# The one place that decides a claim speaks for the whole provider, whatever kind of line it was added as:
# "shared learning"; "provider-wide", "group-wide", "company-wide", "organisation-wide" (or "-ization");
# "every/all/each (one of, 14 of, of our, comparable) home(s)/service(s)/site(s)/location(s)"; "across"
# or "throughout" the provider, group, organisation, company, homes, services, sites or locations; and
# the provider's own name (see `_provider_name_pattern`). Deliberately generous: a claim wrongly taken as
# provider-wide is only asked for more evidence (every matched service verified), while a claim missed
# here would report shared learning on one home's evidence, which is what chain C exists to stop.
_WHOLE = r"(?:provider|group|organi[sz]ation|company)"
_PLACES = r"(?:homes?|services?|sites?|locations?)"
PROVIDER_WIDE_WORDS = re.compile(
    r"\bshared\s+learning\b"
    rf"|\b{_WHOLE}[- ]?wide\b"
    # "all 14 of our services", "every one of our homes", "each of the care homes", "all our services"
    r"|\b(?:every|all|each)\s+(?:(?:one|single|\d+)\s+)?(?:of\s+)?(?:(?:our|the|its|their|these)\s+)?"
    rf"(?:\w+\s+){{0,2}}?{_PLACES}\b"
    rf"|\b(?:across|throughout)\s+(?:the\s+|our\s+)?(?:{_WHOLE}|homes|services|sites|locations)\b",
    re.IGNORECASE,
)
# Words claiming the learning was adopted: an open-risk statement using them and speaking for every
# service ("Every home has adopted the revised falls protocol") is a provider-wide adoption claim, not a
# statement of open risk. Generous for the same reason as above.
ADOPTION_WORDS = re.compile(
    r"\b(?:adopt(?:ed|s|ing|ion)?|embed(?:ded|s)?|implement(?:ed|s|ation)?|in\s+practice|shared"
    r"|changed\s+(?:\w+\s+)?practice|rolled\s+out|in\s+place)\b",
    re.IGNORECASE,
)
# The endings a provider is often named without: "Oakwood Care Group Ltd" is also "Oakwood Care".
_NAME_ENDINGS = re.compile(r"(?:\s+(?:ltd\.?|limited|plc|group))+\s*$", re.IGNORECASE)
PROVIDER_WIDE_RULE = (
    "it is checked as a provider-wide claim: every matched service of the linked learning (one left out "
    "after its learning notice was issued included) must have verified implementation. "
)


def _provider_name_pattern(provider_name: str) -> re.Pattern | None:
    """The provider's name as a claim may write it, case and spacing aside: in full, and without a
    "Ltd", "Limited", "plc" or "Group" ending when what is left is still two words or more (one word,
    such as "Care" from "Care Group", is too common to mean the provider)."""
    full = provider_name.split()
    if not full:
        return None
    short = _NAME_ENDINGS.sub("", " ".join(full)).split()
    names = [full, short] if len(short) >= 2 and short != full else [full]
    spelled = "|".join(r"\s+".join(re.escape(word) for word in name) for name in names)
    return re.compile(rf"(?<!\w)(?:{spelled})(?!\w)", re.IGNORECASE)


def _every_service_words(claim: str, provider_name: str = "") -> str:
    """The words by which a claim speaks for every service ("all 14 of our services", the provider's
    name), or "" when it does not."""
    claim = claim or ""
    found = PROVIDER_WIDE_WORDS.search(claim)
    if found is None:
        by_name = _provider_name_pattern(provider_name or "")
        found = by_name.search(claim) if by_name is not None else None
    return found.group(0) if found else ""


def speaks_for_every_service(claim: str, provider_name: str = "") -> bool:
    """Whether a claim speaks of shared learning, of every service or of the provider by name. Shared
    learning may never be reported as complete on one service's evidence, so such a claim is judged as
    provider-wide."""
    return bool(_every_service_words(claim, provider_name))


def checked_as_provider_wide(line, provider_name: str) -> bool:
    """A claim of adoption added as another kind whose words speak for every service (`provider_name`:
    the update's provider, whose name in a claim speaks for all of it): a named-service or improvement
    line, or an open-risk statement whose words claim adoption."""
    if line.kind == LineKind.PROVIDER_WIDE or not speaks_for_every_service(line.claim, provider_name):
        return False
    return line.kind in ADOPTION_KINDS or bool(ADOPTION_WORDS.search(line.claim or ""))


def claims_provider_wide(line, provider_name: str) -> bool:
    """Whether the line speaks for the whole provider: added as provider-wide, or checked as such."""
    return line.kind == LineKind.PROVIDER_WIDE or checked_as_provider_wide(line, provider_name)


def _why_provider_wide(line, provider_name: str) -> str:
    """Why a line added as another kind is checked as provider-wide, quoting its words: "The claim
    speaks for every service (“all 14 of our services”), so it is checked as a provider-wide claim…"."""
    words = f"“{_every_service_words(line.claim, provider_name)}”"
    if line.kind != LineKind.OPEN_RISK:
        return f"The claim speaks for every service ({words}), so {PROVIDER_WIDE_RULE}"
    adopted = f"“{ADOPTION_WORDS.search(line.claim).group(0)}”"
    return (
        f"The claim speaks for every service ({words}) and of adoption ({adopted}), so it is not a "
        f"statement of open risk: although it was added as an open-risk statement, {PROVIDER_WIDE_RULE}"
    )


@dataclass
class Verdict:
    """Whether a line is evidenced, why (in words), and whether notices were its only support."""

    evidenced: bool
    note: str
    notice_only: bool = False
    services: list = field(default_factory=list)

    @property
    def state(self) -> str:
        return LineState.EVIDENCED if self.evidenced else LineState.LACKING


@dataclass
class WentLive:
    """When the learning went live at a matched service, and whether live practice was checked there since
    (a chain B record at or after go-live)."""

    at: datetime
    checked: bool


@dataclass
class EvidenceMap:
    """The linked triggers' included matched services, grouped by service (one query, prefetched)."""

    trigger_count: int
    matched_trigger_count: int
    by_service: dict[int, list[MatchedService]]
    # The update's provider: a claim naming it speaks for every service (`speaks_for_every_service`).
    provider_name: str = ""
    # The services left out of every linked trigger that matched them (left_out.py).
    left_out: dict[int, LeftOut] = field(default_factory=dict)
    # {matched service id: WentLive} for the matches whose learning has gone live.
    went_live: dict[int, WentLive] = field(default_factory=dict)
    # The latest check of the figures (C2), whose movements from baseline judge the improvement lines.
    figures_check: StepRecord | None = None
    # {matched service id: live_practice.Practice} where live practice is off track now (a check
    # overdue, an escalation still open): said beside the verification that counts.
    off_track: dict = field(default_factory=dict)

    def verified(self, service_id: int) -> MatchedService | None:
        return next((m for m in self.by_service.get(service_id, []) if m.implementation_confirmed_at), None)

    def has_notice(self, service_id: int) -> bool:
        return any(m.current_notices for m in self.by_service.get(service_id, []))

    def whole_provider(self) -> dict[int, str]:
        """{service id: name} a claim speaking for the whole provider is judged on: every included
        matched service, and every service left out only after its learning notice was issued."""
        names = {pk: matches[0].service.name for pk, matches in self.by_service.items()}
        counted = {pk: left.match.service.name for pk, left in self.left_out.items() if left.after_its_notice}
        return names | counted


def evidence_map(update) -> EvidenceMap:
    """What the learning-transfer records hold for the update's linked triggers."""
    triggers = list(update.triggers.all())
    matches = (
        MatchedService.objects.filter(trigger__in=triggers, included=True)
        .select_related("service", "trigger", "implementation_confirmed_by")
        .prefetch_related(
            Prefetch(
                "notices",
                queryset=LearningNotice.objects.filter(superseded_at__isnull=True),
                to_attr="current_notices",
            )
        )
    )
    by_service: dict[int, list[MatchedService]] = defaultdict(list)
    for match in matches:
        by_service[match.service_id].append(match)
    match_ids = [m.pk for matches in by_service.values() for m in matches]
    now = timezone.now()
    return EvidenceMap(
        trigger_count=len(triggers),
        matched_trigger_count=sum(1 for t in triggers if t.matched_at is not None),
        by_service=dict(by_service),
        provider_name=update.provider.name,
        left_out=left_out_of(triggers, set(by_service)) if triggers else {},
        went_live=_went_live(match_ids, now),
        figures_check=movement.latest_figures_check(chain.run_for(update)),
        off_track=live_practice.at(match_ids, now, off_track_only=True) if match_ids else {},
    )


def _went_live(match_ids: list[int], now) -> dict[int, WentLive]:
    """{matched service id: WentLive} for these matches whose learning went live by `now`: one query."""
    if not match_ids:
        return {}
    checked = StepRecord.objects.filter(
        step_run__chain_run__chain__code=adoption_chain.CHAIN_CODE,
        step_run__chain_run__content_type=ContentType.objects.get_for_model(Deployment),
        step_run__chain_run__object_id=OuterRef("pk"),
        recorded_at__gte=OuterRef("deployed_at"),
        recorded_at__lte=now,
    )
    deployments = Deployment.objects.filter(matched_service_id__in=match_ids, deployed_at__lte=now).annotate(
        checked=Exists(checked)
    )
    return {d.matched_service_id: WentLive(d.deployed_at, d.checked) for d in deployments}


def _verified_text(match: MatchedService) -> str:
    when = london(match.implementation_confirmed_at)
    who = f" by {match.implementation_confirmed_by}" if match.implementation_confirmed_by else ""
    return f"{match.service}: implementation verified {when}{who} ({match.trigger.reference})"


def _left_out_evidence(left: LeftOut, provider_wide: bool) -> tuple[str, str]:
    """(kind, words) for a service left out of the linked learning (the rule: the module's docstring)."""
    if provider_wide and left.after_its_notice:
        if left.match.implementation_confirmed_at:
            verified = _verified_text(left.match)
            return "verified", f"{verified}; {left.words()}, so it still counts for a provider-wide claim"
        return "left_out", (
            f"{left.words()}; it still counts for a provider-wide claim and has no verified implementation"
        )
    verified = left.match.implementation_confirmed_at
    if verified:
        when = london(verified)
        return "left_out", f"{left.words(notice=False)}; its implementation verified {when} no longer counts"
    return "left_out", f"{left.words(notice=False)}; it has no verified implementation"


def service_evidence(
    service_id: int, name: str, evidence: EvidenceMap, *, provider_wide: bool = False
) -> tuple[str, str]:
    """(kind, words) for one service: "verified", "notice_only", "unverified", "left_out" (of the linked
    learning) or "not_matched". `provider_wide`: the claim speaks for the whole provider, which still
    counts a service left out after its notice was issued. A verified service whose learning went live
    and has had no check of live practice since is "not_checked_live"."""
    verified = evidence.verified(service_id)
    if verified is not None:
        live = evidence.went_live.get(verified.pk)
        if live is not None and not live.checked:
            return "not_checked_live", (
                f"{name}: verified, but no check of live practice recorded at {name} since it went live on "
                f"{london(live.at)}; {_verified_text(verified)} counts once one is"
            )
        off_track = evidence.off_track.get(verified.pk)
        if off_track is not None:
            # Found: "Rowan Court has adopted …" read as evidenced beside a weak night team. The rule is
            # unchanged (verified and checked live); whoever judges the claim is told what the shifts show.
            return (
                "verified",
                f"{_verified_text(verified)}; live practice off track when checked: {off_track.words()}",
            )
        return "verified", _verified_text(verified)
    left = evidence.left_out.get(service_id)
    if left is not None:
        return _left_out_evidence(left, provider_wide)
    if service_id not in evidence.by_service:
        return "not_matched", f"{name} was not one of the services the linked learning was sent to"
    if evidence.has_notice(service_id):
        return "notice_only", (
            f"{name} has a learning notice but no verified implementation: a notice is not adoption evidence"
        )
    return "unverified", f"{name} has no verified implementation"


def _judge_services(names: dict[int, str], evidence: EvidenceMap, provider_wide=frozenset()) -> Verdict:
    """Every service must be an included matched service with verified implementation (or, for those in
    `provider_wide`, counted for a claim speaking for the whole provider, one left out after its notice
    was issued that verified before)."""
    ordered = sorted(names, key=names.get)
    found = [service_evidence(pk, names[pk], evidence, provider_wide=pk in provider_wide) for pk in ordered]
    good = [words for kind, words in found if kind == "verified"]
    gaps = [(kind, words) for kind, words in found if kind != "verified"]
    if gaps:
        notice_only = all(kind == "notice_only" for kind, _ in gaps)
        return Verdict(False, "; ".join(w for _, w in gaps) + ".", notice_only=notice_only, services=good)
    return Verdict(True, "; ".join(good) + ".", services=good)


def speaks_for_the_provider(line, evidence: EvidenceMap) -> bool:
    """Whether the line speaks for the whole provider (`claims_provider_wide`). Such a line speaks for
    every service of the provider-wide set (`EvidenceMap.whole_provider`)."""
    return claims_provider_wide(line, evidence.provider_name)


def spoken_for(line, evidence: EvidenceMap) -> dict[int, str]:
    """{service id: name} of the services a line speaks for, by name: its named services, and every
    service of the provider-wide set too when it speaks for the whole provider. Its evidence rows are
    these services."""
    names = {s.pk: s.name for s in line.services.all()}
    if speaks_for_the_provider(line, evidence):
        names = evidence.whole_provider() | names
    return dict(sorted(names.items(), key=lambda item: item[1]))


def _judged_for_the_provider(line, evidence: EvidenceMap) -> set[int]:
    """The services of a line judged by the provider-wide reading of a left-out service: every one a
    provider-wide line speaks for (its named services are the comparable homes it means); for a line of
    another kind checked as provider-wide, all but the services it names, which are judged as named."""
    if not speaks_for_the_provider(line, evidence):
        return set()
    spoken = set(spoken_for(line, evidence))
    if line.kind == LineKind.PROVIDER_WIDE:
        return spoken
    return spoken - {s.pk for s in line.services.all()}


def line_services(line, evidence: EvidenceMap) -> list[tuple[str, str]]:
    """The services a line speaks for, each with its evidence (provider-wide: the whole set too)."""
    provider_wide = _judged_for_the_provider(line, evidence)
    return [
        service_evidence(pk, name, evidence, provider_wide=pk in provider_wide)
        for pk, name in spoken_for(line, evidence).items()
    ]


def _judge_provider_wide(line, evidence: EvidenceMap) -> Verdict:
    """Every service of the provider-wide set, and every service the line names, must have verified
    implementation."""
    if not evidence.whole_provider():
        return Verdict(False, "The linked triggers have no included matched services.")
    return _judge_services(spoken_for(line, evidence), evidence, _judged_for_the_provider(line, evidence))


def _improvement_checked(line, evidence: EvidenceMap, verdict: Verdict) -> Verdict:
    """An improvement line evidenced by its services is evidenced only when the latest check of the
    figures (C2) recorded a movement from baseline above zero for it: verification shows the change is
    in place, not that the outcome improved."""
    if line.kind != LineKind.IMPROVEMENT or not verdict.evidenced:
        return verdict
    record = evidence.figures_check
    given = movement.recorded_movements(record.values).get(line.order) if record is not None else None
    if given is None:
        why = (
            f"Its improvement has not been checked against the figures (C2) yet: no check of the figures "
            f"has recorded a movement from baseline for {movement.item_name(line)}. "
        )
    elif given <= 0:
        why = (
            f"The latest check of the figures (C2), recorded by {record.recorded_by} "
            f"{on_at(record.recorded_at)}, gives its movement from baseline as {figure_text(given)} %, "
            "which goes against the claim of improvement. "
        )
    else:
        checked = f"recorded by {record.recorded_by} {on_at(record.recorded_at)}"
        verdict.note += f" Movement from baseline {figure_text(given)} % in the figures (C2) {checked}."
        return verdict
    return Verdict(False, why + verdict.note, services=verdict.services)


def judge_line(line, evidence: EvidenceMap) -> Verdict:
    """The verdict on one line (its named services must be prefetched or cheap to read)."""
    return _improvement_checked(line, evidence, _judge_claim(line, evidence))


def _judge_claim(line, evidence: EvidenceMap) -> Verdict:
    """The verdict on a line's services, before an improvement is checked against the figures."""
    if evidence.trigger_count == 0:
        return Verdict(False, "No learning trigger is linked to this update, so no adoption record backs it.")
    if speaks_for_the_provider(line, evidence):
        verdict = _judge_provider_wide(line, evidence)
        if line.kind != LineKind.PROVIDER_WIDE:  # says why a line of another kind was checked so
            verdict.note = _why_provider_wide(line, evidence.provider_name) + verdict.note
        return verdict
    named = {s.pk: s.name for s in line.services.all()}
    if line.kind == LineKind.OPEN_RISK:
        if evidence.matched_trigger_count == 0:
            return Verdict(False, "No current cross-service data: the linked triggers are not matched yet.")
        outside = [name for pk, name in named.items() if pk not in evidence.by_service]
        if outside:
            return Verdict(False, f"Not matched services of a linked trigger: {', '.join(outside)}.")
        count = len(evidence.by_service)
        return Verdict(True, f"Current cross-service data: {count} matched service{'s' * (count != 1)}.")
    if not named:
        return Verdict(False, "Name the services this claim speaks for: only named-service evidence counts.")
    return _judge_services(named, evidence)


def judge_update(update) -> dict:
    """{line: Verdict or None} for every line of the update; None where a person decided the state."""
    evidence = evidence_map(update)
    lines = update.lines.prefetch_related("services").order_by("order")
    return {line: None if line.state in DECIDED_STATES else judge_line(line, evidence) for line in lines}


def _claims_adoption(line) -> bool:
    """Whether the line claims adoption: added as a kind that does, or checked as provider-wide (an
    open-risk statement claiming adoption everywhere is one). Read from the update the line was loaded
    with (`judge_update`), whose provider the evidence map read already."""
    return line.kind in ADOPTION_KINDS or claims_provider_wide(line, line.update.provider.name)


def counted_lines(verdicts: dict) -> dict[str, list]:
    """Which of the update's lines each count of C1, C4 and C5 counts, keyed by the computation its
    measure names (reporting_control/computations.py): the counts are their lengths, and the steps'
    pages name the lines (found: C1 and C4 said "5 lines" and "1 statement", never which). Decided
    lines count by their own state. A line of any kind whose words speak for every service counts as
    claiming provider-wide adoption, as it is judged; a provider-wide claim is contradicted while any
    named service lacks evidence."""
    lacking = [line for line, v in verdicts.items() if v is not None and not v.evidenced]
    adoption = {line for line in verdicts if _claims_adoption(line)}
    named_gaps = any(line.kind != LineKind.PROVIDER_WIDE for line in lacking)
    provider_wide_claims = [
        line for line in verdicts if line.kind == LineKind.PROVIDER_WIDE and line.state not in WITHHELD_STATES
    ]
    return {
        # C1
        "provider_wide_lines": [
            line for line in verdicts if claims_provider_wide(line, line.update.provider.name)
        ],
        "lines_lacking_service_evidence": [line for line in lacking if line in adoption],
        "open_risk_lines_without_data": [
            line for line in lacking if line.kind == LineKind.OPEN_RISK and line not in adoption
        ],
        # C4
        "notice_only_statements": [line for line in lacking if verdicts[line].notice_only],
        "contradicted_provider_wide_claims": provider_wide_claims if named_gaps else [],
        "deferred_sections": [line for line in verdicts if line.state == LineState.DEFERRED],
        # C5 (and deferred sections, as C4)
        "challenge_cleared_lines": [line for line in verdicts if line.state == LineState.CHALLENGE_CLEARED],
        "residual_evidence_defects": lacking,
    }


def _counts(verdicts: dict, keys: tuple) -> dict:
    lines = counted_lines(verdicts)
    return {key: len(lines[key]) for key in keys}


def c1_measures(verdicts: dict) -> dict:
    """Chain C step C1's three figures: provider-wide claims, adoption claims lacking service evidence,
    open-risk statements without current data (`counted_lines`)."""
    return _counts(
        verdicts, ("provider_wide_lines", "lines_lacking_service_evidence", "open_risk_lines_without_data")
    )


def c4_measures(verdicts: dict) -> dict:
    """C4: statements resting on notices only; provider-wide claims contradicted by a named service
    lacking evidence; sections deferred awaiting proof."""
    return _counts(
        verdicts, ("notice_only_statements", "contradicted_provider_wide_claims", "deferred_sections")
    )


def c5_measures(verdicts: dict) -> dict:
    """C5: lines challenge-cleared, residual evidence defects, deferred sections."""
    return _counts(verdicts, ("challenge_cleared_lines", "residual_evidence_defects", "deferred_sections"))


def _pct_in_time(matches, now) -> float | None:
    """% of these matches' timed notices whose implementation was verified by the notice's due time,
    judged at `now`. A service still inside its timeframe (due later, not verified yet) is not behind, so
    it is left out until its notice falls due or it verifies; None when nothing is left to judge (left
    out, not guessed as 0 %)."""
    judged = []
    for match in matches:
        done = match.implementation_confirmed_at
        done = done if done is not None and done <= now else None
        judged += [(done, n.due_at) for n in match.current_notices if n.due_at and (n.due_at <= now or done)]
    if not judged:
        return None
    in_time = sum(1 for done, due_at in judged if done is not None and done <= due_at)
    return round(100 * in_time / len(judged), 1)


def completing_in_time(evidence: EvidenceMap, now=None) -> float | None:
    """C2: % of matched services whose implementation was verified by its notice's due time, at `now`
    (default the current time). None (not guessed) when no matched service's notice has fallen due and
    none has verified."""
    now = now or timezone.now()
    return _pct_in_time([match for matches in evidence.by_service.values() for match in matches], now)


def completing_in_time_each(evidence: EvidenceMap, now=None) -> dict[int, tuple[str, float]]:
    """{service id: (name, %)} for every matched service behind C2's figure with a notice to judge at
    `now`: the services the overall figure pools, each on its own."""
    now = now or timezone.now()
    each = {}
    for pk, matches in evidence.by_service.items():
        pct = _pct_in_time(matches, now)
        if pct is not None:
            each[pk] = (matches[0].service.name, pct)
    return each


def completing_in_time_by_service(update, evidence: EvidenceMap, now=None) -> dict:
    """The same figure for each service the update's issued lines name: {Service: %}, for services with
    a notice to judge at `now` (a service never sent one, or still inside its timeframe, has no figure)."""
    now = now or timezone.now()
    lines = update.lines.exclude(state__in=WITHHELD_STATES).prefetch_related("services")
    named = {service.pk: service for line in lines for service in line.services.all()}
    figures = {}
    for pk in sorted(named, key=lambda pk: named[pk].name):
        pct = _pct_in_time(evidence.by_service.get(pk, []), now)
        if pct is not None:
            figures[named[pk]] = pct
    return figures
