from django.apps import AppConfig
from django.core import checks


class EscalationConfig(AppConfig):
    name = "escalation"
    verbose_name = "Escalation engine"

    def ready(self):
        from providers import waiting_work

        from . import notifications, panels, permissions, telling  # noqa: F401 - permissions registers the app's rules
        from .checks import measure_computations
        from .waiting_work import escalations_waiting_on, steps_waiting_on

        panels.register_panels()
        # A withdrawn breach's mail is composed as it leaves, from the record that withdrew it.
        notifications.register_message_kind(notifications.WITHDRAWN, telling.compose_withdrawn)
        checks.register(measure_computations, checks.Tags.models)
        # What removing a role's only holder leaves to nobody.
        waiting_work.register(steps_waiting_on, "After this, nobody can record:")
        waiting_work.register(escalations_waiting_on, "After this, nobody can answer these open escalations:")
