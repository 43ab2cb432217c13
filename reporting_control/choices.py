"""Choices of chain C: audiences, update statuses, line kinds and states, pack statuses."""

from django.db import models


class Audience(models.TextChoices):
    REGULATOR = "regulator", "Regulator (CQC)"
    COMMISSIONER = "commissioner", "Commissioner"


class UpdateStatus(models.TextChoices):
    """Where an update is: what happened, then what comes next."""

    DRAFT = "draft", "Draft — add its reporting lines"
    IN_PREPARATION = "in_preparation", "In preparation — complete the checks before issue"
    HELD = "held", "On hold — resolve what blocks it before release"
    RELEASED = "released", "Released — the evidence pack can be shared"


class LineKind(models.TextChoices):
    PROVIDER_WIDE = "provider_wide", "Provider-wide adoption"
    NAMED_SERVICE = "named_service", "Named-service outcome"
    OPEN_RISK = "open_risk", "Open-risk statement"
    IMPROVEMENT = "improvement", "Improvement"


# Kinds that claim the learning was adopted somewhere: only verified named-service adoption supports them.
ADOPTION_KINDS = (LineKind.PROVIDER_WIDE, LineKind.NAMED_SERVICE, LineKind.IMPROVEMENT)


class LineState(models.TextChoices):
    """What the evidence check found for a line, then what to do about it."""

    DRAFT = "draft", "Draft — check its evidence"
    EVIDENCED = "evidenced", "Evidenced — named-service evidence supports it"
    LACKING = "lacking", "Lacking evidence — add named-service evidence or freeze it"
    FROZEN = "frozen", "Frozen — left out of this update"
    DEFERRED = "deferred", "Deferred — waiting for proof"
    CHALLENGE_CLEARED = "challenge_cleared", "Challenge-cleared — ready for sign-off"


# States a person decided (freeze, defer, clear): an evidence re-check never overwrites them.
DECIDED_STATES = (LineState.FROZEN, LineState.DEFERRED, LineState.CHALLENGE_CLEARED)
# States that may be withheld from a released update rather than stop it.
WITHHELD_STATES = (LineState.FROZEN, LineState.DEFERRED)


class PackStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    BUILDING = "building", "Building"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"
