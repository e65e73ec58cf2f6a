"""Lanes and project walls, over HTTP: who may see, claim and do which task.

Every human task belongs to one lane of one project. A member of the other lane
is refused, a member of another project learns nothing (404 everywhere, nothing in
any list), an auditor reads everything and acts on nothing, and nobody outside a
project's teams gets anything but 404.
"""

import pytest
from django.urls import NoReverseMatch, reverse

from apps.audit.models import Event
from apps.lifecycle.models import LifecycleTask
from apps.projects.models import Membership, Project
from apps.projects.services import membership_add, membership_remove

from .conftest import (
    BUILD,
    LAUNCH,
    UserFactory,
    default_data,
    do,
    launch,
    login,
    open_tasks,
    post_data,
    task_url,
)
from .journeys import HUMAN_TASKS, db_state, reach

REFUSED = (403, 404)
# The lanes of the spec (llmops-process.json), written out so that a node put in
# the wrong lane by the flow fails here instead of being trusted.
STRATEGIC_TASKS = {
    "define_scope",
    "define_business_requirements",
    "review_architecture",
    "finalize_blueprint",
    "review_assessment",
    "terminate_project",
}
TASK_ACTIONS = ["index", "detail", "execute", "assign", "unassign", "undo", "revive", "cancel"]


def lane_of(node_name: str) -> str:
    return "strategic" if node_name in STRATEGIC_TASKS else "operational"


def other_lane(node_name: str) -> str:
    return "operational" if node_name in STRATEGIC_TASKS else "strategic"


def task_urls(task, actions=TASK_ACTIONS) -> list[str]:
    """Every URL the task's node offers among ``actions``."""
    urls = []
    for action in actions:
        try:
            urls.append(task_url(task, action))
        except NoReverseMatch:
            continue
    return urls


def process_urls(project) -> list[str]:
    pk = project.process_id
    return [
        f"/lifecycle/{pk}/",
        f"/lifecycle/{pk}/chart/",
        f"/lifecycle/{pk}/cancel/",
        reverse("projects:detail", args=[project.pk]),
    ]


def all_tasks(project):
    return list(LifecycleTask.objects.filter(process=project.process).order_by("id"))


def test_every_human_task_of_the_flow_is_checked_here(flow):
    human = {node.name for node in flow.nodes() if node.task_type == "HUMAN"}

    assert human == set(HUMAN_TASKS)
    assert {node.name: node.lane for node in flow.nodes() if node.name in human} == {
        name: lane_of(name) for name in HUMAN_TASKS
    }


# Lane separation, task by task


@pytest.mark.parametrize("node_name", HUMAN_TASKS)
def test_only_members_of_the_task_lane_may_claim_and_execute_it(
    clients, project, strategist, operator, node_name
):
    # given: the task is open; strategist is only strategic, operator only operational
    task = reach(clients, project, node_name)
    intruder = clients[other_lane(node_name)]
    body = post_data(node_name, default_data(project, node_name))
    before, events = db_state(), Event.objects.count()

    # when: the other lane tries to claim it and to execute it
    claimed = intruder.post(task_url(task, "assign"))
    executed = intruder.post(task_url(task, "execute"), body)
    opened = intruder.get(task_url(task, "execute"))

    # then: refused, the task is still open and nobody's, nothing recorded
    assert claimed.status_code in REFUSED
    assert executed.status_code in REFUSED
    assert opened.status_code in REFUSED
    task.refresh_from_db()
    assert (task.status, task.owner_id) == ("NEW", None)
    assert Event.objects.count() == events
    assert db_state() == before

    # when: a member of the task's lane claims it
    response = clients[lane_of(node_name)].post(task_url(task, "assign"))

    # then: it is theirs, and the other lane still cannot execute it
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "ASSIGNED"
    assert task.owner == (strategist if lane_of(node_name) == "strategic" else operator)
    claimed_state = db_state()
    assert intruder.post(task_url(task, "execute"), body).status_code in REFUSED
    assert db_state() == claimed_state


def test_members_of_either_lane_cannot_rewrite_history(clients, project):
    # given: define_scope is done and define_business_requirements is open
    done = do(clients, project, "define_scope")
    (open_task,) = open_tasks(project, "define_business_requirements")
    before = db_state()

    # when: each lane tries to undo the done task, cancel the open one, cancel the process
    answers = [
        client.post(url, body).status_code
        for client in clients.values()
        for url, body in [
            (task_url(done, "undo"), {}),
            (task_url(open_task, "cancel"), {}),
            (f"/lifecycle/{project.process_id}/cancel/", {"_cancel_process": "1"}),
        ]
    ]

    # then: refused (administrators only), nothing changed
    assert all(status in REFUSED for status in answers), answers
    assert db_state() == before


