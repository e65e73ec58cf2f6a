"""Beat-driven email jobs; each is idempotent through the SentEmail ledger."""

from celery import shared_task

from apps.projects.models import Project

from . import services


@shared_task
def digests_send() -> int:
    return services.digests_send()


@shared_task
def reminders_send() -> int:
    return services.reminders_send()


@shared_task
def escalations_send() -> int:
    return services.escalations_send()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def retirement_notice_send(project_id: int) -> int:
    project = Project.objects.filter(pk=project_id).first()
    return services.retirement_notice_send(project=project) if project else 0


@shared_task
def retirement_notices_send() -> int:
    return services.retirement_notices_send()
