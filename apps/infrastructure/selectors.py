"""Reads of the IT infrastructure pool: tokens, awaited confirmations, results, deliveries."""

import hashlib

from django.db.models import Prefetch, Q
from django.utils import timezone

from apps.lifecycle.selectors import OPEN_HUMAN_STATUSES
from apps.operational.selectors import criteria_in_force, latest_artifact_version

from .models import (
    ApiToken,
    DecommissionConfirmation,
    DeploymentConfirmation,
    EvaluationSubmission,
    WebhookDelivery,
)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_for_key(key: str) -> ApiToken | None:
    """The token with this key, revoked or not (the caller refuses revoked ones)."""
    return ApiToken.objects.select_related("project").filter(key_hash=key_hash(key)).first()


def open_task(*, project, node_name: str):
    """The open human task ``node_name`` of the project's process, if the process waits there."""
    from apps.lifecycle.models import LifecycleTask

    if project.process_id is None:
        return None
    tasks = LifecycleTask.objects.filter(
        process_id=project.process_id, flow_task_type="HUMAN", status__in=OPEN_HUMAN_STATUSES
    ).order_by("-created", "-id")
    return next((task for task in tasks if task.flow_task.name == node_name), None)


def deployment_confirmation_awaited(*, project) -> DeploymentConfirmation | None:
    """The confirmation that lets the open deploy_artifact task complete.

    It must name the current artifact version, report passing live tests and have
    arrived after the task opened: a confirmation of an earlier deployment, or of
    one whose live tests failed, needs a person's manual confirmation and reason.
    """
    task = open_task(project=project, node_name="deploy_artifact")
    version = latest_artifact_version(project=project)
    if task is None or version is None:
        return None
    return (
        DeploymentConfirmation.objects.filter(
            project=project,
            artifact_version=version,
            live_tests_passed=True,
            received_at__gte=task.created,
        )
        .select_related("artifact_version")
        .order_by("-received_at", "-id")
        .first()
    )


def decommission_confirmation_awaited(*, project) -> DecommissionConfirmation | None:
    """The confirmation that lets the open retire_artifact task complete."""
    task = open_task(project=project, node_name="retire_artifact")
    if task is None:
        return None
    return (
        DecommissionConfirmation.objects.filter(project=project, received_at__gte=task.created)
        .order_by("-received_at", "-id")
        .first()
    )


def evaluation_submission_latest(*, project, artifact_version=None):
    """The latest results submitted for the artifact version (the current one by default)."""
    version = artifact_version or latest_artifact_version(project=project)
    if version is None:
        return None
    return (
        EvaluationSubmission.objects.filter(project=project, artifact_version=version)
        .select_related("artifact_version")
        .prefetch_related("metrics")
        .order_by("-received_at", "-id")
        .first()
    )


def evaluation_checks(*, submission, criteria) -> list[dict]:
    """Each acceptance criterion against the submitted value: met, missed or not submitted."""
    values = {m.metric: m.value for m in submission.metrics.all()}
    checks = []
    for criterion in criteria:
        value = values.get(criterion.metric)
        checks.append(
            {
                "criterion": criterion,
                "metric": criterion.metric,
                "measured": value,
                "met": None if value is None else criterion.is_met(value),
            }
        )
    return checks


def evaluation_submitted(*, project) -> dict | None:
    """What the evaluate_artifact task shows: the latest submission and its checks."""
    submission = evaluation_submission_latest(project=project)
    if submission is None:
        return None
    return {
        "submission": submission,
        "checks": evaluation_checks(
            submission=submission, criteria=criteria_in_force(project=project)
        ),
    }


def webhook_deliveries(*, project):
    """The delivery log of a project, newest first, with every attempt."""
    return (
        WebhookDelivery.objects.filter(project=project)
        .prefetch_related(Prefetch("log"))
        .order_by("-created_at")
    )


def stale_deliveries(older_than):
    """Pending deliveries created a while ago and not claimed by a worker now."""
    now = timezone.now()
    return (
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, created_at__lte=now - older_than
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .values_list("pk", flat=True)
    )


def evaluation_submitted_values(*, project) -> dict:
    """Metric name -> value of the latest results submitted for the current artifact version."""
    submission = evaluation_submission_latest(project=project)
    return {m.metric: m.value for m in submission.metrics.all()} if submission else {}


def telemetry_batch_of(*, project, batch_id: str):
    from .models import TelemetryBatch

    return (
        TelemetryBatch.objects.filter(project=project, batch_id=batch_id)
        .select_related("artifact_version")
        .first()
    )
