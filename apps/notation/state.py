"""Where projects stand on the model: one project's done and active nodes, and the
portfolio's count of projects per process group.
"""

from dataclasses import dataclass, field

from viewflow.workflow.status import STATUS

from apps.lifecycle.models import LifecycleTask
from apps.lifecycle.selectors import ACTIVE_STATUSES


@dataclass
class ProjectState:
    project_id: int
    status: str
    nodes: dict[str, str] = field(default_factory=dict)  # node id -> "done" | "active"
    tasks: dict[str, int] = field(default_factory=dict)  # active node id -> its task


def project_state(project) -> ProjectState:
    """Done and active nodes of the project's process; a node active again counts as active."""
    process = project.process
    state = ProjectState(project_id=project.pk, status=str(process.status))
    tasks = LifecycleTask.objects.filter(process=process).only("id", "flow_task", "status")
    for task in tasks.order_by("id"):
        name = task.flow_task.name
        if task.status in ACTIVE_STATUSES:
            state.nodes[name] = "active"
            state.tasks[name] = task.pk
        elif task.status == STATUS.DONE and state.nodes.get(name) != "active":
            state.nodes[name] = "done"
    return state


def node_group(node) -> str | None:
    """A node's process group; the monitoring timer belongs to the operation loop (ops)."""
    if group := getattr(node, "group", None):  # nodes the flow no longer has have none
        return group
    if getattr(node, "task_type", None) == "TIMER":
        following = [edge.dst for edge in node._outgoing()]
        return next((n.group for n in following if n.group), None)
    return None


def group_projects(projects) -> dict[str, set[int]]:
    """Ids of the given projects with an active task in each process group."""
    members: dict[str, set[int]] = {}
    rows = (
        LifecycleTask.objects.filter(process__project__in=projects, status__in=ACTIVE_STATUSES)
        .values_list("process__project", "flow_task")
        .distinct()
    )
    for project_id, node in rows:
        group = node_group(node)
        if group:
            members.setdefault(group, set()).add(project_id)
    return members


def in_operation(projects) -> set[int]:
    """Projects whose token circulates in the monitoring loop (timer waiting or running)."""
    return {
        project_id
        for project_id, node in LifecycleTask.objects.filter(
            process__project__in=projects, status__in=ACTIVE_STATUSES, flow_task_type="TIMER"
        ).values_list("process__project", "flow_task")
        if node_group(node) == "ops"
    }


def projects_in_group(projects, group: str):
    """The given projects that have work waiting in ``group`` (the portfolio's links)."""
    return projects.filter(pk__in=group_projects(projects).get(group, ()))
