"""The operation phase on real Celery workers: nothing lost, nothing twice.

Workers are real processes on Redis and the test PostgreSQL database; the test
process only drives the flow over HTTP and sends the same messages beat sends.
"""

from datetime import timedelta

import psycopg
import pytest
from viewflow.workflow.timers import fire_due_timers

from apps.lifecycle.models import LifecycleTask
from apps.lifecycle.tasks import job_run, jobs_resend, timers_fire
from apps.operations.models import Assessment, MonitoringReport
from apps.operations.services import policy_update

from .conftest import drive_to_operation, open_tasks
from .workers import broker, database_url, require_services, running_worker, wait_until

# A killed worker's message comes back after 3 s instead of an hour.
QUICK_RESTORE = {
    "CELERY_VISIBILITY_TIMEOUT": "3",
    "CELERY_UNACKED_RESTORE_INTERVAL": "1",
    "CELERY_UNACKED_RESTORE_THROTTLE": "1",
}

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def services():
    require_services()
    broker().flushdb()
    yield
    broker().flushdb()


@pytest.fixture
def operating(clients, project):
    """A project whose monitoring timer is due now, assessments due at every window."""
    policy_update(project=project, monitoring_window=timedelta(0), assessment_interval=timedelta(0))
    drive_to_operation(clients, project)
    return project


def nodes(project, name):
    return [
        t for t in LifecycleTask.objects.filter(process=project.process) if t.flow_task.name == name
    ]


def reached_review(project):
    return lambda: [t.flow_task.name for t in open_tasks(project)] == ["review_assessment"]


def test_worker_runs_monitoring_and_assessment_until_the_review(operating, tmp_path):
    with running_worker("w1", tmp_path) as worker:
        timers_fire.delay()
        wait_until(reached_review(operating), message="review_assessment after the worker's jobs")

    assert MonitoringReport.objects.filter(project=operating).count() == 1
    assert Assessment.objects.filter(project=operating).count() == 1
    assert [t.status for t in nodes(operating, "monitor_artifact")] == ["DONE"]
    assert [t.status for t in nodes(operating, "assess_lifecycle")] == ["DONE"]
    assert "fired 1 due workflow timer(s)" in worker.log()
    assert worker.log().count(": done") == 2


def test_a_job_delivered_twice_records_once_and_routes_once(operating, tmp_path):
    fire_due_timers()  # commits; the monitoring job's message goes to Redis
    (monitor,) = nodes(operating, "monitor_artifact")
    job_run.delay(monitor.pk)  # the same message, delivered a second time

    with running_worker("w1", tmp_path) as worker:
        wait_until(reached_review(operating), message="review after a duplicate delivery")
        wait_until(lambda: "skipped" in worker.log(), message="the duplicate was skipped")

    assert MonitoringReport.objects.filter(task_id=monitor.pk).count() == 1
    assert len(nodes(operating, "maintenance_needed")) == 1
    assert len(nodes(operating, "assess_lifecycle")) == 1
    assert Assessment.objects.filter(project=operating).count() == 1


def test_a_worker_killed_mid_job_runs_it_again(operating, tmp_path):
    fire_due_timers()
    (monitor,) = nodes(operating, "monitor_artifact")
    # Hold the process row so that the job stops inside its transaction.
    with psycopg.connect(database_url()) as blocker:
        blocker.execute(
            "SELECT id FROM viewflow_process WHERE id = %s FOR UPDATE", [operating.process_id]
        )
        with running_worker("doomed", tmp_path, **QUICK_RESTORE) as doomed:
            wait_until(
                lambda: "Task apps.lifecycle.tasks.job_run" in doomed.log(),
                message="the doomed worker took the job",
            )
            doomed.kill()
        blocker.rollback()

    monitor.refresh_from_db()
    assert monitor.status == "SCHEDULED"  # the killed transaction left no trace
    with running_worker("survivor", tmp_path, **QUICK_RESTORE) as survivor:
        wait_until(reached_review(operating), timeout=90, message="the job ran again")

    assert f"job task {monitor.pk}: done" in survivor.log()
    assert MonitoringReport.objects.filter(task_id=monitor.pk).count() == 1
    assert Assessment.objects.filter(project=operating).count() == 1


def test_a_flushed_broker_loses_no_timer(operating, tmp_path):
    broker().flushdb()  # whatever beat or the web had queued is gone

    with running_worker("w1", tmp_path):
        timers_fire.delay()  # the next beat tick
        wait_until(reached_review(operating), message="the due timer fired from the database")

    assert Assessment.objects.filter(project=operating).count() == 1


def test_a_job_lost_with_the_broker_is_sent_again_by_the_sweep(operating, tmp_path):
    fire_due_timers()
    (monitor,) = nodes(operating, "monitor_artifact")
    broker().flushdb()  # the job's message is lost

    with running_worker("w1", tmp_path):
        monitor.refresh_from_db()
        assert monitor.status == "SCHEDULED"
        jobs_resend.delay(0)
        wait_until(reached_review(operating), message="the sweep resent the lost job")

    assert MonitoringReport.objects.filter(task_id=monitor.pk).count() == 1
    assert Assessment.objects.filter(project=operating).count() == 1
