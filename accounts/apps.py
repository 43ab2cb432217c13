from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Signing in: the second factor, lockout after failed passwords, and session time limits."""

    name = "accounts"
    verbose_name = "Signing in"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .sessions import start_session_clock

        user_logged_in.connect(start_session_clock, dispatch_uid="accounts.start_session_clock")
