"""Celery tasks of the operation phase beyond the flow's own jobs."""

from celery import shared_task

from apps.projects.models import Project

from .services import assessment_run, monitoring_run


@shared_task(acks_late=True)
def project_sweep(project_id: int, key: int) -> int:
    """Monitor and assess one project outside the flow (capacity benchmark, backfills).

    ``key`` stands in for the flow task id that keys both services, so a repeated
    sweep with the same key records nothing new.
    """
    project = Project.objects.select_related("policy").get(pk=project_id)
    monitoring_run(project=project, task_id=key)
    assessment_run(project=project, task_id=key)
    return project_id
