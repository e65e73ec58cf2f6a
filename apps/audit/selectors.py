"""Reading the audit trail."""

from .models import Event


def project_history(*, project):
    return Event.objects.filter(project=project).select_related("actor")
