from django.urls import path

from . import views

urlpatterns = [
    path("two-step-login/", views.TwoFactorAccountView.as_view(), name="two_factor_account"),
    path("two-step-login/set-up/", views.TwoFactorSetUpView.as_view(), name="two_factor_setup"),
    path("two-step-login/check/", views.TwoFactorVerifyView.as_view(), name="two_factor_verify"),
    path(
        "two-step-login/recovery-codes/",
        views.RecoveryCodesView.as_view(),
        name="two_factor_recovery_codes",
    ),
]
