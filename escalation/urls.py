from django.urls import path

from . import inbox, views

app_name = "escalation"
urlpatterns = [
    path("", inbox.InboxView.as_view(), name="inbox"),
    path("acknowledge-ticked/", inbox.AcknowledgeTickedView.as_view(), name="acknowledge_ticked"),
    path("<int:pk>/", views.EscalationDetailView.as_view(), name="detail"),
    path(
        "<int:pk>/acknowledge/", views.EscalationActionView.as_view(action="acknowledge"), name="acknowledge"
    ),
    path(
        "<int:pk>/action/", views.EscalationActionView.as_view(action="record_action"), name="record_action"
    ),
    path("<int:pk>/resolve/", views.EscalationActionView.as_view(action="resolve"), name="resolve"),
    path("cases/<int:pk>/", views.ChainRunDetailView.as_view(), name="chain_run"),
    path("steps/<int:pk>/", views.StepRunView.as_view(), name="step_run"),
    path("chains/", views.ChainTemplateListView.as_view(), name="chains"),
    path("chains/steps/<str:code>/change/", views.StepSettingEditView.as_view(), name="tune_step"),
]
