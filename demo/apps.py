from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Made-up providers: the demo (`manage.py load_demo`), a believable provider built through every
    app's services, and the large provider of `manage.py benchmark_scale`, built with bulk SQL.

    It sits at the top of the house: it imports every app, and no app imports it.
    """

    name = "demo"
    verbose_name = "Demo and benchmark data"
