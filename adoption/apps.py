from django.apps import AppConfig


class AdoptionConfig(AppConfig):
    """Chain B: learning deployed at a matched service and its adoption tested in live practice."""

    name = "adoption"
    verbose_name = "Adoption in live practice (chain B)"

    def ready(self):
        from . import chain, computations, panels, permissions  # noqa: F401 - permissions registers the app's rules

        panels.register_panels()
        computations.register_computations()
