"""Writes of the IT infrastructure pool: tokens, incoming messages, outgoing webhooks.

Incoming messages are idempotent on the sender's id: a repeat is answered with the
first record and writes nothing. Outgoing messages are queued in the transaction
that decided to send them and go out after the commit, so a rolled-back task sends
nothing and a committed one is never lost (``webhooks_resend`` sweeps stragglers).
"""

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import time
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import Event
from apps.audit.services import event_record
from apps.operational.selectors import (
    criteria_in_force,
    latest_artifact_version,
    latest_deployment,
    latest_design,
)
from apps.operations.models import TelemetryPoint

from .models import (
    ApiToken,
    DecommissionConfirmation,
    DeploymentConfirmation,
    EvaluationMetric,
    EvaluationSubmission,
    TelemetryBatch,
    TokenUse,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from .selectors import evaluation_checks, key_hash, open_task

logger = logging.getLogger(__name__)


class MessageNotAwaited(Exception):
    """A well-formed message the process does not wait for now (HTTP 409)."""


def _sent_by(token) -> str:
    return f" (API token '{token.name}', {token.prefix})" if token else ""


# Tokens


@transaction.atomic
def api_token_create(*, project, name: str, scopes: list[str], actor) -> tuple[ApiToken, str]:
    """Create a token; the key is returned once and only its hash is kept."""
    unknown = set(scopes) - set(ApiToken.Scope.values)
    if not scopes or unknown:
        raise ValueError(f"Scopes must be some of {', '.join(ApiToken.Scope.values)}.")
    prefix = f"llmops_{secrets.token_hex(6)}"
    key = f"{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        project=project,
        name=name,
        scopes=[scope for scope in ApiToken.Scope.values if scope in scopes],
        prefix=prefix,
        key_hash=key_hash(key),
        created_by=actor,
    )
    event_record(
        project=project,
        kind=Event.Kind.RECORD,
        actor=actor,
        summary=f"API token '{name}' ({prefix}) created with scopes {', '.join(token.scopes)}",
        data={"token": prefix, "scopes": token.scopes},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor) -> ApiToken:
    """Revoke at once: the next request with this key is refused. Revoking twice is a no-op."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = actor
        token.save(update_fields=["revoked_at", "revoked_by"])
        event_record(
            project=token.project,
            kind=Event.Kind.RECORD,
            actor=actor,
            summary=f"API token '{token.name}' ({token.prefix}) revoked",
            data={"token": token.prefix},
        )
    return token


def api_token_use_record(
    *, token: ApiToken, method: str, path: str, status_code: int, remote_addr: str | None
) -> TokenUse:
    return TokenUse.objects.create(
        token=token,
        method=method[:10],
        path=path[:255],
        status_code=status_code,
        remote_addr=remote_addr or None,
    )


# Incoming messages


def _first_or_create(model, lookup: dict, create):
    """Return (existing, False) for a repeated message id, else (create(), True).

    The unique constraint decides between two concurrent deliveries of the same
    message: the loser's savepoint rolls back and it answers with the winner's row.
    """
    existing = model.objects.filter(**lookup).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return create(), True
    except IntegrityError:
        return model.objects.get(**lookup), False


@transaction.atomic
def deployment_confirmation_record(
    *,
    project,
    token=None,
    confirmation_id: str,
    artifact_version,
    environment: str,
    endpoint: str,
    resources: dict,
    live_test_results: str,
    live_tests_passed: bool,
) -> tuple[DeploymentConfirmation, bool]:
    """Deployment confirmation: accepted while deploy_artifact waits for this artifact version."""
    lookup = {"project": project, "confirmation_id": confirmation_id}
    existing = DeploymentConfirmation.objects.filter(**lookup).first()
    if existing is not None:
        return existing, False
    task = open_task(project=project, node_name="deploy_artifact")
    if task is None:
        raise MessageNotAwaited("No deployment of this project is waiting for confirmation.")
    current = latest_artifact_version(project=project)
    if artifact_version != current:
        raise MessageNotAwaited(
            f"deploy_artifact waits for artifact version {current}, not {artifact_version}."
        )

    def create():
        confirmation = DeploymentConfirmation.objects.create(
            project=project,
            token=token,
            confirmation_id=confirmation_id,
            artifact_version=artifact_version,
            environment=environment,
            endpoint=endpoint,
            resources=resources,
            live_test_results=live_test_results,
            live_tests_passed=live_tests_passed,
        )
        event_record(
            project=project,
            kind=Event.Kind.RECORD,
            node_id="deploy_artifact",
            task=task,
            summary=f"IT infrastructure confirmed artifact {artifact_version} on {environment}"
            + _sent_by(token),
            reason=live_test_results,
            data={
                "confirmation_id": confirmation_id,
                "endpoint": endpoint,
                "live_tests_passed": live_tests_passed,
            },
        )
        return confirmation

    return _first_or_create(DeploymentConfirmation, lookup, create)


@transaction.atomic
def decommission_confirmation_record(
    *,
    project,
    token=None,
    confirmation_id: str,
    details: str,
    environment: str = "",
    archive_location: str = "",
) -> tuple[DecommissionConfirmation, bool]:
    """Decommission confirmation: accepted while retire_artifact waits for it."""
    lookup = {"project": project, "confirmation_id": confirmation_id}
    existing = DecommissionConfirmation.objects.filter(**lookup).first()
    if existing is not None:
        return existing, False
    task = open_task(project=project, node_name="retire_artifact")
    if task is None:
        raise MessageNotAwaited("No retirement of this project is waiting for a decommission.")
    deployment = latest_deployment(project=project)

    def create():
        confirmation = DecommissionConfirmation.objects.create(
            project=project,
            token=token,
            confirmation_id=confirmation_id,
            artifact_version=deployment.artifact_version if deployment else None,
            environment=environment,
            details=details,
            archive_location=archive_location,
        )
        event_record(
            project=project,
            kind=Event.Kind.RECORD,
            node_id="retire_artifact",
            task=task,
            summary="IT infrastructure confirmed the decommission" + _sent_by(token),
            reason=details,
            data={"confirmation_id": confirmation_id, "environment": environment},
        )
        return confirmation

    return _first_or_create(DecommissionConfirmation, lookup, create)


@transaction.atomic
def evaluation_submission_record(
    *,
    project,
    token=None,
    run_id: str,
    artifact_version,
    source: str,
    metrics: dict[str, Decimal],
    report_url: str = "",
) -> tuple[EvaluationSubmission, bool]:
    """Evaluation results for an artifact version; evaluate_artifact checks them."""
    lookup = {"project": project, "run_id": run_id}

    def create():
        submission = EvaluationSubmission.objects.create(
            project=project,
            token=token,
            run_id=run_id,
            artifact_version=artifact_version,
            source=source,
            report_url=report_url,
        )
        EvaluationMetric.objects.bulk_create(
            EvaluationMetric(submission=submission, metric=name, value=value)
            for name, value in metrics.items()
        )
        checks = evaluation_checks(
            submission=submission, criteria=criteria_in_force(project=project)
        )
        met = sum(1 for check in checks if check["met"])
        event_record(
            project=project,
            kind=Event.Kind.RECORD,
            node_id="evaluate_artifact",
            summary=f"Evaluation results for artifact {artifact_version} from {source}: "
            f"{met} of {len(checks)} criteria met" + _sent_by(token),
            data={"run_id": run_id, "metrics": {k: str(v) for k, v in metrics.items()}},
        )
        return submission

    return _first_or_create(EvaluationSubmission, lookup, create)


def _points_insert(*, project, artifact_version, points) -> None:
    """Insert the points: COPY on PostgreSQL (the fast path), bulk_create elsewhere."""
    version_pk = artifact_version.pk if artifact_version else None
    if connection.vendor != "postgresql":
        TelemetryPoint.objects.bulk_create(
            (
                TelemetryPoint(
                    project_id=project.pk,
                    artifact_version_id=version_pk,
                    metric=metric,
                    value=value,
                    recorded_at=recorded_at,
                )
                for metric, value, recorded_at in points
            ),
            batch_size=2000,
        )
        return
    meta = TelemetryPoint._meta
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(meta.get_field(name).column)
        for name in ("project", "artifact_version", "metric", "value", "recorded_at")
    )
    sql = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"  # noqa: S608 - names from the model
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for metric, value, recorded_at in points:
            copy.write_row((project.pk, version_pk, metric, value, recorded_at))


@transaction.atomic
def telemetry_batch_ingest(
    *,
    project,
    token=None,
    batch_id: str,
    points: list[tuple[str, float, datetime]],
    artifact_version=None,
) -> tuple[TelemetryBatch, bool]:
    """Store a validated batch whole, or nothing; a repeated batch id writes nothing new.

    Points without an artifact version are attributed to the deployed one.
    """
    existing = TelemetryBatch.objects.filter(project=project, batch_id=batch_id).first()
    if existing is not None:
        return existing, False
    if artifact_version is None:
        deployment = latest_deployment(project=project)
        artifact_version = deployment.artifact_version if deployment else None
    try:
        with transaction.atomic():
            batch = TelemetryBatch.objects.create(
                project=project,
                token=token,
                batch_id=batch_id,
                count=len(points),
                artifact_version=artifact_version,
            )
    except IntegrityError:
        return TelemetryBatch.objects.get(project=project, batch_id=batch_id), False
    _points_insert(project=project, artifact_version=artifact_version, points=points)
    return batch, True


# Webhook endpoints and outgoing messages


@transaction.atomic
def webhook_endpoint_save(
    *, project, url: str, is_active: bool = True, actor=None
) -> tuple[WebhookEndpoint, str | None]:
    """Set the project's webhook URL; a new endpoint gets a secret, returned this once."""
    endpoint = WebhookEndpoint.objects.filter(project=project).first()
    secret = None
    if endpoint is None:
        endpoint = WebhookEndpoint.objects.create(project=project, url=url, is_active=is_active)
        secret = endpoint.secret
        summary = f"Webhook endpoint set to {_shown_url(url)}"
    else:
        endpoint.url, endpoint.is_active = url, is_active
        endpoint.save(update_fields=["url", "is_active"])
        summary = f"Webhook endpoint changed to {url}" + ("" if is_active else " (inactive)")
    event_record(project=project, kind=Event.Kind.RECORD, actor=actor, summary=summary)
    return endpoint, secret


