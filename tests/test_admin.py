"""The admin console: decision makers manage their own projects, teams and policies."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from apps.projects.models import Membership
from apps.projects.services import membership_add, membership_remove

from .conftest import UserFactory, launch, login, open_tasks, task_url


def change_form(project, *, new=(), delete=(), **policy):
    """The project's admin change form as a browser posts it: every seat, plus changes."""
    seats = list(Membership.objects.filter(project=project).order_by("id"))
    body = {
        "title": project.title,
        "sponsor": project.sponsor,
        "use_case": project.use_case,
        "desired_outcome": project.desired_outcome,
        "memberships-TOTAL_FORMS": str(len(seats) + len(new)),
        "memberships-INITIAL_FORMS": str(len(seats)),
        "policy-TOTAL_FORMS": "1",
        "policy-INITIAL_FORMS": "1",
        "policy-0-id": str(project.policy.pk),
        "policy-0-project": str(project.pk),
        "policy-0-monitoring_window": "1 00:00:00",
        "policy-0-assessment_interval": "30 00:00:00",
        "policy-0-task_due_days": "5",
        "policy-0-min_value_score": "40",
        "policy-0-max_breached_windows": "6",
        "policy-0-max_artifact_age_days": "365",
        **{f"policy-0-{name}": value for name, value in policy.items()},
    }
    for i, seat in enumerate(seats):
        body.update(
            {
                f"memberships-{i}-id": str(seat.pk),
                f"memberships-{i}-project": str(project.pk),
                f"memberships-{i}-user": str(seat.user_id),
                f"memberships-{i}-team": seat.team,
            }
        )
        if seat in delete:
            body[f"memberships-{i}-DELETE"] = "on"
    for j, (user, team) in enumerate(new, start=len(seats)):
        body.update({f"memberships-{j}-user": str(user.pk), f"memberships-{j}-team": team})
    return body


def test_decision_maker_sees_only_projects_where_they_are_strategic(clients, strategist, operator):
    mine = launch(clients["strategic"], [operator], title="Mine")
    other_dm = UserFactory(username="other_dm", is_staff=True)
    other_dm.groups.add(*strategist.groups.all())
    theirs = launch(login(other_dm), [operator], title="Theirs")
    admin = clients["strategic"]

    listing = admin.get("/admin/projects/project/")
    foreign = admin.get(f"/admin/projects/project/{theirs.pk}/change/")

    assert listing.status_code == 200
    assert b"Mine" in listing.content
    assert b"Theirs" not in listing.content
    assert admin.get(f"/admin/projects/project/{mine.pk}/change/").status_code == 200
    assert foreign.status_code == 302  # "doesn't exist" for this user
    assert admin.get("/admin/projects/project/add/").status_code == 403


def test_engineer_without_staff_status_has_no_console(clients, project):
    assert clients["operational"].get("/admin/").status_code == 302


def test_adding_a_member_in_the_console_grants_the_lane(clients, project, strategist):
    newcomer = UserFactory(username="newcomer")
    body = change_form(
        project,
        new=[(newcomer, "operational")],
        monitoring_window="12:00:00",
        assessment_interval="14 00:00:00",
        task_due_days="3",
        min_value_score="50",
    )
    response = clients["strategic"].post(f"/admin/projects/project/{project.pk}/change/", body)

    assert response.status_code == 302, response.content.decode()[-2000:]
    assert newcomer.has_perm("projects.act_operational", project)
    project.policy.refresh_from_db()
    assert project.policy.monitoring_window == timedelta(hours=12)
    assert project.policy.task_due_days == 3
    summaries = list(project.events.values_list("summary", flat=True))
    assert "newcomer joined the operational team" in summaries
    assert any(s.startswith("Operation policy changed: ") for s in summaries)


def test_leaving_the_team_releases_claimed_tasks_to_the_queue(
    clients, project, operator, strategist
):
    clients["strategic"].post(task_url(open_tasks(project, "define_scope")[0], "assign"))
    colleague = UserFactory(username="colleague")
    membership_add(project=project, user=colleague, team="strategic", actor=strategist)
    (task,) = open_tasks(project, "define_scope")
    assert task.owner == strategist

    membership_remove(
        membership=Membership.objects.get(project=project, user=strategist, team="strategic"),
        actor=colleague,
    )

    task.refresh_from_db()
    assert (task.status, task.owner) == ("NEW", None)
    assert not strategist.has_perm("projects.view_project", project)
    assert login(colleague).post(task_url(task, "assign")).status_code == 302
    assert project.events.filter(summary__endswith="released back to the queue").count() == 1


def test_viewflow_process_and_task_admins_are_not_exposed(clients, project):
    staff = clients["strategic"]

    assert staff.get("/admin/viewflow/process/").status_code == 404
    assert staff.get("/admin/viewflow/task/").status_code == 404


def test_the_last_strategic_member_cannot_be_removed(clients, project, strategist):
    (seat,) = Membership.objects.filter(project=project, team="strategic")
    body = change_form(project, delete=[seat])
    response = clients["strategic"].post(f"/admin/projects/project/{project.pk}/change/", body)

    assert response.status_code == 200
    assert b"at least one member in its strategic team" in response.content
    assert Membership.objects.filter(pk=seat.pk).exists()
    with pytest.raises(ValidationError):
        membership_remove(membership=seat, actor=strategist)
    assert strategist.has_perm("projects.act_strategic", project)
