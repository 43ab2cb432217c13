from django.urls import path

from . import views

app_name = "adoption"
urlpatterns = [
    path("", views.MyServiceView.as_view(), name="my_service"),
    path("services/<int:service_pk>/", views.MyServiceView.as_view(), name="service"),
    path("deployments/<int:pk>/", views.DeploymentDetailView.as_view(), name="deployment_detail"),
    path("deployments/<int:pk>/close/", views.CloseDeploymentView.as_view(), name="close"),
    path("observations/<int:pk>/correct/", views.ObservationEditView.as_view(), name="correct_observation"),
    path("deploy/<int:match_pk>/", views.DeployView.as_view(), name="deploy"),
]
