"""Which projects a user may see or act on.

Every lookup by id goes through ``access_project`` so that a missing project and a
forbidden one give the same 404.
"""

from django.http import Http404
from guardian.shortcuts import get_objects_for_user

from .models import Membership, Project, Team
from .permissions import LANE_PERMISSIONS, VIEW_PROJECT


def visible_projects(user):
    """Projects the user is a member of; every project for auditors and superusers."""
    if not user.is_authenticated or not user.is_active:
        return Project.objects.none()
    return get_objects_for_user(
        user, VIEW_PROJECT, klass=Project, accept_global_perms=True, with_superuser=True
    )


def access_project(*, user, project_id) -> Project:
    try:
        return visible_projects(user).get(pk=project_id)
    except (Project.DoesNotExist, ValueError, TypeError):
        raise Http404("No such project.") from None


def projects_for_admin(user):
    """Projects a decision maker manages in the admin console."""
    if user.is_superuser:
        return Project.objects.all()
    return get_objects_for_user(
        user,
        LANE_PERMISSIONS[Team.STRATEGIC],
        klass=Project,
        accept_global_perms=False,
        with_superuser=False,
    )


def project_members(*, project, team: str | None = None):
    memberships = Membership.objects.filter(project=project).select_related("user")
    if team:
        memberships = memberships.filter(team=team)
    return memberships
