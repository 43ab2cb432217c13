from django.apps import AppConfig


class EscalationConfig(AppConfig):
    name = "escalation"
    verbose_name = "Escalation engine"

    def ready(self):
        from . import panels, permissions  # noqa: F401 - permissions registers the app's rules

        panels.register_panels()
