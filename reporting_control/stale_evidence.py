"""Whether the verdicts an update's line cards show may be out of date: what was recorded, after the
update's evidence was last checked, that the evidence rule reads (evidence.py).

A line's verdict is saved when the evidence is checked. Release, packs and the chain C checks judge
afresh, but the card shows the saved verdict, so the update page says what changed since and asks for
the evidence to be checked again: a verification given or withdrawn, a check of the figures (C2, whose
movements judge improvement lines), or a check of live practice (chain B) where the learning is live.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from adoption import chain as adoption_chain
from adoption.models import Deployment
from escalation.models import StepRecord
from learning_transfer.models import MatchedService
from providers.who_acts import join_and

from . import chain
from .evidence import EvidenceMap, speaks_for_the_provider


def _matches_spoken_for(update, lines):
    """The matched services of the update's linked learning that its lines speak for: every one when a
    line speaks for the whole provider, else those of the services the lines name."""
    matches = MatchedService.objects.filter(trigger__reporting_updates=update)
    whole = EvidenceMap(0, 0, {}, update.provider.name)
    if any(speaks_for_the_provider(line, whole) for line in lines):
        return matches
    return matches.filter(service_id__in={s.pk for line in lines for s in line.services.all()})


def _checked_live_at(update, matches, since) -> list[str]:
    """The services where a check of live practice (chain B) was recorded after `since`, by name."""
    records = StepRecord.objects.filter(
        step_run__chain_run__chain__code=adoption_chain.CHAIN_CODE,
        step_run__chain_run__content_type=ContentType.objects.get_for_model(Deployment),
        step_run__chain_run__object_id__in=Deployment.objects.filter(matched_service__in=matches).values(
            "pk"
        ),
        recorded_at__gt=since,
    )
    names = Deployment.objects.filter(pk__in=records.values("step_run__chain_run__object_id"))
    return sorted(set(names.values_list("matched_service__service__name", flat=True)))


def changed_since_check(update, lines) -> list[str]:
    """What was recorded since the update's evidence was last checked (`evidence_checked_at`) that may
    change a line's verdict, each in words ("a check of the figures (C2) was recorded"); empty when
    nothing was, the evidence was never checked as a whole, the update is released or has no lines.
    Four queries at most."""
    since = update.evidence_checked_at
    if since is None or not lines or update.released_at:
        return []
    matches = _matches_spoken_for(update, lines)
    said = []
    verification = Q(implementation_confirmed_at__gt=since) | Q(verification_withdrawn_at__gt=since)
    if matches.filter(verification).exists():
        said.append("a verification behind these lines changed")
    run = chain.run_for(update)
    figures = StepRecord.objects.filter(step_run__chain_run=run, step_run__code=chain.FIGURES_STEP)
    if run is not None and figures.filter(recorded_at__gt=since).exists():
        said.append("a check of the figures (C2) was recorded")
    live = _checked_live_at(update, matches, since)
    if live:
        said.append(f"a check of live practice was recorded at {join_and(live)}")
    return said
