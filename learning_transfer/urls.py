"""Chain A pages, mounted at /learning/ (NetBox naming: <model>_list, <model>_detail, <model>_add …)."""

from django.urls import path

from . import views
from .views.notices import LineCorrectView, LineReopenView

app_name = "learning_transfer"
urlpatterns = [
    path("", views.TriggerListView.as_view(), name="trigger_list"),
    path("triggers/new/", views.TriggerCreateView.as_view(), name="trigger_add"),
    path("triggers/<int:pk>/", views.TriggerDetailView.as_view(), name="trigger_detail"),
    path(
        "triggers/<int:pk>/services.csv", views.TriggerServicesCsvView.as_view(), name="trigger_services_csv"
    ),
    path("triggers/<int:pk>/learning/", views.TriggerLearningView.as_view(), name="trigger_learning"),
    path("triggers/<int:pk>/matches/", views.MatchAdjustView.as_view(), name="match_adjust"),
    path("triggers/<int:pk>/rematch/", views.RematchView.as_view(), name="trigger_rematch"),
    path("triggers/<int:pk>/a1/", views.RecordA1View.as_view(), name="trigger_record_a1"),
    path("triggers/<int:pk>/notices/issue/", views.IssueNoticesView.as_view(), name="notices_issue"),
    path(
        "triggers/<int:pk>/notices/redistribute/",
        views.RedistributeView.as_view(),
        name="notices_redistribute",
    ),
    path("triggers/<int:pk>/close/", views.CloseTriggerView.as_view(), name="trigger_close"),
    path(
        "triggers/<int:pk>/close-no-learning/",
        views.CloseWithoutLearningView.as_view(),
        name="trigger_close_no_learning",
    ),
    path("notices/", views.NoticeListView.as_view(), name="notice_list"),
    path("notices/<int:pk>/acknowledge/", views.NoticeAcknowledgeView.as_view(), name="notice_acknowledge"),
    path("notices/<int:pk>/owner/", views.NoticeOwnerView.as_view(), name="notice_owner"),
    path("matches/<int:pk>/", views.MatchDetailView.as_view(), name="match_detail"),
    path("matches/<int:pk>/lead/", views.LeadConfirmView.as_view(), name="match_lead"),
    path("matches/<int:pk>/exposure/", views.ExposureEditView.as_view(), name="match_exposure"),
    path("matches/<int:pk>/lines/new/", views.LineCreateView.as_view(), name="line_add"),
    path("matches/<int:pk>/verify/", views.ImplementationConfirmView.as_view(), name="match_verify"),
    path("lines/<int:pk>/complete/", views.LineCompleteView.as_view(), name="line_complete"),
    path("lines/<int:pk>/reopen/", LineReopenView.as_view(), name="line_reopen"),
    path("lines/<int:pk>/change/", LineCorrectView.as_view(), name="line_change"),
    path("review/", views.ReviewCandidateListView.as_view(), name="review_candidates"),
    path("incidents/", views.IncidentListView.as_view(), name="incident_list"),
    path("incidents/new/", views.IncidentCreateView.as_view(), name="incident_add"),
    path("incidents/<int:pk>/review/", views.IncidentReviewView.as_view(), name="incident_review"),
    path("incidents/<int:pk>/correct/", views.IncidentCorrectView.as_view(), name="incident_correct"),
    path("import/", views.IncidentImportView.as_view(), name="import"),
    path("import/<int:pk>/", views.ImportJobDetailView.as_view(), name="import_detail"),
    path("import/<int:pk>/progress/", views.ImportJobProgressView.as_view(), name="import_progress"),
    path("import/<int:pk>/retry/", views.ImportJobRetryView.as_view(), name="import_retry"),
    path(
        "import/template/<slug:kind>.<slug:extension>",
        views.ImportTemplateView.as_view(),
        name="import_template",
    ),
    path("summary/", views.LearningSummaryView.as_view(), name="summary"),
]
