from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "providers"
    verbose_name = "Organisation and people"

    def ready(self):
        from . import permissions  # noqa: F401 - registers the organisation's rules
