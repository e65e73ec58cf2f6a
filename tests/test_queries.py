"""Pages and transitions whose SQL must not grow with tasks or projects.

Each scenario measures the same page for the same user twice, with a small and a
large amount of data, after one warm-up request each time (content types, the
session and the flow's caches are then equally warm). A difference is printed
query by query so the test says where the growth comes from.
"""

import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.lifecycle.flows import LifecycleFlow

from .conftest import (
    advance,
    claim,
    complete,
    default_data,
    login,
    open_tasks,
    post_data,
    start_project,
)

INBOX = "/lifecycle/inbox/"
QUEUE = "/lifecycle/queue/"
ARCHIVE = "/lifecycle/archive/"
PROJECTS = "/projects/"
EXECUTE_BUDGET = 25


def _shape(sql: str) -> str:
    """A query with its literals and IN lists folded, so that equal shapes compare equal."""
    sql = re.sub(r"'[^']*'", "?", sql)
    sql = re.sub(r"\b\d+\b", "?", sql)
    return re.sub(r"\((?:\s*\?\s*,)+\s*\?\s*\)", "(?...)", sql)


def page_queries(client, url) -> list[str]:
    """The SQL of one GET of ``url``, measured after a warm-up GET of the same page."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def growth(few: list[str], many: list[str]) -> str:
    """The query shapes that run more often (or only) in the larger scenario."""
    extra = Counter(map(_shape, many)) - Counter(map(_shape, few))
    missing = Counter(map(_shape, few)) - Counter(map(_shape, many))
    lines = [f"{len(few)} queries with little data, {len(many)} with much data"]
    lines += [f"  +{n} x {sql}" for sql, n in extra.most_common()]
    lines += [f"  -{n} x {sql}" for sql, n in missing.most_common()]
    return "\n".join(lines)


def assert_flat(label, few, many):
    print(f"\n{label}: {len(few)} -> {len(many)} queries")
    assert len(few) == len(many), growth(few, many)


def launch_many(strategist, count, *, start=0, **members):
    return [start_project(strategist, f"Project {start + i:03d}", **members) for i in range(count)]


def listed(client, url) -> int:
    return client.get(url).context["paginator"].count


@pytest.mark.django_db
def test_inbox_issues_as_many_queries_for_50_assigned_tasks_as_for_5(strategist):
    client = login(strategist)
    for project in launch_many(strategist, 5):
        claim(open_tasks(project, "define_scope")[0], strategist)
    few = page_queries(client, INBOX)
    assert listed(client, INBOX) == 5

    for project in launch_many(strategist, 45, start=5):
        claim(open_tasks(project, "define_scope")[0], strategist)
    many = page_queries(client, INBOX)
    assert listed(client, INBOX) == 50

    assert_flat("inbox, 5 vs 50 assigned tasks", few, many)


@pytest.mark.django_db
def test_queue_issues_as_many_queries_for_50_open_tasks_as_for_5(strategist):
    client = login(strategist)
    launch_many(strategist, 5)
    few = page_queries(client, QUEUE)
    assert listed(client, QUEUE) == 5

    launch_many(strategist, 45, start=5)
    many = page_queries(client, QUEUE)
    assert listed(client, QUEUE) == 50

    assert_flat("queue, 5 vs 50 open tasks", few, many)


@pytest.mark.django_db
def test_archive_issues_as_many_queries_for_50_finished_tasks_as_for_5(strategist):
    client = login(strategist)
    for project in launch_many(strategist, 5):
        advance(project, "define_scope", strategist)
    few = page_queries(client, ARCHIVE)
    assert listed(client, ARCHIVE) == 5

    for project in launch_many(strategist, 45, start=5):
        advance(project, "define_scope", strategist)
    many = page_queries(client, ARCHIVE)
    assert listed(client, ARCHIVE) == 50

    assert_flat("archive, 5 vs 50 finished tasks", few, many)


def _member_of_more_projects(strategist, operator, count):
    """Projects where ``operator`` sits in the operational team: new permissions, no new tasks
    for the operator's lists, since their only open task is strategic."""
    return launch_many(strategist, count, start=100, operational_members=[operator])


def _operator_with_two_tasks(strategist, operator):
    """Two projects whose open tasks are operational: one waits in the queue, one in the inbox."""
    projects = launch_many(strategist, 2, operational_members=[operator])
    for project in projects:
        advance(project, "define_scope", strategist)
        advance(project, "define_business_requirements", strategist)
    claim(open_tasks(projects[0], "derive_requirements")[0], operator)
    return projects


@pytest.mark.django_db
def test_inbox_and_queue_stay_flat_for_a_member_of_2_and_of_40_projects(strategist, operator):
    client = login(operator)
    _operator_with_two_tasks(strategist, operator)
    few = {url: page_queries(client, url) for url in (INBOX, QUEUE)}
    assert (listed(client, INBOX), listed(client, QUEUE)) == (1, 1)

    _member_of_more_projects(strategist, operator, 38)
    many = {url: page_queries(client, url) for url in (INBOX, QUEUE)}
    assert (listed(client, INBOX), listed(client, QUEUE)) == (1, 1)

    assert_flat("inbox, member of 2 vs 40 projects", few[INBOX], many[INBOX])
    assert_flat("queue, member of 2 vs 40 projects", few[QUEUE], many[QUEUE])


@pytest.mark.django_db
def test_project_list_stays_flat_for_a_member_of_2_and_of_40_projects(strategist, operator):
    client = login(operator)
    _operator_with_two_tasks(strategist, operator)
    few = page_queries(client, PROJECTS)
    assert client.get(PROJECTS).context["paginator"].count == 2

    _member_of_more_projects(strategist, operator, 38)
    many = page_queries(client, PROJECTS)
    assert client.get(PROJECTS).context["paginator"].count == 40

    assert_flat("project list, member of 2 vs 40 projects", few, many)


@pytest.mark.django_db
def test_completing_a_task_that_opens_the_next_human_task_takes_at_most_25_statements(
    strategist, operator
):
    client = login(strategist)
    # A second project first, so the warm-up below opens the same code paths.
    warm, project = launch_many(strategist, 2, operational_members=[operator])
    body = post_data("define_scope", default_data(warm, "define_scope"))
    assert complete(client, open_tasks(warm, "define_scope")[0], body).status_code == 302
    (task,) = open_tasks(project, "define_scope")
    url = LifecycleFlow.define_scope.reverse("assign", args=[task.process_id, task.pk])
    assert client.post(url).status_code == 302

    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            LifecycleFlow.define_scope.reverse("execute", args=[task.process_id, task.pk]), body
        )

    assert response.status_code == 302
    assert [t.flow_task.name for t in open_tasks(project)] == ["define_business_requirements"]
    statements = [query["sql"] for query in captured.captured_queries]
    print(f"\nexecute define_scope -> define_business_requirements: {len(statements)} statements")
    print("\n".join(f"  {sql[:200]}" for sql in statements))
    assert len(statements) <= EXECUTE_BUDGET, "\n".join(statements)


@pytest.mark.django_db
def test_project_list_shows_every_project_of_the_member(strategist, operator):
    # The flat project list must still list what it should (guards the query pins above).
    _operator_with_two_tasks(strategist, operator)
    response = login(operator).get(reverse("projects:index"))

    assert [p.title for p in response.context["projects"]] == ["Project 000", "Project 001"]
