from django.apps import AppConfig


class LearningTransferConfig(AppConfig):
    """Chain A: incidents, learning triggers, matched services, notices, exposure and the summary."""

    name = "learning_transfer"
    verbose_name = "Learning transfer (chain A)"

    def ready(self):
        from . import chain, computations, panels, permissions  # noqa: F401 - permissions registers the app's rules

        panels.register_panels()
        computations.register_computations()