def test_member_who_left_the_lane_cannot_execute_the_task_they_claimed(clients, project, operator):
    # given: the operator claimed derive_requirements, then left the operational team
    task = reach(clients, project, "derive_requirements")
    client = clients["operational"]
    assert client.post(task_url(task, "assign")).status_code == 302
    (seat,) = Membership.objects.filter(project=project, user=operator)
    membership_remove(membership=seat, actor=project.created_by)
    body = post_data("derive_requirements", default_data(project, "derive_requirements"))
    before = db_state()

    # when
    executed = client.post(task_url(task, "execute"), body)

    # then
    assert executed.status_code in REFUSED
    assert db_state() == before
    task.refresh_from_db()
    assert task.status != "DONE"


# Project walls: a fully staffed member of project A and project B of somebody else


@pytest.fixture
def insider(project, clients, strategist):
    """A member of both teams of ``project`` (A), who has walked it to the build split.

    A then has done tasks, finalize_blueprint claimed by the insider and prepare_data open.
    """
    user = UserFactory(username="insider")
    membership_add(project=project, user=user, team="strategic", actor=strategist)
    membership_add(project=project, user=user, team="operational", actor=strategist)
    client = login(user)
    for name in BUILD:
        do({"strategic": client, "operational": client}, project, name)
    (blueprint,) = open_tasks(project, "finalize_blueprint")
    assert client.post(task_url(blueprint, "assign")).status_code == 302
    return user


@pytest.fixture
def rival_project(decision_makers):
    """Project B, launched by another decision maker with another engineer, at the build split.

    B has done tasks, finalize_blueprint claimed by its launcher and prepare_data open.
    """
    rival = UserFactory(username="rival")
    rival.groups.add(decision_makers)
    engineer = UserFactory(username="rival_engineer")
    rival_clients = {"strategic": login(rival), "operational": login(engineer)}
    other = launch(rival_clients["strategic"], [engineer], title="Bravo rival bot")
    for name in BUILD:
        do(rival_clients, other, name)
    (blueprint,) = open_tasks(other, "finalize_blueprint")
    assert rival_clients["strategic"].post(task_url(blueprint, "assign")).status_code == 302
    return other


def test_member_of_another_project_gets_404_on_every_page_of_it(insider, rival_project):
    client = login(insider)
    urls = process_urls(rival_project)
    for task in all_tasks(rival_project):
        urls += task_urls(task)

    answers = {url: client.get(url).status_code for url in urls}

    assert len(urls) > 30
    assert answers == dict.fromkeys(urls, 404)


def test_member_of_another_project_cannot_claim_or_execute_its_tasks(insider, rival_project):
    client = login(insider)
    before = db_state()
    answers = {}

    for task in open_tasks(rival_project):
        body = post_data(task.flow_task.name, default_data(rival_project, task.flow_task.name))
        answers[task_url(task, "assign")] = client.post(task_url(task, "assign")).status_code
        answers[task_url(task, "execute")] = client.post(
            task_url(task, "execute"), body
        ).status_code

    assert len(answers) == 4
    assert set(answers.values()) == {404}
    assert db_state() == before
    assert [(t.flow_task.name, t.status) for t in open_tasks(rival_project)] == [
        ("finalize_blueprint", "ASSIGNED"),
        ("prepare_data", "NEW"),
    ]


@pytest.mark.parametrize(
    "url",
    [
        "/lifecycle/inbox/",
        "/lifecycle/queue/",
        "/lifecycle/archive/",
        "/lifecycle/",
        "/lifecycle/tasks/",
        "/lifecycle/flows/",
        "/projects/",
    ],
)
def test_member_of_another_project_does_not_see_it_in_any_list(
    project, insider, rival_project, url
):
    client = login(insider)

    response = client.get(url)

    content = response.content.decode()
    assert response.status_code == 200
    # A's own work is listed, so the page does list tasks and projects ...
    assert f"/lifecycle/{project.process_id}/" in content or project.title in content
    # ... but nothing of B: neither its title nor a link to its process, tasks or page
    assert rival_project.title not in content
    assert f"/lifecycle/{rival_project.process_id}/" not in content
    assert reverse("projects:detail", args=[rival_project.pk]) not in content


