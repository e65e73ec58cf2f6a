"""Celery tasks of the life cycle: thin wrappers over apps.lifecycle.jobs."""

import logging
from datetime import timedelta

from celery import shared_task
from django.db import OperationalError
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.timers import fire_due_timers

from .jobs import job_enqueue, job_execute, job_fail, stale_jobs

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(FlowLockFailed, OperationalError),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=8,
)
def job_run(self, task_pk: int) -> str:
    """Run a scheduled job task; a lasting failure marks it ERROR for an administrator."""
    try:
        outcome = job_execute(task_pk)
    except (FlowLockFailed, OperationalError):
        raise  # the database or the lock was busy or away: try again later
    except Exception as error:
        logger.exception("Job task %s failed", task_pk)
        job_fail(task_pk, error)
        return "error"
    logger.info("job task %s: %s", task_pk, outcome)
    return outcome


@shared_task
def jobs_resend(minutes: int = 5) -> int:
    """Send again the jobs whose message never ran (broker flushed, worker lost)."""
    pks = list(stale_jobs(timedelta(minutes=minutes)))
    for pk in pks:
        job_enqueue(pk)
    if pks:
        logger.info("resent %d stale job(s)", len(pks))
    return len(pks)


@shared_task
def timers_fire() -> int:
    """Fire every due flow.Timer; the dispatcher re-checks each one under its flow lock."""
    fired = fire_due_timers()
    if fired:
        logger.info("fired %d due workflow timer(s)", fired)
    return fired
