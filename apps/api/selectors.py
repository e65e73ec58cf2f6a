"""Reads the API serves: projects with their stage and open tasks, assessments."""

from django.db.models import Prefetch

from apps.lifecycle.models import LifecycleTask
from apps.lifecycle.selectors import ACTIVE_STATUSES
from apps.operations.models import Assessment
from apps.projects.models import Project
from apps.projects.selectors import visible_projects


def _with_open_tasks(projects):
    open_tasks = (
        LifecycleTask.objects.filter(status__in=ACTIVE_STATUSES)
        .select_related("process__project__policy")
        .order_by("created", "id")
    )
    return projects.select_related("process").prefetch_related(
        Prefetch("process__task_set", queryset=open_tasks, to_attr="open_tasks")
    )


def api_projects(*, user, token=None):
    """A token sees its own project; a signed-in user the projects the browser shows."""
    projects = (
        Project.objects.filter(pk=token.project_id) if token is not None else visible_projects(user)
    )
    return _with_open_tasks(projects).order_by("id")


def api_project(*, project) -> Project:
    return _with_open_tasks(Project.objects.filter(pk=project.pk)).get()


def api_assessments(*, project):
    return Assessment.objects.filter(project=project).order_by("-period_end", "-id")
