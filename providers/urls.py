from django.urls import path

from . import access_history, administration, views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("dashboard/<slug:role>/", views.DashboardView.as_view(), name="dashboard"),
    path("organisation/", views.OrganisationView.as_view(), name="organisation"),
    path("organisation/working-hours/", administration.WorkingHoursView.as_view(), name="working_hours"),
    path("organisation/people/", administration.PeopleView.as_view(), name="people"),
    path("organisation/access-history/", access_history.AccessHistoryView.as_view(), name="access_history"),
    path("organisation/people/add/", administration.PersonAddView.as_view(), name="person_add"),
    path(
        "organisation/people/<int:pk>/give-role/",
        administration.PersonGiveRoleView.as_view(),
        name="person_give_role",
    ),
    path(
        "organisation/people/<int:pk>/set-password-link/",
        administration.PersonPasswordLinkView.as_view(),
        name="person_password_link",
    ),
    path(
        "organisation/people/<int:pk>/switch-off/",
        administration.SignInSwitchView.as_view(),
        name="sign_in_off",
    ),
    path(
        "organisation/people/<int:pk>/switch-on/",
        administration.SignInSwitchView.as_view(on=True),
        name="sign_in_on",
    ),
    path(
        "people/set-password/<uidb64>/<token>/", administration.SetPasswordView.as_view(), name="set_password"
    ),
    path("organisation/roles/<int:pk>/remove/", administration.RoleRemoveView.as_view(), name="role_remove"),
    path("services/<int:pk>/", views.ServiceDetailView.as_view(), name="service_detail"),
]
