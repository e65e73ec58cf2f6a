from django.apps import AppConfig


class OperationalConfig(AppConfig):
    name = "apps.operational"
    verbose_name = "Operational lane"