@transaction.atomic
def webhook_secret_rotate(*, endpoint: WebhookEndpoint, actor=None) -> str:
    """A new signing secret, effective for the next attempt; returned this once."""
    endpoint.secret = secrets.token_urlsafe(32)
    endpoint.save(update_fields=["secret"])
    event_record(
        project=endpoint.project,
        kind=Event.Kind.RECORD,
        actor=actor,
        summary="Webhook signing secret rotated",
    )
    return endpoint.secret


def webhook_enqueue(delivery_id) -> bool:
    """Hand a delivery to Celery; a broker outage only delays it until the next sweep."""
    from .tasks import webhook_deliver

    try:
        webhook_deliver.apply_async(
            args=[str(delivery_id)], retry=True, retry_policy={"max_retries": 2}
        )
    except Exception:  # noqa: BLE001 - any broker failure: webhooks_resend sends it later
        logger.warning("Could not enqueue webhook delivery %s; the sweep resends it", delivery_id)
        return False
    return True


def _api_url(name: str, project) -> str:
    return getattr(settings, "SITE_URL", "").rstrip("/") + reverse(
        f"api:{name}", kwargs={"project_id": project.pk}
    )


def _message_send(*, project, event: str, node_id: str, task=None, data: dict):
    """Queue one outgoing message to the project's endpoint; without an endpoint, nothing."""
    endpoint = WebhookEndpoint.objects.filter(project=project, is_active=True).first()
    if endpoint is None:
        return None
    delivery_id, now = uuid.uuid4(), timezone.now()
    body = json.dumps(
        {
            "id": str(delivery_id),
            "event": event,
            "created_at": now,
            "project": {"id": project.pk, "title": project.title},
            "node_id": node_id,
            "task_id": task.pk if task is not None else None,
            "data": data,
        },
        cls=DjangoJSONEncoder,
        separators=(",", ":"),
    )
    delivery = WebhookDelivery.objects.create(
        id=delivery_id,
        project=project,
        event=event,
        node_id=node_id,
        task_id=task.pk if task is not None else None,
        url=endpoint.url,
        body=body,
        created_at=now,
    )
    event_record(
        project=project,
        kind=Event.Kind.SYSTEM,
        node_id=node_id,
        task=task,
        summary=f"{delivery.get_event_display()} sent to IT infrastructure",
        data={"delivery": str(delivery_id), "url": _shown_url(endpoint.url)},
    )
    transaction.on_commit(lambda: webhook_enqueue(delivery_id))
    return delivery


