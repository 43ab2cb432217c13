from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "providers"
    verbose_name = "Organisation and people"

    def ready(self):
        from . import dashboards, permissions  # noqa: F401 - permissions registers the organisation's rules
        from .choices import Role

        dashboards.register(
            roles=[Role.PROVIDER_ADMINISTRATOR],
            template="providers/panels/administration.html",
            context=lambda request, role: {},
            order=1,
        )
