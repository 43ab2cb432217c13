"""Judging reporting lines against the learning-transfer records, without saving anything.

The one rule of chain C: a claim of adoption counts only where a named, included matched service of a
linked trigger has verified implementation (`implementation_confirmed_at`). A learning notice, sent or
acknowledged, is never adoption evidence. services.py saves these verdicts; prefill reads them.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils import timezone

from learning_transfer.models import LearningNotice, MatchedService

from .choices import ADOPTION_KINDS, DECIDED_STATES, WITHHELD_STATES, LineKind, LineState

# The one place that decides a claim speaks for the whole provider, whatever kind of line it was added as:
# "shared learning"; "provider-wide", "group-wide", "company-wide", "organisation-wide" (or "-ization");
# "every/all/each (of our, comparable) home(s)/service(s)/site(s)/location(s)"; "across" or "throughout"
# the provider, group, organisation, company, homes, services, sites or locations; and the provider's own
# name (see `_provider_name_pattern`). Deliberately generous: a claim wrongly taken as provider-wide is
# only asked for more evidence (every matched service verified), while a claim missed here would report
# shared learning on one home's evidence, which is what chain C exists to stop.
_WHOLE = r"(?:provider|group|organi[sz]ation|company)"
PROVIDER_WIDE_WORDS = re.compile(
    r"\bshared\s+learning\b"
    rf"|\b{_WHOLE}[- ]?wide\b"
    r"|\b(?:every|all|each)\s+(?:\w+\s+){0,2}?(?:homes?|services?|sites?|locations?)\b"
    rf"|\b(?:across|throughout)\s+(?:the\s+|our\s+)?(?:{_WHOLE}|homes|services|sites|locations)\b",
    re.IGNORECASE,
)
# The endings a provider is often named without: "Oakwood Care Group Ltd" is also "Oakwood Care".
_NAME_ENDINGS = re.compile(r"(?:\s+(?:ltd\.?|limited|plc|group))+\s*$", re.IGNORECASE)
CHECKED_AS_PROVIDER_WIDE = (
    "The claim speaks of shared learning, of the whole provider or of every service, so it is checked as a "
    "provider-wide claim: every included matched service of the linked learning must have verified "
    "implementation. "
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


def speaks_for_every_service(claim: str, provider_name: str = "") -> bool:
    """Whether a claim speaks of shared learning, of every service or of the provider by name. Shared
    learning may never be reported as complete on one service's evidence, so such a claim is judged as
    provider-wide."""
    claim = claim or ""
    if PROVIDER_WIDE_WORDS.search(claim):
        return True
    by_name = _provider_name_pattern(provider_name or "")
    return by_name is not None and bool(by_name.search(claim))


def checked_as_provider_wide(line, provider_name: str) -> bool:
    """A claim of adoption added as named-service (or improvement) whose words speak for every service
    (`provider_name`: the update's provider, whose name in a claim speaks for all of it)."""
    return (
        line.kind in ADOPTION_KINDS
        and line.kind != LineKind.PROVIDER_WIDE
        and speaks_for_every_service(line.claim, provider_name)
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
class EvidenceMap:
    """The linked triggers' included matched services, grouped by service (one query, prefetched)."""

    trigger_count: int
    matched_trigger_count: int
    by_service: dict[int, list[MatchedService]]
    # The update's provider: a claim naming it speaks for every service (`speaks_for_every_service`).
    provider_name: str = ""

    def verified(self, service_id: int) -> MatchedService | None:
        return next((m for m in self.by_service.get(service_id, []) if m.implementation_confirmed_at), None)

    def has_notice(self, service_id: int) -> bool:
        return any(m.current_notices for m in self.by_service.get(service_id, []))


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
    return EvidenceMap(
        trigger_count=len(triggers),
        matched_trigger_count=sum(1 for t in triggers if t.matched_at is not None),
        by_service=dict(by_service),
        provider_name=update.provider.name,
    )


def _verified_text(match: MatchedService) -> str:
    when = timezone.localtime(match.implementation_confirmed_at).strftime("%-d %b %Y")
    who = f" by {match.implementation_confirmed_by}" if match.implementation_confirmed_by else ""
    return f"{match.service}: implementation verified {when}{who} ({match.trigger.reference})"


def service_evidence(service_id: int, name: str, evidence: EvidenceMap) -> tuple[str, str]:
    """(kind, words) for one service: "verified", "notice_only", "unverified" or "not_matched"."""
    verified = evidence.verified(service_id)
    if verified is not None:
        return "verified", _verified_text(verified)
    if service_id not in evidence.by_service:
        return "not_matched", f"{name} is not an included matched service of a linked trigger"
    if evidence.has_notice(service_id):
        return "notice_only", (
            f"{name} has a learning notice but no verified implementation: a notice is not adoption evidence"
        )
    return "unverified", f"{name} has no verified implementation"


def _judge_services(service_ids: list[int], names: dict[int, str], evidence: EvidenceMap) -> Verdict:
    """Every service must be an included matched service with verified implementation."""
    found = [service_evidence(pk, names[pk], evidence) for pk in service_ids]
    good = [words for kind, words in found if kind == "verified"]
    gaps = [(kind, words) for kind, words in found if kind != "verified"]
    if gaps:
        notice_only = all(kind == "notice_only" for kind, _ in gaps)
        return Verdict(False, "; ".join(w for _, w in gaps) + ".", notice_only=notice_only, services=good)
    return Verdict(True, "; ".join(good) + ".", services=good)


def speaks_for_the_provider(line, evidence: EvidenceMap) -> bool:
    """Whether the line speaks for the whole provider: added as provider-wide, or a claim whose words
    speak of shared learning or every service. Such a line speaks for every matched service."""
    return line.kind == LineKind.PROVIDER_WIDE or checked_as_provider_wide(line, evidence.provider_name)


def spoken_for(line, evidence: EvidenceMap) -> dict[int, str]:
    """{service id: name} of the services a line speaks for, by name: its named services, or every
    matched service when it speaks for the whole provider. Its evidence rows are these services."""
    if speaks_for_the_provider(line, evidence):
        names = {pk: matches[0].service.name for pk, matches in evidence.by_service.items()}
    else:
        names = {s.pk: s.name for s in line.services.all()}
    return dict(sorted(names.items(), key=lambda item: item[1]))


def line_services(line, evidence: EvidenceMap) -> list[tuple[str, str]]:
    """The services a line speaks for, each with its evidence (provider-wide: every matched service)."""
    return [service_evidence(pk, name, evidence) for pk, name in spoken_for(line, evidence).items()]


def _judge_provider_wide(evidence: EvidenceMap) -> Verdict:
    """Every included matched service of the linked triggers must have verified implementation."""
    if not evidence.by_service:
        return Verdict(False, "The linked triggers have no included matched services.")
    names = {pk: matches[0].service.name for pk, matches in evidence.by_service.items()}
    return _judge_services(sorted(names, key=names.get), names, evidence)


def judge_line(line, evidence: EvidenceMap) -> Verdict:
    """The verdict on one line (its named services must be prefetched or cheap to read)."""
    if evidence.trigger_count == 0:
        return Verdict(False, "No learning trigger is linked to this update, so no adoption record backs it.")
    named = {s.pk: s.name for s in line.services.all()}
    if line.kind == LineKind.OPEN_RISK:
        if evidence.matched_trigger_count == 0:
            return Verdict(False, "No current cross-service data: the linked triggers are not matched yet.")
        outside = [name for pk, name in named.items() if pk not in evidence.by_service]
        if outside:
            return Verdict(False, f"Not matched services of a linked trigger: {', '.join(outside)}.")
        count = len(evidence.by_service)
        return Verdict(True, f"Current cross-service data: {count} matched service{'s' * (count != 1)}.")
    if line.kind == LineKind.PROVIDER_WIDE:
        return _judge_provider_wide(evidence)
    if checked_as_provider_wide(line, evidence.provider_name):
        verdict = _judge_provider_wide(evidence)
        verdict.note = CHECKED_AS_PROVIDER_WIDE + verdict.note
        return verdict
    if not named:
        return Verdict(False, "Name the services this claim speaks for: only named-service evidence counts.")
    return _judge_services(sorted(named, key=named.get), named, evidence)


def judge_update(update) -> dict:
    """{line: Verdict or None} for every line of the update; None where a person decided the state."""
    evidence = evidence_map(update)
    lines = update.lines.prefetch_related("services").order_by("order")
    return {line: None if line.state in DECIDED_STATES else judge_line(line, evidence) for line in lines}


def c1_measures(verdicts: dict) -> dict:
    """Chain C step C1's three figures from the verdicts (decided lines count by their own state),
    keyed by the computations C1's measures name (reporting_control/computations.py)."""
    lacking = [line for line, v in verdicts.items() if v is not None and not v.evidenced]
    return {
        "provider_wide_lines": sum(1 for line in verdicts if line.kind == LineKind.PROVIDER_WIDE),
        "lines_lacking_service_evidence": sum(1 for line in lacking if line.kind in ADOPTION_KINDS),
        "open_risk_lines_without_data": sum(1 for line in lacking if line.kind == LineKind.OPEN_RISK),
    }


def c4_measures(verdicts: dict) -> dict:
    """C4: statements resting on notices only; provider-wide claims contradicted by a named service
    lacking evidence; sections deferred awaiting proof."""
    lacking = [line for line, v in verdicts.items() if v is not None and not v.evidenced]
    named_gaps = any(line.kind != LineKind.PROVIDER_WIDE for line in lacking)
    provider_wide_claims = sum(
        1 for line in verdicts if line.kind == LineKind.PROVIDER_WIDE and line.state not in WITHHELD_STATES
    )
    return {
        "notice_only_statements": sum(1 for line in lacking if verdicts[line].notice_only),
        "contradicted_provider_wide_claims": provider_wide_claims if named_gaps else 0,
        "deferred_sections": sum(1 for line in verdicts if line.state == LineState.DEFERRED),
    }


def c5_measures(verdicts: dict) -> dict:
    """C5: lines challenge-cleared, residual evidence defects, deferred sections."""
    return {
        "challenge_cleared_lines": sum(1 for line in verdicts if line.state == LineState.CHALLENGE_CLEARED),
        "residual_evidence_defects": sum(1 for v in verdicts.values() if v is not None and not v.evidenced),
        "deferred_sections": sum(1 for line in verdicts if line.state == LineState.DEFERRED),
    }


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


def verification_changed_since_check(update, lines) -> bool:
    """Whether a service the lines speak for was verified, or had its verification withdrawn, after the
    update's evidence was last checked (`evidence_checked_at`), so the verdicts shown may be stale. A
    line speaking for the whole provider speaks for every matched service of the linked learning. One
    query; False when the evidence was never checked as a whole or there are no lines."""
    checked = update.evidence_checked_at
    if checked is None or not lines:
        return False
    whole = EvidenceMap(0, 0, {}, update.provider.name)
    matches = MatchedService.objects.filter(trigger__reporting_updates=update).filter(
        Q(implementation_confirmed_at__gt=checked) | Q(verification_withdrawn_at__gt=checked)
    )
    if not any(speaks_for_the_provider(line, whole) for line in lines):
        matches = matches.filter(service_id__in={s.pk for line in lines for s in line.services.all()})
    return matches.exists()