def _artifact(version) -> dict | None:
    if version is None:
        return None
    return {
        "version": version.version,
        "description": version.description,
        "repository_url": version.repository_url,
        "model_name": version.model_name,
    }


@transaction.atomic
def deployment_request_send(*, project, task=None) -> WebhookDelivery | None:
    """Deployment request, sent when deploy_artifact opens."""
    design = latest_design(project=project)
    return _message_send(
        project=project,
        event=WebhookDelivery.Event.DEPLOYMENT_REQUESTED,
        node_id="deploy_artifact",
        task=task,
        data={
            "artifact_version": _artifact(latest_artifact_version(project=project)),
            "deployment_target": design.deployment_target if design else None,
            "acceptance_criteria": [str(c) for c in criteria_in_force(project=project)],
            "confirmation_url": _api_url("deployment-confirmations", project),
        },
    )


@transaction.atomic
def maintenance_change_send(*, project, record, task=None) -> WebhookDelivery | None:
    """Maintenance change, sent when maintain_artifact is recorded."""
    deployment = latest_deployment(project=project)
    return _message_send(
        project=project,
        event=WebhookDelivery.Event.MAINTENANCE_CHANGED,
        node_id="maintain_artifact",
        task=task,
        data={
            "kind": record.kind,
            "description": record.description,
            "incidents_resolved": record.incidents_resolved,
            "artifact_version": _artifact(deployment.artifact_version if deployment else None),
            "environment": deployment.environment if deployment else None,
            "endpoint": deployment.endpoint if deployment else None,
        },
    )


