"""Choices for incidents and learning triggers."""

from django.db import models


class IncidentTheme(models.TextChoices):
    """What kind of incident it was; repeated incidents of one theme at a service trigger a review."""

    FALL = "fall", "Fall"
    MEDICATION = "medication", "Medication error"
    PRESSURE_ULCER = "pressure_ulcer", "Pressure ulcer or wound"
    SAFEGUARDING = "safeguarding", "Safeguarding"
    MISSED_CALL = "missed_call", "Missed or late call"
    DETERIORATION = "deterioration", "Unrecognised deterioration"
    CHOKING = "choking", "Choking or nutrition"
    BEHAVIOUR = "behaviour", "Distressed behaviour"
    INFECTION = "infection", "Infection control"


class HarmLevel(models.TextChoices):
    NONE = "none", "No harm"
    LOW = "low", "Low harm"
    MODERATE = "moderate", "Moderate harm"
    SEVERE = "severe", "Severe harm"
    DEATH = "death", "Death"


SERIOUS_HARM = (HarmLevel.SEVERE, HarmLevel.DEATH)


class RootCauseFactor(models.TextChoices):
    """Contributory factors a review looks for beyond the incident itself (seeds 002 and 003)."""

    TRAINING = "training", "Training gaps"
    WORKLOAD = "workload", "Workload pressure"
    UNCLEAR_GUIDANCE = "unclear_guidance", "Unclear guidance"
    SUPERVISION = "supervision", "Supervision quality"
    ENVIRONMENT = "environment", "Environment"
    SYSTEMS_RELIABILITY = "systems_reliability", "Systems reliability"
    COMMUNICATION = "communication", "Communication failures"
    CULTURE_LEADERSHIP = "culture_leadership", "Culture and leadership"


class TriggerStatus(models.TextChoices):
    """Where a learning trigger is in chain A: what happened, then what comes next."""

    LOGGED = "logged", "Logged — find comparable services and issue the learning"
    ISSUED = "issued", "Learning issued — check each service puts it in place"
    CLOSED = "closed", "Closed — learning verified at every matched service"
    # A1 found no mandatory learning needed and the quality director closed it with a reason.
    CLOSED_NO_LEARNING = "closed_no_learning", "Closed — no mandatory learning needed"


# Either way a trigger is closed: nothing on it changes any more.
CLOSED_STATUSES = (TriggerStatus.CLOSED, TriggerStatus.CLOSED_NO_LEARNING)


class ReviewReason(models.TextChoices):
    """Why an incident needs a formal review (seed 003's tiered thresholds)."""

    SERIOUS_HARM = "serious_harm", "Serious harm"
    REPEATED = "repeated", "Repeated incidents of the same type"
    SAFEGUARDING = "safeguarding", "Safeguarding concern"
    REGULATORY = "regulatory", "Regulatory notification"
    SEVERAL_PEOPLE = "several_people", "Several people affected"


class ReviewOutcome(models.TextChoices):
    """What the quality director decided about a flagged incident without logging a learning trigger."""

    LOCAL = "local", "Reviewed: local action only, no provider learning trigger"
    NO_ACTION = "no_action", "Reviewed: no further action"


class CandidateStatus(models.TextChoices):
    """Which flagged incidents the review list shows: those still waiting for a decision, or decided."""

    AWAITING = "awaiting", "Awaiting a review decision"
    REVIEWED = "reviewed", "Reviewed or logged as a trigger"
    ALL = "all", "All flagged incidents"


class ImportKind(models.TextChoices):
    INCIDENTS = "incidents", "Incidents"
    CARE_HOURS = "care_hours", "Care hours"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    CHECKING = "checking", "Checking rows"
    SAVING = "saving", "Saving"
    SUCCEEDED = "succeeded", "Imported"
    REJECTED = "rejected", "Rejected: nothing imported"
    FAILED = "failed", "Failed"


# The risk tags an incident theme points to, used to suggest a trigger's tags (the person can change them).
THEME_RISK_TAGS = {
    IncidentTheme.FALL: ["falls"],
    IncidentTheme.MEDICATION: ["medication"],
    IncidentTheme.PRESSURE_ULCER: ["wound_care"],
    IncidentTheme.SAFEGUARDING: ["safeguarding"],
    IncidentTheme.MISSED_CALL: ["missed_calls"],
    IncidentTheme.DETERIORATION: ["deterioration"],
    IncidentTheme.CHOKING: ["nutrition"],
    IncidentTheme.BEHAVIOUR: [],
    IncidentTheme.INFECTION: [],
}
