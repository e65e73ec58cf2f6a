"""Celery tasks of the IT infrastructure pool: thin, idempotent, safe to run twice."""

import logging
from datetime import timedelta

from celery import shared_task

from .selectors import stale_deliveries
from .services import webhook_delivery_attempt, webhook_enqueue

logger = logging.getLogger(__name__)


class WebhookNotDelivered(Exception):
    """The receiver did not answer 2xx; Celery retries with exponential backoff."""


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(WebhookNotDelivered,),
    retry_backoff=30,
    # Below the broker's visibility timeout (an hour), so a waiting retry is never redelivered.
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=None,  # the delivery counts its attempts (WEBHOOK_MAX_ATTEMPTS)
)
def webhook_deliver(self, delivery_id: str) -> str:
    """One attempt per run; the delivery's own attempt count decides when it has failed."""
    outcome = webhook_delivery_attempt(delivery_id=delivery_id)
    if outcome == "retry":
        raise WebhookNotDelivered(delivery_id)
    return outcome


@shared_task
def webhooks_resend(minutes: int = 10) -> int:
    """Enqueue again the pending deliveries nobody is attempting (message lost with the broker).

    A copy of a message that still exists finds the delivery claimed or settled.
    """
    pks = list(stale_deliveries(timedelta(minutes=minutes)))
    for pk in pks:
        webhook_enqueue(pk)
    if pks:
        logger.info("resent %d stale webhook deliveries", len(pks))
    return len(pks)