@transaction.atomic
def decommission_request_send(*, project, task=None) -> WebhookDelivery | None:
    """Decommission request, sent when retire_artifact opens."""
    deployment = latest_deployment(project=project)
    return _message_send(
        project=project,
        event=WebhookDelivery.Event.DECOMMISSION_REQUESTED,
        node_id="retire_artifact",
        task=task,
        data={
            "artifact_version": _artifact(deployment.artifact_version if deployment else None),
            "environment": deployment.environment if deployment else None,
            "endpoint": deployment.endpoint if deployment else None,
            "confirmation_url": _api_url("decommission-confirmations", project),
        },
    )


def _shown_url(url: str) -> str:
    """The URL without credentials or query string, for the history every member reads."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return parts._replace(netloc=netloc, query="", fragment="").geturl()


def webhook_signature(secret: str, body: bytes, timestamp: str) -> str:
    """X-LLMOps-Signature: HMAC-SHA256 of "<timestamp>." + raw body with the endpoint secret.

    Signing the timestamp lets receivers refuse replays of old messages.
    """
    signed = timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def _refused_host(hostname: str, port: int | None) -> str:
    """Why the receiver's host may not be called, or "" when it may.

    Webhooks go to IT infrastructure on the internet; without
    WEBHOOK_ALLOW_PRIVATE_HOSTS a URL cannot make the workers probe the internal
    network (loopback, private ranges, cloud metadata addresses).
    """
    if settings.WEBHOOK_ALLOW_PRIVATE_HOSTS:
        return ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(hostname, port or 443)}
    except (OSError, UnicodeError):
        return "The receiver's host name does not resolve."
    if not addresses or any(not ipaddress.ip_address(a.split("%")[0]).is_global for a in addresses):
        return "The receiver's host is not a public address."
    return ""


def _post(url: str, body: bytes, headers: dict, timeout: float) -> tuple[int | None, str]:
    """POST once with http.client: exact header names, no redirects followed, no proxies.

    Only the status is kept of the answer: its body is the receiver's business and
    must not become readable on the project page.
    """
    parts = urlsplit(url)
    refused = _refused_host(parts.hostname or "", parts.port)
    if refused:
        return None, refused
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    client = connection_class(parts.hostname, parts.port, timeout=timeout)
    try:
        client.request("POST", path, body=body, headers=headers)
        response = client.getresponse()
    except (OSError, ValueError, http.client.HTTPException) as error:
        return None, type(error).__name__
    finally:
        client.close()
    if 200 <= response.status < 300:
        return response.status, ""
    return response.status, f"HTTP {response.status}"


def webhook_delivery_attempt(*, delivery_id, final: bool = False) -> str:
    """Make one HTTP attempt and log it; "delivered", "retry", "failed" or the settled status.

    The HTTP call runs outside any transaction; only the log write is atomic. A
    delivered or failed delivery is never sent again, so a duplicate task is harmless.
    """
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None:
        return "missing"
    if delivery.status != WebhookDelivery.Status.PENDING:
        return delivery.status
    now = timezone.now()
    claim = timedelta(seconds=2 * settings.WEBHOOK_TIMEOUT_SECONDS + 5)
    claimed = (
        WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + claim)
    )
    if not claimed:
        return "busy"  # another worker is making this attempt right now
    final = final or delivery.attempts + 1 >= settings.WEBHOOK_MAX_ATTEMPTS
    endpoint = WebhookEndpoint.objects.filter(project_id=delivery.project_id).first()
    started = timezone.now()
    clock = time.perf_counter()
    if endpoint is None or not endpoint.is_active:
        status_code, error, final = None, "The project has no active webhook endpoint.", True
        url = delivery.url
    else:
        url, body = endpoint.url, delivery.body.encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "llmops-governance-webhooks/1",
            "X-LLMOps-Event": delivery.event,
            "X-LLMOps-Delivery": str(delivery.pk),
            "X-LLMOps-Timestamp": timestamp,
            "X-LLMOps-Signature": webhook_signature(endpoint.secret, body, timestamp),
        }
        status_code, error = _post(url, body, headers, settings.WEBHOOK_TIMEOUT_SECONDS)
    duration_ms = round((time.perf_counter() - clock) * 1000)
    delivered = status_code is not None and 200 <= status_code < 300
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
        if delivery.status != WebhookDelivery.Status.PENDING:
            return delivery.status
        delivery.attempts += 1
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=delivery.attempts,
            started_at=started,
            duration_ms=duration_ms,
            status_code=status_code,
            error=error,
        )
        delivery.url, delivery.last_status_code, delivery.last_error = url, status_code, error
        delivery.claimed_until = None
        if delivered:
            delivery.status, delivery.delivered_at = (
                WebhookDelivery.Status.DELIVERED,
                timezone.now(),
            )
        elif final:
            delivery.status = WebhookDelivery.Status.FAILED
        delivery.save()
    if delivered:
        return "delivered"
    logger.warning("webhook %s attempt %d failed: %s", delivery_id, delivery.attempts, error)
    return "failed" if final else "retry"


@transaction.atomic
def webhook_delivery_resend(*, delivery: WebhookDelivery, actor=None) -> WebhookDelivery:
    """Send a failed delivery again (admin action), with the same id and body."""
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status == WebhookDelivery.Status.FAILED:
        delivery.status = WebhookDelivery.Status.PENDING
        delivery.save(update_fields=["status"])
        event_record(
            project=delivery.project,
            kind=Event.Kind.RECORD,
            actor=actor,
            node_id=delivery.node_id,
            summary=f"{delivery.get_event_display()} sent again to IT infrastructure",
            data={"delivery": str(delivery.pk)},
        )
        delivery_id = delivery.pk
        transaction.on_commit(lambda: webhook_enqueue(delivery_id))
    return delivery