@pytest.mark.parametrize("select_all", [False, True])
def test_bulk_assign_does_not_assign_a_task_of_another_project(
    project, insider, rival_project, select_all
):
    client = login(insider)
    (theirs,) = open_tasks(rival_project, "prepare_data")
    (ours,) = open_tasks(project, "prepare_data")
    body = {"pk": [theirs.pk], "_confirm": "1", **({"select_all": "1"} if select_all else {})}
    before = db_state()

    client.post("/lifecycle/queue/assign/", body)

    theirs.refresh_from_db()
    assert (theirs.status, theirs.owner_id) == ("NEW", None)
    assert db_state() == before
    # The same request for a task of A does assign it: the refusal above is the wall.
    client.post("/lifecycle/queue/assign/", {"pk": [ours.pk], "_confirm": "1"})
    ours.refresh_from_db()
    assert (ours.status, ours.owner) == ("ASSIGNED", insider)


def test_bulk_unassign_does_not_release_a_task_of_another_project(insider, rival_project):
    client = login(insider)
    (theirs,) = open_tasks(rival_project, "finalize_blueprint")
    owner = theirs.owner_id
    before = db_state()

    client.post("/lifecycle/inbox/unassign/", {"pk": [theirs.pk], "_confirm": "1"})

    theirs.refresh_from_db()
    assert (theirs.status, theirs.owner_id) == ("ASSIGNED", owner)
    assert db_state() == before


# The auditor reads every project and acts on none


def test_auditor_reads_the_pages_of_every_project(project, auditor):
    client = login(auditor)

    pages = {
        url: client.get(url).status_code
        for url in [
            reverse("projects:detail", args=[project.pk]),
            f"/lifecycle/{project.process_id}/",
            f"/lifecycle/{project.process_id}/chart/",
        ]
    }
    listing = client.get("/projects/").content.decode()

    assert set(pages.values()) == {200}
    assert project.title in listing


def test_auditor_sees_no_task_in_the_queue(clients, project, auditor):
    for name in BUILD:
        do(clients, project, name)
    open_now = open_tasks(project)

    queue = login(auditor).get("/lifecycle/queue/").content.decode()

    assert [t.flow_task.name for t in open_now] == ["finalize_blueprint", "prepare_data"]
    assert f"/lifecycle/{project.process_id}/" not in queue
    # The lanes' members do see them there.
    assert (
        task_url(open_now[0], "index")
        in clients["strategic"].get("/lifecycle/queue/").content.decode()
    )
    assert (
        task_url(open_now[1], "index")
        in clients["operational"].get("/lifecycle/queue/").content.decode()
    )


def test_auditor_can_neither_claim_nor_execute_nor_undo_any_task(clients, project, auditor):
    done = [do(clients, project, name) for name in BUILD]
    client = login(auditor)
    blueprint, data = open_tasks(project)
    # One task open and nobody's, one already claimed by its lane.
    assert clients["operational"].post(task_url(data, "assign")).status_code == 302
    before = db_state()
    answers = []

    for task in (blueprint, data):
        body = post_data(task.flow_task.name, default_data(project, task.flow_task.name))
        answers.append(client.post(task_url(task, "assign")).status_code)
        answers.append(client.post(task_url(task, "execute"), body).status_code)
        answers.append(client.get(task_url(task, "execute")).status_code)
    answers.append(client.post(task_url(data, "unassign")).status_code)
    answers.append(client.post(task_url(blueprint, "cancel")).status_code)
    answers.append(client.post(task_url(done[-1], "undo")).status_code)
    answers.append(
        client.post(
            f"/lifecycle/{project.process_id}/cancel/", {"_cancel_process": "1"}
        ).status_code
    )

    assert all(status in REFUSED for status in answers), answers
    assert db_state() == before


def test_auditor_cannot_launch_a_project(auditor, operator):
    client = login(auditor)
    before = db_state()

    opened = client.get(reverse("lifecycle:launch_project:execute"))
    submitted = client.post(
        reverse("lifecycle:launch_project:execute"),
        {**LAUNCH, "title": "Audited launch", "operational_members": [operator.pk]},
    )

    assert opened.status_code in REFUSED
    assert submitted.status_code in REFUSED
    assert not Project.objects.filter(title="Audited launch").exists()
    assert db_state() == before


# Nobody outside a project's teams


def test_user_in_no_team_gets_404_on_every_url_of_the_project(clients, project, outsider):
    for name in BUILD:
        do(clients, project, name)
    assert clients["strategic"].post(task_url(open_tasks(project)[0], "assign")).status_code == 302
    client = login(outsider)
    urls = process_urls(project)
    for task in all_tasks(project):
        urls += task_urls(task)
    before = db_state()

    # The project page takes no POST (405 for everybody); every flow URL does.
    flow_urls = [url for url in urls if url.startswith("/lifecycle/")]

    read = {url: client.get(url).status_code for url in urls}
    written = {url: client.post(url).status_code for url in flow_urls}

    assert len(flow_urls) > 30
    assert read == dict.fromkeys(urls, 404)
    assert written == dict.fromkeys(flow_urls, 404)
    assert db_state() == before
