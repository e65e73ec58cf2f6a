from django.apps import AppConfig


class NotationConfig(AppConfig):
    """The life cycle in standard notation: BPMN export, live diagram, portfolio."""

    name = "apps.notation"
    label = "notation"
    verbose_name = "Standard notation"
