from django.apps import AppConfig


class InfrastructureConfig(AppConfig):
    name = "apps.infrastructure"
    verbose_name = "IT infrastructure"
