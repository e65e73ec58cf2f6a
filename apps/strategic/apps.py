from django.apps import AppConfig


class StrategicConfig(AppConfig):
    name = "apps.strategic"
    verbose_name = "Strategic lane"
