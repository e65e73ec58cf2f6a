"""Service tasks that run on Celery workers, not in the web request.

A ``Job`` node's task is SCHEDULED when the flow reaches it; after the commit a
Celery message carries its id to a worker, which runs the node's body and moves
the flow on, all inside one transaction under the process lock. The message is
only a wake-up call: the task row is the truth. A duplicate message finds the
task done and does nothing; a lost one (broker flushed, worker killed) is sent
again by the periodic ``jobs_resend`` sweep.
"""

import logging

from django.db import transaction
from django.utils import timezone
from viewflow import this
from viewflow.workflow.activation import Activation
from viewflow.workflow.nodes.job import AbstractJob, AbstractJobActivation
from viewflow.workflow.status import STATUS

from .nodes import LaneMixin

logger = logging.getLogger(__name__)


def job_enqueue(task_pk: int) -> bool:
    """Send the wake-up message; a broker outage only delays the job until the sweep."""
    from .tasks import job_run

    try:
        job_run.apply_async(args=[task_pk], retry=True, retry_policy={"max_retries": 2})
    except Exception:  # noqa: BLE001 - any broker failure: the sweep sends it again
        logger.warning("Could not enqueue job task %s; the sweep will resend it", task_pk)
        return False
    return True


class JobActivation(AbstractJobActivation):
    @Activation.status.transition(source=STATUS.NEW, target=STATUS.SCHEDULED)
    def activate(self):
        self.task.save()
        task_pk = self.task.pk
        transaction.on_commit(lambda: job_enqueue(task_pk))


class Job(LaneMixin, AbstractJob):
    """A BPMN service task whose body (``activation -> None``) runs on a worker."""

    activation_class = JobActivation

    def __init__(self, body, **kwargs):
        super().__init__(**kwargs)
        self._body = body

    def _resolve(self, instance):
        super()._resolve(instance)
        self._body = this.resolve(instance, self._body)


def job_execute(task_pk: int) -> str:
    """Run one scheduled job task to completion; safe to call any number of times."""
    from .models import LifecycleTask

    task = LifecycleTask.objects.filter(pk=task_pk).first()
    if task is None:
        return "missing"
    node = task.flow_task
    with node.flow_class.lock(task.process_id), transaction.atomic():
        task.refresh_from_db()
        if task.status not in (STATUS.SCHEDULED, STATUS.STARTED):
            return "skipped"
        activation = node.activation_class(task)
        activation.start()
        node._body(activation)
        # execute() runs what follows with propagate_exception off: a failure
        # there marks that task ERROR instead of undoing this job's work.
        activation.execute()
    return "done"


def job_fail(task_pk: int, exception: Exception) -> None:
    """Record a job that failed for good, so that an administrator sees it and can revive it."""
    from .models import LifecycleTask

    task = LifecycleTask.objects.get(pk=task_pk)
    with task.flow_task.flow_class.lock(task.process_id), transaction.atomic():
        task.refresh_from_db()
        if task.status in (STATUS.SCHEDULED, STATUS.STARTED):
            activation = task.flow_task.activation_class(task)
            if task.status == STATUS.SCHEDULED:
                activation.start()
            try:
                raise exception
            except Exception as error:  # the activation reads the traceback
                activation.error(error)


def stale_jobs(older_than):
    """Job tasks still waiting longer than ``older_than``: their message was lost."""
    from .models import LifecycleTask

    return LifecycleTask.objects.filter(
        flow_task_type="JOB",
        status=STATUS.SCHEDULED,
        created__lte=timezone.now() - older_than,
    ).values_list("pk", flat=True)


def jobs_run_pending() -> int:
    """Run every scheduled job here and now, as a worker would (seeding, tests, a shell)."""
    from .models import LifecycleTask

    done = 0
    while pks := list(
        LifecycleTask.objects.filter(flow_task_type="JOB", status=STATUS.SCHEDULED)
        .order_by("id")
        .values_list("pk", flat=True)
    ):
        for pk in pks:
            done += job_execute(pk) == "done"
    return done


def operation_tick() -> int:
    """One beat of the operation phase: fire due timers, then run the jobs they reached."""
    from viewflow.workflow.timers import fire_due_timers

    fired = fire_due_timers()
    jobs_run_pending()
    return fired
