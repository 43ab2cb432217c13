"""Building a PDF evidence pack: render the update as HTML, convert it with WeasyPrint, hash it.

A commissioner's pack is the same document cut down to the services that commissioner commissions.

Progress is saved on the EvidencePack row at each stage, so the page polling it shows how far it got.
"""

import contextlib
import hashlib
import logging
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db.models import Prefetch, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from config import background
from escalation.models import StepRecord
from escalation.values import value_rows
from providers.choices import Role
from providers.models import Commissioner, RoleAssignment, Service
from providers.who_acts import join_and

from . import chain, evidence
from .choices import WITHHELD_STATES, LineKind, LineState, PackStatus

logger = logging.getLogger(__name__)


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


def covered_services(update) -> QuerySet[Service]:
    """The services the update covers or any of its lines names."""
    return Service.objects.filter(Q(reporting_updates=update) | Q(reporting_lines__update=update)).distinct()


def commissioners_of(update) -> QuerySet[Commissioner]:
    """The commissioners of the update's services: each receives its own pack when it is released."""
    return Commissioner.objects.filter(services__in=covered_services(update)).distinct().order_by("name")


def _only_about(line, service_ids: set[int]) -> bool:
    """Whether everything the line speaks for is among these services. A provider-wide line speaks for
    every matched service, and a line naming a service of another commissioner may describe it in its
    own words, so neither belongs in a commissioner's pack."""
    named = {service.pk for service in line.services.all()}
    return line.kind != LineKind.PROVIDER_WIDE and bool(named) and named <= service_ids


@dataclass
class LearningReach:
    """One linked trigger as a pack tells it: its story (what happened, the cause, the learning, the
    governance change and the target), when the reader may read it, and where the learning reached:
    how many comparable services, how many verified, and the rows of the services the reader sees."""

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
        about = " about them" if commissioner else ""
        others = f" ({_counted(unevidenced)})" if unevidenced else ""
        return f"Evidenced{whose}: {evidenced} of its {count}{about}{others}."
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


def _role_at(user, provider) -> str:
    """The most senior role the person holds at the provider, in words ("Provider Director")."""
    held = set(RoleAssignment.objects.filter(user=user, provider=provider).values_list("role", flat=True))
    return next((role.label for role in Role if role.value in held), "")


def pack_context(update, commissioner: Commissioner | None = None) -> dict:
    """Everything the pack shows: lines with evidence per named service, holds, timeline, figures.

    A commissioner's pack keeps only the commissioner's services and the lines wholly about them; the
    free text and figures that can speak of other services (hold reasons, step figures, and a
    trigger's title and story unless its source service is theirs) stay in the provider's full pack.
    """
    found = evidence.evidence_map(update)
    verdicts = evidence.judge_update(update)
    services = list(update.services.order_by("name"))
    theirs = None
    if commissioner is not None:
        theirs = set(commissioner.services.values_list("pk", flat=True))
        verdicts = {line: v for line, v in verdicts.items() if _only_about(line, theirs)}
        services = list(covered_services(update).filter(pk__in=theirs).order_by("name"))
    lines = []
    for line, verdict in verdicts.items():
        line.service_rows = evidence.line_services(line, found)
        line.evidenced = _is_evidenced(line, verdict)
        lines.append(line)
    evidenced = sum(1 for line in lines if line.evidenced)
    triggers = list(update.triggers.select_related("source_service").order_by("confirmed_at"))
    return {
        "update": update,
        "commissioner": commissioner,
        "lines": lines,
        "withheld": sum(1 for line in lines if line.state in WITHHELD_STATES),
        "evidenced": evidenced,
        "summary": evidence_summary(lines, evidenced, commissioner),
        "services": services,
        "triggers": triggers,
        "learning": learning_reach(triggers, found, theirs),
        "released_by_role": _role_at(update.released_by, update.provider) if update.released_by else "",
        "holds": list(update.holds.select_related("placed_by", "lifted_by").order_by("placed_at")),
        "timeline": _timeline(update),
        "c1": evidence.c1_measures(verdicts),
        "generated_at": timezone.now(),
    }


def render_pack_html(update, commissioner: Commissioner | None = None) -> str:
    return render_to_string("reporting_control/pack.html", pack_context(update, commissioner))


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango costs time every other page does not need

    return HTML(string=html).write_pdf()


def build_pack(pack) -> None:
    """Build a claimed pack's PDF, store it with its SHA-256, and mark it ready (or failed, with why).

    Each stage is a heartbeat, so the sweeper sees a live build. If the sweeper has given this attempt
    up (its worker only looked dead), the build stops and keeps nothing.
    """
    try:
        background.heartbeat(pack, progress=10)
        html = render_pack_html(pack.update, pack.commissioner)
        background.heartbeat(pack, progress=40)
        pdf = html_to_pdf(html)
        background.heartbeat(pack, progress=90)
        _store(pack, pdf)
    except background.LeaseLost:
        logger.warning("Evidence pack %s was taken over by another attempt; this one stopped.", pack.pk)
    except Exception as error:  # the row must never stay "building" forever: record why it failed
        logger.exception("Evidence pack %s failed", pack.pk)
        with contextlib.suppress(background.LeaseLost):  # another attempt owns it now
            background.finish(pack, PackStatus.FAILED, reason="Failed", failure=str(error)[:1000])


def _store(pack, pdf: bytes) -> None:
    """Save the file and mark the pack ready together: a pack is ready with exactly one file."""
    target = pack.file.field.generate_filename(pack, pack.filename)
    if pack.file.storage.exists(target):  # left by an attempt whose worker died before it was marked
        pack.file.storage.delete(target)
    pack.file.save(pack.filename, ContentFile(pdf), save=False)
    try:
        background.finish(
            pack,
            PackStatus.READY,
            reason="Built",
            progress=100,
            sha256=hashlib.sha256(pdf).hexdigest(),
            file=pack.file.name,
            built_at=timezone.now(),
        )
    except background.LeaseLost:
        pack.file.storage.delete(pack.file.name)
        raise
