from django.apps import AppConfig


class ReportingControlConfig(AppConfig):
    """Chain C: regulatory and commissioner updates, their evidence, issue holds and evidence packs."""

    name = "reporting_control"
    verbose_name = "Reporting control (chain C)"

    def ready(self):
        from . import chain, computations, panels, permissions  # noqa: F401 - permissions registers the app's rules

        panels.register_panels()
        computations.register_computations()
        chain.connect_issue_hold()
