"""Views of chain A, split by page family; urls.py imports them from here."""

from .incidents import (
    ImportJobDetailView,
    ImportJobProgressView,
    ImportTemplateView,
    IncidentCreateView,
    IncidentImportView,
    ReviewCandidateListView,
)
from .notices import (
    ExposureEditView,
    ImplementationConfirmView,
    LeadConfirmView,
    LineCompleteView,
    LineCreateView,
    MatchDetailView,
    NoticeAcknowledgeView,
    NoticeListView,
    NoticeOwnerView,
)
from .summary import LearningSummaryView
from .triggers import (
    CloseTriggerView,
    IssueNoticesView,
    MatchAdjustView,
    RecordA1View,
    RedistributeView,
    RematchView,
    TriggerCreateView,
    TriggerDetailView,
    TriggerLearningView,
    TriggerListView,
)

__all__ = [
    "CloseTriggerView",
    "ExposureEditView",
    "ImplementationConfirmView",
    "ImportJobDetailView",
    "ImportJobProgressView",
    "ImportTemplateView",
    "IncidentCreateView",
    "IncidentImportView",
    "IssueNoticesView",
    "LeadConfirmView",
    "LearningSummaryView",
    "LineCompleteView",
    "LineCreateView",
    "MatchAdjustView",
    "MatchDetailView",
    "NoticeAcknowledgeView",
    "NoticeListView",
    "NoticeOwnerView",
    "RecordA1View",
    "RedistributeView",
    "RematchView",
    "ReviewCandidateListView",
    "TriggerCreateView",
    "TriggerDetailView",
    "TriggerLearningView",
    "TriggerListView",
]
