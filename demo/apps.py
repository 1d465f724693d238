from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data (`manage.py load_demo`): the top layer, it writes through every other app's services."""

    name = "demo"
    verbose_name = "Demo"
