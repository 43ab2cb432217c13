"""Building a PDF evidence pack: render the update as HTML, convert it with WeasyPrint, hash it.

A commissioner's pack is the same document cut down to the services that commissioner commissions.

Progress is saved on the EvidencePack row at each stage, so the page polling it shows how far it got.
"""

import hashlib
import logging

from django.core.files.base import ContentFile
from django.db.models import Prefetch, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from escalation.models import StepRecord
from providers.models import Commissioner, Service

from . import chain, evidence
from .choices import LineKind, PackStatus

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
        step.figures = _figures(step)
    return steps


def _figures(step) -> list[dict]:
    """The recorded values of a step as label / value rows (group measures joined in one cell)."""
    record = step.current_record
    if record is None:
        return []
    rows = []
    for measure in step.measures:
        value = record.values.get(measure["name"])
        if isinstance(value, dict):
            value = "; ".join(f"{item}: {number}" for item, number in value.items()) or "none"
        if value is not None:
            rows.append({"label": measure["label"], "value": value, "unit": measure.get("unit", "")})
    return rows


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


def pack_context(update, commissioner: Commissioner | None = None) -> dict:
    """Everything the pack shows: lines with evidence per named service, holds, timeline, figures.

    A commissioner's pack keeps only the commissioner's services and the lines wholly about them; the
    free text and figures that can speak of other services (hold reasons, step figures, trigger
    titles) stay in the provider's full pack.
    """
    found = evidence.evidence_map(update)
    verdicts = evidence.judge_update(update)
    services = list(update.services.order_by("name"))
    if commissioner is not None:
        theirs = set(commissioner.services.values_list("pk", flat=True))
        verdicts = {line: v for line, v in verdicts.items() if _only_about(line, theirs)}
        services = list(covered_services(update).filter(pk__in=theirs).order_by("name"))
    lines = []
    for line in verdicts:
        line.service_rows = evidence.line_services(line, found)
        lines.append(line)
    return {
        "update": update,
        "commissioner": commissioner,
        "lines": lines,
        "services": services,
        "triggers": list(update.triggers.order_by("confirmed_at")),
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


def _progress(pack, status: str, percent: int) -> None:
    pack.status, pack.progress = status, percent
    pack.save(update_fields=["status", "progress"])


def build_pack(pack) -> None:
    """Build the pack's PDF, store it with its SHA-256, and mark it ready (or failed, with why)."""
    try:
        _progress(pack, PackStatus.BUILDING, 10)
        html = render_pack_html(pack.update, pack.commissioner)
        _progress(pack, PackStatus.BUILDING, 40)
        pdf = html_to_pdf(html)
        _progress(pack, PackStatus.BUILDING, 90)
        pack.sha256 = hashlib.sha256(pdf).hexdigest()
        pack.file.save(pack.filename, ContentFile(pdf), save=False)
        pack.status, pack.progress, pack.built_at = PackStatus.READY, 100, timezone.now()
        pack.save()
    except Exception as error:  # the row must never stay "building" forever: record why it failed
        logger.exception("Evidence pack %s failed", pack.pk)
        pack.status, pack.failure = PackStatus.FAILED, str(error)[:1000]
        pack.save(update_fields=["status", "failure"])
