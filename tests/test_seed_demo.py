"""The demo seed: logins for every role, projects waiting in both lanes, safe to run twice."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from apps.lifecycle.models import LifecycleTask
from apps.projects.models import Membership, Project, Team
from apps.projects.selectors import visible_projects

from .conftest import ACTIVE

DEMO_USERS = {"strategist", "operator", "auditor", "admin", "dana"}


def seed():
    call_command("seed_demo", stdout=StringIO())


def counts():
    return (
        Project.objects.count(),
        get_user_model().objects.count(),
        LifecycleTask.objects.count(),
        Membership.objects.count(),
    )


def open_human_tasks():
    return list(LifecycleTask.objects.filter(status__in=ACTIVE, flow_task_type="HUMAN"))


@pytest.fixture
def seeded(db):
    seed()


def test_seeding_twice_creates_nothing_more(seeded):
    before = counts()

    seed()

    assert counts() == before
    assert before[0] == 5


def test_seed_creates_the_demo_logins_with_password_demo(seeded):
    users = get_user_model().objects.filter(username__in=DEMO_USERS)

    assert {user.username for user in users} == DEMO_USERS
    assert all(user.check_password("demo") for user in users)
    assert users.get(username="admin").is_superuser


def test_one_demo_project_is_retired(seeded):
    projects = Project.objects.select_related("process")
    retired = [project.title for project in projects if project.process.status == "DONE"]

    assert retired == ["Legacy FAQ bot"]


def test_open_tasks_wait_in_both_lanes(seeded):
    lanes = {task.flow_task.lane for task in open_human_tasks()}

    assert lanes >= {Team.STRATEGIC, Team.OPERATIONAL}


def test_strategist_and_operator_sit_in_their_lanes_of_every_demo_project(seeded):
    projects = set(Project.objects.values_list("pk", flat=True))

    def seats(username, team):
        return set(
            Membership.objects.filter(user__username=username, team=team).values_list(
                "project", flat=True
            )
        )

    assert seats("strategist", Team.STRATEGIC) == projects
    assert seats("operator", Team.OPERATIONAL) == projects


def test_dana_belongs_to_exactly_one_project(seeded):
    dana = get_user_model().objects.get(username="dana")

    assert Membership.objects.filter(user=dana).values("project").distinct().count() == 1
    assert [p.title for p in visible_projects(dana)] == ["Sales email drafter"]


def test_seed_refuses_when_demo_logins_are_not_allowed(db, settings):
    settings.DEMO_LOGINS_ALLOWED = False

    with pytest.raises(CommandError, match="DEMO_LOGINS_ALLOWED"):
        seed()

    assert not get_user_model().objects.exists()
    assert not Project.objects.exists()
