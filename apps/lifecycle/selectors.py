"""Reads about tasks: due dates and the stage a project is at."""

from datetime import timedelta

from viewflow.workflow.status import STATUS

# Not finished: waiting people, scheduled timers and jobs, and tasks stuck in error.
ACTIVE_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED, STATUS.SCHEDULED, STATUS.ERROR)
# A human task somebody can still claim or complete.
OPEN_HUMAN_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


def task_due_at(task):
    """A human task is due task_due_days after it opened (the project's policy)."""
    return task.created + timedelta(days=task.process.project.policy.task_due_days)


def stage_of(active_tasks) -> str:
    titles = [t.flow_task.task_title for t in active_tasks if t.flow_task_type == "HUMAN"]
    if not titles:
        titles = [t.flow_task.task_title for t in active_tasks]
    return ", ".join(str(t) for t in titles)
