from django.apps import AppConfig
from django.core import checks


class EscalationConfig(AppConfig):
    name = "escalation"
    verbose_name = "Escalation engine"

    def ready(self):
        from . import panels, permissions  # noqa: F401 - permissions registers the app's rules
        from .checks import measure_computations

        panels.register_panels()
        checks.register(measure_computations, checks.Tags.models)
