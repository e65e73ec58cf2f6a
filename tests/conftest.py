"""Shared fixtures: people in both lanes, and helpers that drive the flow over HTTP."""

import factory
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from apps.lifecycle.demo import STEP_DATA, evaluation_data
from apps.lifecycle.flows import LifecycleFlow
from apps.lifecycle.jobs import jobs_run_pending
from apps.lifecycle.models import LifecycleTask
from apps.projects.models import Project

ACTIVE = ["NEW", "ASSIGNED", "STARTED", "SCHEDULED", "ERROR"]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pw")


@pytest.fixture
def decision_makers(db):
    group, _ = Group.objects.get_or_create(name="Decision makers")
    group.permissions.add(
        Permission.objects.get(codename="add_project", content_type__app_label="projects")
    )
    return group


@pytest.fixture
def strategist(decision_makers):
    user = UserFactory(username="strategist", is_staff=True)
    user.groups.add(decision_makers)
    return user


@pytest.fixture
def operator(db):
    return UserFactory(username="operator")


@pytest.fixture
def outsider(db):
    """A decision maker and engineer of other projects, in no team of ours."""
    return UserFactory(username="outsider")


@pytest.fixture
def auditor(db):
    group, _ = Group.objects.get_or_create(name="Auditors")
    group.permissions.add(
        Permission.objects.get(codename="view_project", content_type__app_label="projects")
    )
    user = UserFactory(username="auditor")
    user.groups.add(group)
    return user


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def clients(strategist, operator):
    return {"strategic": login(strategist), "operational": login(operator)}


def post_data(node_name: str, data: dict) -> dict:
    """Turn a node service's data into the POST body of that node's form."""
    body = {}
    for key, value in data.items():
        if key == "measurements":
            body.update({f"measured_{pk}": str(v) for pk, v in value.items()})
        elif isinstance(value, list):
            body.update(
                {
                    f"{key}-TOTAL_FORMS": str(len(value)),
                    f"{key}-INITIAL_FORMS": "0",
                    f"{key}-MIN_NUM_FORMS": "0",
                    f"{key}-MAX_NUM_FORMS": "1000",
                }
            )
            for index, row in enumerate(value):
                for field, field_value in row.items():
                    if field_value is True:
                        body[f"{key}-{index}-{field}"] = "on"
                    elif field_value is not False:
                        body[f"{key}-{index}-{field}"] = str(field_value)
        elif key == "fine_tuning_required":
            body[key] = str(value)
        elif value is True:
            body[key] = "on"
        elif value is not False:
            body[key] = str(value)
    return body


LAUNCH = {
    "title": "Support assistant",
    "sponsor": "Head of support",
    "use_case": "Answer customer questions",
    "desired_outcome": "customer_experience",
}


def launch(client, operational_members, title="Support assistant", strategic_members=()) -> Project:
    body = {
        **LAUNCH,
        "title": title,
        "operational_members": [u.pk for u in operational_members],
        "strategic_members": [u.pk for u in strategic_members],
    }
    response = client.post(reverse("lifecycle:launch_project:execute"), body)
    assert response.status_code == 302, response.content[:2000]
    return Project.objects.get(title=title)


def open_tasks(project, node_name=None):
    tasks = LifecycleTask.objects.filter(process=project.process, status__in=ACTIVE).order_by("id")
    tasks = [t for t in tasks if t.flow_task.task_type == "HUMAN"]
    if node_name:
        tasks = [t for t in tasks if t.flow_task.name == node_name]
    return tasks


def task_url(task, action="execute"):
    return task.flow_task.reverse(action, args=[task.process_id, task.pk])


def complete(client, task, body, *, claim=True):
    """Claim and execute a task through viewflow's views, as a person would."""
    if claim:
        response = client.post(task_url(task, "assign"))
        assert response.status_code == 302, response.status_code
    return client.post(task_url(task, "execute"), body)


def default_data(project, node_name, **overrides):
    data = (
        evaluation_data(project) if node_name == "evaluate_artifact" else dict(STEP_DATA[node_name])
    )
    data.update(overrides)
    return data


def do(clients, project, node_name, **overrides):
    """Complete the open task ``node_name`` with demo data and ``overrides``; check it moved on."""
    (task,) = open_tasks(project, node_name)
    client = clients[task.flow_task.lane]
    response = complete(
        client, task, post_data(node_name, default_data(project, node_name, **overrides))
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    task.refresh_from_db()
    assert task.status == "DONE"
    jobs_run_pending()  # a worker picks up whatever service task came next
    return task


def visited(project) -> list[str]:
    return [
        t.flow_task.name
        for t in LifecycleTask.objects.filter(process=project.process).order_by("id")
    ]


BUILD = [
    "define_scope",
    "define_business_requirements",
    "derive_requirements",
    "design_architecture",
    "review_architecture",
]


def drive_to_operation(clients, project):
    """The happy path from scope to integration; the monitoring timer is then scheduled."""
    for name in BUILD:
        do(clients, project, name)
    do(clients, project, "finalize_blueprint")
    for name in [
        "prepare_data",
        "evaluate_data_quality",
        "select_base_model",
        "develop_artifact",
        "evaluate_artifact",
        "deploy_artifact",
        "integrate_artifact",
    ]:
        do(clients, project, name)


@pytest.fixture
def project(clients, strategist, operator):
    return launch(clients["strategic"], [operator])


@pytest.fixture
def flow():
    return LifecycleFlow.instance


def failing_measurements(project):
    return evaluation_data(project, passing=False)


# Helpers for tests that need many projects or tasks: set up through the services.


def start_project(actor, title, *, strategic_members=(), operational_members=()) -> Project:
    """Launch a project through the launch service (no HTTP); define_scope then waits."""
    from apps.lifecycle.services import lifecycle_start

    return lifecycle_start(
        actor=actor,
        title=title,
        sponsor="Head of support",
        use_case="Answer customer questions",
        desired_outcome="other",
        strategic_members=list(strategic_members),
        operational_members=list(operational_members),
    )


def claim(task, user):
    """Assign an open task to ``user`` through viewflow's activation, under the process lock."""
    with LifecycleFlow.lock(task.process_id):
        task.refresh_from_db()
        task.flow_task.activation_class(task).assign(user)
    return task


def advance(project, node_name, actor, **overrides):
    """Complete the open task ``node_name`` through the task service, with demo data."""
    from apps.lifecycle.services import task_complete

    (task,) = open_tasks(project, node_name)
    task_complete(task=task, actor=actor, data=default_data(project, node_name, **overrides))
    return task


@pytest.fixture(autouse=True)
def _postgres_only(request):
    """Tests marked ``postgres`` need real row locks and concurrent connections.

    CI runs PostgreSQL (and sets REQUIRE_SERVICES=1, which turns the skip into a
    failure); only a laptop on SQLite skips them.
    """
    if request.node.get_closest_marker("postgres") is None:
        return
    import os

    from django.db import connection

    if connection.vendor != "postgresql":
        reason = (
            f"needs PostgreSQL (row locks, concurrent connections); the database is "
            f"{connection.vendor}. Set DATABASE_URL=postgres://..."
        )
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail(reason)
        pytest.skip(reason)


# viewflow names a flow's URLs after the viewset that mounts it: until config.urls is
# imported, task.flow_task.reverse() misses the "lifecycle:" namespace. Mount it up front
# so task_url() works in a test whose first step is not a request.
import config.urls  # noqa: E402, F401
