from django.apps import AppConfig


class LearningTransferConfig(AppConfig):
    """Chain A: incidents, learning triggers, matched services, notices, exposure and the summary."""

    name = "learning_transfer"
    verbose_name = "Learning transfer (chain A)"

    def ready(self):
        from . import chain, panels

        panels.register_panels()
        chain.register_prefill()
