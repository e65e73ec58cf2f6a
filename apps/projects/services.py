"""Creating projects and managing their teams; guardian permissions follow memberships."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from apps.audit.models import Event
from apps.audit.services import event_record

from .models import Membership, Project, Team
from .permissions import VIEW_PROJECT, lane_permission


@transaction.atomic
def project_create(
    *,
    actor,
    process,
    title: str,
    sponsor: str,
    use_case: str,
    desired_outcome: str,
    strategic_members=(),
    operational_members=(),
) -> Project:
    """Create the project behind a launched process; the launcher joins the strategic team."""
    project = Project.objects.create(
        title=title,
        sponsor=sponsor,
        use_case=use_case,
        desired_outcome=desired_outcome,
        process=process,
        created_by=actor,
    )
    event_record(
        project=project,
        kind=Event.Kind.LAUNCH,
        actor=actor,
        node_id="launch_project",
        summary=f"Project '{title}' launched",
        data={"sponsor": sponsor, "desired_outcome": desired_outcome},
    )
    for user in {actor, *strategic_members}:
        membership_add(project=project, user=user, team=Team.STRATEGIC, actor=actor)
    for user in set(operational_members):
        membership_add(project=project, user=user, team=Team.OPERATIONAL, actor=actor)
    from apps.operations.services import policy_create_default

    policy_create_default(project=project)
    return project


@transaction.atomic
def membership_add(*, project: Project, user, team: str, actor=None) -> Membership:
    membership, created = Membership.objects.get_or_create(project=project, user=user, team=team)
    if created:
        assign_perm(VIEW_PROJECT, user, project)
        assign_perm(lane_permission(team), user, project)
        event_record(
            project=project,
            kind=Event.Kind.MEMBERSHIP,
            actor=actor,
            summary=f"{user.get_username()} joined the {Team(team).label.lower()}",
        )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor=None) -> None:
    """Take a seat away; a project always keeps someone who can decide for it."""
    project, user, team = membership.project, membership.user, membership.team
    if (
        team == Team.STRATEGIC
        and not (
            Membership.objects.filter(project=project, team=Team.STRATEGIC).exclude(
                pk=membership.pk
            )
        ).exists()
    ):
        raise ValidationError(_("A project needs at least one member in its strategic team."))
    membership.delete()
    remove_perm(lane_permission(team), user, project)
    _tasks_release(project=project, user=user, team=team, actor=actor)
    if not Membership.objects.filter(project=project, user=user).exists():
        remove_perm(VIEW_PROJECT, user, project)
    event_record(
        project=project,
        kind=Event.Kind.MEMBERSHIP,
        actor=actor,
        summary=f"{user.get_username()} left the {Team(team).label.lower()}",
    )


@transaction.atomic
def project_update(*, project: Project, actor, **fields) -> Project:
    """Change a project's description (admin console); the change is on the record."""
    changes = {
        name: [str(getattr(project, name)), str(value)]
        for name, value in fields.items()
        if getattr(project, name) != value
    }
    if changes:
        for name, value in fields.items():
            setattr(project, name, value)
        project.save(update_fields=list(changes))
        event_record(
            project=project,
            kind=Event.Kind.RECORD,
            actor=actor,
            summary="Project details changed: " + ", ".join(changes),
            data={"changes": changes},
        )
    return project


def _tasks_release(*, project, user, team, actor) -> None:
    """Return the tasks a leaving member had claimed in that lane to the team's queue.

    Otherwise nobody but an administrator could pick them up again.
    """
    from viewflow.workflow.status import STATUS

    from apps.lifecycle.models import LifecycleTask

    if project.process_id is None:
        return
    claimed = LifecycleTask.objects.filter(
        process_id=project.process_id, owner=user, status=STATUS.ASSIGNED
    )
    for task in claimed:
        if task.flow_task.lane != team:
            continue
        with task.flow_task.flow_class.lock(task.process_id):
            task.owner, task.status = None, STATUS.NEW
            task.save(update_fields=["owner", "status"])
        event_record(
            project=project,
            kind=Event.Kind.MEMBERSHIP,
            actor=actor,
            node_id=task.flow_task.name,
            task=task,
            summary=f"{task.flow_task.task_title} released back to the queue",
            reason=f"{user.get_username()} left the {Team(team).label.lower()}",
        )
