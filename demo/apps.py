from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo loader (`manage.py load_demo`): a believable provider built through every app's services.

    It sits at the top of the house: it imports every app, and no app imports it.
    """

    name = "demo"
    verbose_name = "Demo data"
