"""The learning_transfer models, one module per part of chain A; import them from here."""

from .incidents import CareHours, ImportJob, Incident, IncidentReview, ReviewThresholds
from .notices import ImplementationLead, ImplementationLine, LearningNotice
from .rollup import ReviewFlag, ServiceDay
from .triggers import LearningTrigger, MatchedService

__all__ = [
    "CareHours",
    "ImplementationLead",
    "ImplementationLine",
    "ImportJob",
    "Incident",
    "IncidentReview",
    "LearningNotice",
    "LearningTrigger",
    "MatchedService",
    "ReviewFlag",
    "ReviewThresholds",
    "ServiceDay",
]
