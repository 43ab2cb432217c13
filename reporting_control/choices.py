"""Choices of chain C: audiences, update statuses, line kinds and states, pack statuses."""

from django.db import models


class Audience(models.TextChoices):
    REGULATOR = "regulator", "Regulator (CQC)"
    COMMISSIONER = "commissioner", "Commissioner"


class UpdateStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_PREPARATION = "in_preparation", "In preparation"
    HELD = "held", "Held"
    RELEASED = "released", "Released"


class LineKind(models.TextChoices):
    PROVIDER_WIDE = "provider_wide", "Provider-wide adoption"
    NAMED_SERVICE = "named_service", "Named-service outcome"
    OPEN_RISK = "open_risk", "Open-risk statement"
    IMPROVEMENT = "improvement", "Improvement"


# Kinds that claim the learning was adopted somewhere: only verified named-service adoption supports them.
ADOPTION_KINDS = (LineKind.PROVIDER_WIDE, LineKind.NAMED_SERVICE, LineKind.IMPROVEMENT)


class LineState(models.TextChoices):
    DRAFT = "draft", "Draft"
    EVIDENCED = "evidenced", "Evidenced"
    LACKING = "lacking", "Lacking evidence"
    FROZEN = "frozen", "Frozen"
    DEFERRED = "deferred", "Deferred"
    CHALLENGE_CLEARED = "challenge_cleared", "Challenge-cleared"


# States a person decided (freeze, defer, clear): an evidence re-check never overwrites them.
DECIDED_STATES = (LineState.FROZEN, LineState.DEFERRED, LineState.CHALLENGE_CLEARED)
# States that may be withheld from a released update rather than stop it.
WITHHELD_STATES = (LineState.FROZEN, LineState.DEFERRED)


class PackStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    BUILDING = "building", "Building"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"
