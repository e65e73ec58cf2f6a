"""A task URL names a process, a node and a task: all three must agree, or the answer is 404.

viewflow's task views look the task up by its id alone; a task of another process,
or of another node of the same process, must not be reachable (nor claimable, nor
executable) by dressing it in a URL whose process or node the user may act on.
"""

import pytest

from .conftest import BUILD, default_data, do, launch, open_tasks, post_data, task_url
from .journeys import db_state

MISSING = 987654321
READS = ["index", "detail", "execute", "assign"]


def url_for(node, process_pk, task_pk, action="execute"):
    return node.reverse(action, args=[process_pk, task_pk])


def body_for(project, node_name):
    return post_data(node_name, default_data(project, node_name))


@pytest.fixture
def second_project(clients, project, operator):
    """Project B with the same two people as A, so that only the URL's process tells them apart."""
    return launch(clients["strategic"], [operator], title="Second assistant")


def test_task_of_another_process_in_a_process_url_is_404(clients, project, second_project):
    # given: both projects wait at define_scope; the user is strategist of both
    (ours,) = open_tasks(project, "define_scope")
    (theirs,) = open_tasks(second_project, "define_scope")
    node = theirs.flow_task
    client = clients["strategic"]
    before = db_state()

    # when: B's task is put in A's process URL, for every read and every write
    reads = [client.get(url_for(node, project.process_id, theirs.pk, a)).status_code for a in READS]
    claimed = client.post(url_for(node, project.process_id, theirs.pk, "assign"))
    executed = client.post(
        url_for(node, project.process_id, theirs.pk), body_for(second_project, "define_scope")
    )

    # then: 404 each time and nothing changed in either project
    assert reads == [404] * len(READS)
    assert (claimed.status_code, executed.status_code) == (404, 404)
    assert db_state() == before
    # The same task in its own process URL is claimable: the 404 came from the mismatch.
    assert (
        client.post(url_for(node, second_project.process_id, theirs.pk, "assign")).status_code
        == 302
    )
    ours.refresh_from_db()
    assert (ours.status, ours.owner_id) == ("NEW", None)


def test_done_task_of_one_node_in_the_url_of_the_next_node_is_404(clients, project):
    # given: define_scope is done and define_business_requirements is open
    done = do(clients, project, "define_scope")
    (open_task,) = open_tasks(project, "define_business_requirements")
    client = clients["strategic"]
    node = open_task.flow_task
    body = body_for(project, "define_business_requirements")
    before = db_state()

    # when: the define_scope task id is used in define_business_requirements URLs
    reads = [client.get(url_for(node, project.process_id, done.pk, a)).status_code for a in READS]
    claimed = client.post(url_for(node, project.process_id, done.pk, "assign"))
    executed = client.post(url_for(node, project.process_id, done.pk), body)

    # then
    assert reads == [404] * len(READS)
    assert (claimed.status_code, executed.status_code) == (404, 404)
    assert db_state() == before


def test_open_task_of_one_node_in_the_url_of_a_done_node_is_404(clients, project):
    done = do(clients, project, "define_scope")
    (open_task,) = open_tasks(project, "define_business_requirements")
    client = clients["strategic"]
    before = db_state()

    reads = [
        client.get(url_for(done.flow_task, project.process_id, open_task.pk, a)).status_code
        for a in READS
    ]
    claimed = client.post(url_for(done.flow_task, project.process_id, open_task.pk, "assign"))
    executed = client.post(
        url_for(done.flow_task, project.process_id, open_task.pk), body_for(project, "define_scope")
    )

    assert reads == [404] * len(READS)
    assert (claimed.status_code, executed.status_code) == (404, 404)
    assert db_state() == before


@pytest.mark.parametrize(
    ("target", "disguise", "lane"),
    [
        ("finalize_blueprint", "prepare_data", "operational"),
        ("prepare_data", "finalize_blueprint", "strategic"),
    ],
)
def test_task_of_one_lane_dressed_in_a_node_of_the_other_lane_cannot_be_claimed(
    clients, project, target, disguise, lane
):
    # given: after the architecture is approved both lanes have an open task
    for name in BUILD:
        do(clients, project, name)
    (task,) = open_tasks(project, target)
    (other,) = open_tasks(project, disguise)
    client = clients[lane]
    before = db_state()

    # when: a member of the other lane uses the task id in a node URL of their own lane
    reads = [
        client.get(url_for(other.flow_task, project.process_id, task.pk, a)).status_code
        for a in READS
    ]
    claimed = client.post(url_for(other.flow_task, project.process_id, task.pk, "assign"))
    executed = client.post(
        url_for(other.flow_task, project.process_id, task.pk), body_for(project, disguise)
    )

    # then: 404, and the task is still open and nobody's
    assert reads == [404] * len(READS)
    assert (claimed.status_code, executed.status_code) == (404, 404)
    task.refresh_from_db()
    assert (task.status, task.owner_id) == ("NEW", None)
    assert db_state() == before


def test_claimed_task_in_the_url_of_another_node_cannot_be_executed(clients, project, flow):
    # given: the strategist claimed define_scope
    (task,) = open_tasks(project, "define_scope")
    client = clients["strategic"]
    assert client.post(task_url(task, "assign")).status_code == 302
    other_node = flow.define_business_requirements
    before = db_state()

    # when: the task is executed and released through the next node's URLs
    executed = client.post(
        url_for(other_node, project.process_id, task.pk),
        body_for(project, "define_business_requirements"),
    )
    unassigned = client.post(url_for(other_node, project.process_id, task.pk, "unassign"))

    # then
    assert (executed.status_code, unassigned.status_code) == (404, 404)
    task.refresh_from_db()
    assert task.status == "ASSIGNED"
    assert db_state() == before


@pytest.mark.parametrize("which", ["task", "process", "both"])
def test_nonexistent_ids_are_404(clients, project, which):
    (task,) = open_tasks(project, "define_scope")
    process_pk = MISSING if which in ("process", "both") else project.process_id
    task_pk = MISSING if which in ("task", "both") else task.pk
    client = clients["strategic"]
    body = body_for(project, "define_scope")
    before = db_state()

    reads = [client.get(url_for(task.flow_task, process_pk, task_pk, a)).status_code for a in READS]
    claimed = client.post(url_for(task.flow_task, process_pk, task_pk, "assign"))
    executed = client.post(url_for(task.flow_task, process_pk, task_pk), body)

    assert reads == [404] * len(READS)
    assert (claimed.status_code, executed.status_code) == (404, 404)
    task.refresh_from_db()
    assert (task.status, task.owner_id) == ("NEW", None)
    assert db_state() == before


def test_nonexistent_process_and_project_pages_are_404(clients, project):
    client = clients["strategic"]
    before = db_state()

    answers = [
        client.get(url).status_code
        for url in [
            f"/lifecycle/{MISSING}/",
            f"/lifecycle/{MISSING}/chart/",
            f"/projects/{MISSING}/",
        ]
    ]
    cancelled = client.post(f"/lifecycle/{MISSING}/cancel/", {"_cancel_process": "1"})

    assert answers == [404, 404, 404]
    assert cancelled.status_code == 404
    assert db_state() == before
