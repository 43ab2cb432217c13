from django.apps import AppConfig
from django.core import checks


class EscalationConfig(AppConfig):
    name = "escalation"
    verbose_name = "Escalation engine"

    def ready(self):
        from providers import waiting_work

        from . import panels, permissions  # noqa: F401 - permissions registers the app's rules
        from .checks import measure_computations
        from .waiting_work import steps_waiting_on

        panels.register_panels()
        checks.register(measure_computations, checks.Tags.models)
        waiting_work.register(steps_waiting_on)  # what removing a role's only holder leaves unrecorded
