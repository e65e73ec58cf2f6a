"""Driving the flow from code: launching a project and completing a human task.

The browser goes through viewflow's views, which call the same node services;
these functions serve the demo seed and any integration that acts for a person.
"""

from types import SimpleNamespace

from django.core.exceptions import PermissionDenied
from django.db import transaction
from viewflow.workflow.status import STATUS

from apps.projects.services import project_create


def project_launch(*, activation, actor, **data):
    """Save the new process, create its project and teams, and start the life cycle."""
    with transaction.atomic():
        activation.process.save()
        project = project_create(actor=actor, process=activation.process, **data)
        activation.execute()
    return project


def lifecycle_start(*, actor, **data):
    from .flows import LifecycleFlow

    node = LifecycleFlow.launch_project
    if not node.can_execute(actor):
        raise PermissionDenied("Only decision makers may launch projects.")
    activation = node.activation_class.create(node, None, None)
    activation.start(SimpleNamespace(user=actor))
    return project_launch(activation=activation, actor=actor, **data)


def task_complete(*, task, actor, data: dict):
    """Claim a human task for ``actor`` if needed, record ``data`` through its service, go on."""
    node = task.flow_task
    service = node._view.view_initkwargs["service"]
    with node.flow_class.lock(task.process_id), transaction.atomic():
        task.refresh_from_db()
        activation = node.activation_class(task)
        if task.status == STATUS.NEW:
            if not node.can_assign(actor, task):
                raise PermissionDenied(f"{actor} may not claim {node.name}.")
            activation.assign(actor)
        if not node.can_execute(actor, task):
            raise PermissionDenied(f"{actor} may not execute {node.name}.")
        activation.start(SimpleNamespace(user=actor))
        service(project=activation.process.project, actor=actor, task=task, **data)
        activation.execute()
