"""Celery tasks of the operation phase: thin, idempotent, safe to run twice."""

import logging

from celery import shared_task
from viewflow.workflow.timers import fire_due_timers

logger = logging.getLogger(__name__)


@shared_task
def timers_fire() -> int:
    """Fire every due flow.Timer; the dispatcher re-checks each one under its flow lock."""
    fired = fire_due_timers()
    if fired:
        logger.info("fired %d due workflow timer(s)", fired)
    return fired
