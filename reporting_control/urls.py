from django.urls import path

from . import pack_views, views

app_name = "reporting_control"
urlpatterns = [
    path("", views.UpdateListView.as_view(), name="update_list"),
    path("new/", views.UpdateCreateView.as_view(), name="update_create"),
    path("<int:pk>/", views.UpdateDetailView.as_view(), name="update_detail"),
    path("<int:pk>/lines/new/", views.LineCreateView.as_view(), name="line_create"),
    path("<int:pk>/lines/<int:line_pk>/services/", views.LineServicesView.as_view(), name="line_services"),
    path("<int:pk>/lines/<int:line_pk>/decide/", views.LineDecisionView.as_view(), name="line_decide"),
    path("<int:pk>/check/", views.EvidenceCheckView.as_view(), name="evidence_check"),
    path("<int:pk>/hold/", views.HoldPlaceView.as_view(), name="hold_place"),
    path("<int:pk>/hold/lift/", views.HoldLiftView.as_view(), name="hold_lift"),
    path("<int:pk>/release/", views.ReleaseView.as_view(), name="release"),
    path("<int:pk>/packs/", pack_views.PackRequestView.as_view(), name="pack_request"),
    path(
        "<int:pk>/packs/<int:pack_pk>/progress/", pack_views.PackProgressView.as_view(), name="pack_progress"
    ),
    path(
        "<int:pk>/packs/<int:pack_pk>/download/", pack_views.PackDownloadView.as_view(), name="pack_download"
    ),
    path("<int:pk>/packs/<int:pack_pk>/retry/", pack_views.PackRetryView.as_view(), name="pack_retry"),
    path("packs/", pack_views.CommissionerPackListView.as_view(), name="commissioner_packs"),
    path(
        "packs/<int:pk>/download/",
        pack_views.CommissionerPackDownloadView.as_view(),
        name="commissioner_download",
    ),
]
