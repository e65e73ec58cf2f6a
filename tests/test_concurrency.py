"""Two people acting on the same task at the same moment, on real PostgreSQL row locks.

Each request runs in its own thread with its own database connection; a barrier
releases them together. The flow locks the process row (SELECT ... FOR UPDATE,
waiting), so the second request must find the task already done or claimed and be
refused cleanly, never with a 500 and never with a second downstream task.
"""

import threading
import time

import pytest
from django.db import connection, transaction
from viewflow.workflow.models import Process

from apps.audit.models import Event
from apps.lifecycle.flows import LifecycleFlow
from apps.lifecycle.models import LifecycleTask
from apps.operational.models import RequirementSet
from apps.strategic.models import Scope

from .conftest import (
    UserFactory,
    advance,
    claim,
    default_data,
    login,
    open_tasks,
    post_data,
    start_project,
    task_url,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 20


def race(*calls, hold_process=None, timeout=60):
    """Run every call in its own thread, released together; return their results in order.

    With ``hold_process`` the test holds that process row's lock until every call is
    queued behind it, so the requests truly contend for the flow lock every time.
    """
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)
    errors = []

    def run(index, call):
        try:
            barrier.wait(timeout=timeout)
            results[index] = call()
        except BaseException as error:  # any escape fails the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    with transaction.atomic():
        if hold_process is not None:
            Process.objects.select_for_update().filter(pk=hold_process).exists()
        for thread in threads:
            thread.start()
        if hold_process is not None:
            wait_for_lock_waiters(len(calls), timeout=timeout)
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a request hung (lock never released?)"
    assert not errors, f"an exception escaped a request: {errors!r}"
    return results


def wait_for_lock_waiters(count, *, timeout):
    """Poll until ``count`` other sessions of this test database wait for a lock."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            # pg_stat_activity is snapshotted per transaction; pg_locks is live.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(DISTINCT l.pid) FROM pg_locks l"
                " JOIN pg_stat_activity a ON a.pid = l.pid"
                " WHERE NOT l.granted AND a.datname = current_database()"
                " AND l.pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] >= count:
                return
            time.sleep(0.01)
    raise AssertionError(f"{count} requests never queued on the process lock")


def post(client, url, body=None):
    return lambda: client.post(url, body or {})


def _at_define_scope(strategist, operator, title):
    return start_project(strategist, title, operational_members=[operator])


def _at_derive_requirements(strategist, operator, title):
    project = start_project(strategist, title, operational_members=[operator])
    advance(project, "define_scope", strategist)
    advance(project, "define_business_requirements", strategist)
    return project


# node raced, how to get there, the lane member who does it, its record model, the next node
CASES = {
    "define_scope": (_at_define_scope, "strategist", Scope, "define_business_requirements"),
    "derive_requirements": (
        _at_derive_requirements,
        "operator",
        RequirementSet,
        "design_architecture",
    ),
}


# Every round either queues both requests behind a lock the test holds (so they are
# certain to overlap), or only releases them together and lets the scheduler decide.
TIMINGS = ["queued_on_the_process_lock", "released_by_a_barrier"]


def _hold(timing, task):
    return task.process_id if timing == TIMINGS[0] else None


@pytest.mark.parametrize("timing", TIMINGS)
@pytest.mark.parametrize("node_name", list(CASES))
def test_two_simultaneous_submissions_complete_the_task_once_and_refuse_the_other(
    strategist, operator, node_name, timing
):
    reach, actor_name, record_model, next_node = CASES[node_name]
    actor = {"strategist": strategist, "operator": operator}[actor_name]
    first, second = login(actor), login(actor)

    for round_ in range(ROUNDS):
        project = reach(strategist, operator, f"Race {node_name} {round_}")
        (task,) = open_tasks(project, node_name)
        assert first.post(task_url(task, "assign")).status_code == 302
        body = post_data(node_name, default_data(project, node_name))
        url = task_url(task, "execute")

        responses = race(
            post(first, url, body), post(second, url, body), hold_process=_hold(timing, task)
        )

        statuses = sorted(response.status_code for response in responses)
        assert statuses == [302, 403], f"round {round_}: {statuses}"
        task.refresh_from_db()
        assert task.status == "DONE"
        next_tasks = LifecycleTask.objects.filter(
            process=project.process, flow_task=getattr(LifecycleFlow, next_node)
        )
        assert [t.status for t in next_tasks] == ["NEW"], f"round {round_}"
        assert record_model.objects.filter(project=project).count() == 1, f"round {round_}"
        events = Event.objects.filter(project=project, node_id=node_name)
        assert events.count() == 1, f"round {round_}"


@pytest.mark.parametrize("timing", TIMINGS)
def test_two_members_claiming_the_same_task_at_once_get_one_owner_and_one_refusal(
    strategist, operator, timing
):
    colleague = UserFactory(username="colleague")
    clients = {strategist.pk: login(strategist), colleague.pk: login(colleague)}

    for round_ in range(ROUNDS):
        project = start_project(
            strategist,
            f"Claim race {round_}",
            strategic_members=[colleague],
            operational_members=[operator],
        )
        (task,) = open_tasks(project, "define_scope")
        url = task_url(task, "assign")

        responses = race(
            *(post(client, url) for client in clients.values()), hold_process=_hold(timing, task)
        )

        statuses = dict(zip(clients, (r.status_code for r in responses), strict=True))
        assert sorted(statuses.values()) == [302, 403], f"round {round_}: {statuses}"
        task.refresh_from_db()
        assert task.status == "ASSIGNED"
        (winner,) = [pk for pk, status in statuses.items() if status == 302]
        assert task.owner_id == winner, f"round {round_}"


def test_the_member_who_lost_the_claim_cannot_execute_the_task(strategist, operator):
    colleague = UserFactory(username="colleague")
    project = start_project(
        strategist,
        "Claim then execute",
        strategic_members=[colleague],
        operational_members=[operator],
    )
    (task,) = open_tasks(project, "define_scope")
    claim(task, strategist)
    body = post_data("define_scope", default_data(project, "define_scope"))

    responses = race(
        post(login(strategist), task_url(task, "execute"), body),
        post(login(colleague), task_url(task, "execute"), body),
        hold_process=task.process_id,
    )

    assert [response.status_code for response in responses] == [302, 403]
    assert Scope.objects.filter(project=project).count() == 1
    assert Event.objects.filter(project=project, node_id="define_scope").get().actor == strategist
