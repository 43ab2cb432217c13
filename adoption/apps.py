from django.apps import AppConfig


class AdoptionConfig(AppConfig):
    """Chain B: learning deployed at a matched service and its adoption tested in live practice."""

    name = "adoption"
    verbose_name = "Adoption in live practice (chain B)"

    def ready(self):
        from escalation import step_facts
        from learning_transfer import live_practice

        from . import chain, computations, panels, permissions, practice  # noqa: F401 - permissions registers the app's rules

        panels.register_panels()
        computations.register_computations()
        for code in (chain.CLINICAL_RECORDS_STEP, chain.DRILL_STEP):
            step_facts.register(code, chain.baseline_facts)
        # Chain A's pages say, beside "verified", what the checks on the shifts show since go-live.
        live_practice.register(practice.at_matches)
