"""The IT infrastructure pool: what crosses its message flows, and who may send it.

The spec's IT infrastructure is a black box that only exchanges messages with the
process. Incoming messages (confirmations, telemetry batches, evaluation results)
arrive through the API with a project's token and are kept here; outgoing ones
(deployment request, maintenance change, decommission request) leave as signed
webhooks whose every attempt is logged.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A project's key for the IT infrastructure API, created by a decision maker.

    Only a SHA-256 hash of the key is stored: keys are 256-bit random strings, so a
    fast hash suffices and keeps authentication to one indexed lookup per request.
    The plaintext is shown once, at creation.
    """

    class Scope(models.TextChoices):
        INFRASTRUCTURE = "infrastructure", _("Infrastructure: confirmations and telemetry")
        EVALUATION = "evaluation", _("Evaluation: results from a harness or CI")
        READ = "read", _("Read: project, stage, open tasks, assessments")

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("Who uses it, e.g. 'CD pipeline'.")
    )
    scopes = models.JSONField(_("scopes"), default=list)
    prefix = models.CharField(_("key prefix"), max_length=20, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class TokenUse(models.Model):
    """One request made with a token, refused ones included: who called what, and the answer."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="uses")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=255)
    status_code = models.PositiveSmallIntegerField()
    remote_addr = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("token use")

    def __str__(self) -> str:
        return f"{self.method} {self.path} -> {self.status_code}"


class InboundMessage(models.Model):
    """Base of every message received from IT infrastructure.

    ``message_id`` is the sender's own id for the message: a repeat with the same id
    is answered with the first result and recorded once.
    """

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    token = models.ForeignKey(
        ApiToken, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ["-received_at", "-id"]


class DeploymentConfirmation(InboundMessage):
    """Deployment confirmation: IT infrastructure runs this artifact version, here, so tested."""

    confirmation_id = models.CharField(_("confirmation id"), max_length=100)
    artifact_version = models.ForeignKey(
        "operational.ArtifactVersion", on_delete=models.PROTECT, related_name="+"
    )
    environment = models.CharField(_("environment"), max_length=100)
    endpoint = models.URLField(_("endpoint"))
    resources = models.JSONField(_("allocated resources"), default=dict)
    live_test_results = models.TextField(_("results of limited live tests"))
    live_tests_passed = models.BooleanField(_("live tests passed"))

    class Meta(InboundMessage.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["project", "confirmation_id"], name="deployment_confirmation_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.artifact_version} on {self.environment}"

    @property
    def resources_text(self) -> str:
        return "\n".join(f"{name}: {value}" for name, value in self.resources.items())


class DecommissionConfirmation(InboundMessage):
    """Decommission confirmation: IT infrastructure shut the artifact down and released it."""

    confirmation_id = models.CharField(_("confirmation id"), max_length=100)
    artifact_version = models.ForeignKey(
        "operational.ArtifactVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    environment = models.CharField(_("environment"), max_length=100, blank=True)
    details = models.TextField(_("what was shut down and released"))
    archive_location = models.CharField(_("archive location"), max_length=255, blank=True)

    class Meta(InboundMessage.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["project", "confirmation_id"], name="decommission_confirmation_once"
            )
        ]

    def __str__(self) -> str:
        return f"Decommission {self.confirmation_id}"


class EvaluationSubmission(InboundMessage):
    """Evaluation results for an artifact version, from an evaluation harness or CI."""

    run_id = models.CharField(_("run id"), max_length=100)
    artifact_version = models.ForeignKey(
        "operational.ArtifactVersion", on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("source"), max_length=200, help_text=_("Harness or CI job."))
    report_url = models.URLField(_("report URL"), blank=True)

    class Meta(InboundMessage.Meta):
        constraints = [
            models.UniqueConstraint(fields=["project", "run_id"], name="evaluation_submission_once")
        ]

    def __str__(self) -> str:
        return f"{self.source} run {self.run_id} on {self.artifact_version}"


class EvaluationMetric(models.Model):
    submission = models.ForeignKey(
        EvaluationSubmission, on_delete=models.CASCADE, related_name="metrics"
    )
    metric = models.SlugField(max_length=60)
    value = models.DecimalField(max_digits=14, decimal_places=4)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "metric"], name="evaluation_metric_once")
        ]

    def __str__(self) -> str:
        return f"{self.metric}={self.value}"


class TelemetryBatch(InboundMessage):
    """A telemetry batch accepted whole; its points are operations.TelemetryPoint rows."""

    batch_id = models.CharField(_("batch id"), max_length=100)
    count = models.PositiveIntegerField(_("points"))
    artifact_version = models.ForeignKey(
        "operational.ArtifactVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta(InboundMessage.Meta):
        verbose_name_plural = _("telemetry batches")
        constraints = [
            models.UniqueConstraint(fields=["project", "batch_id"], name="telemetry_batch_once")
        ]

    def __str__(self) -> str:
        return f"Batch {self.batch_id} ({self.count} points)"


def webhook_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    """Where a project's outgoing messages go; the secret signs them (HMAC-SHA256)."""

    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, related_name="webhook_endpoint"
    )
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=100, default=webhook_secret)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One outgoing message; its body is frozen so that every retry signs the same bytes."""

    class Event(models.TextChoices):
        DEPLOYMENT_REQUESTED = "deployment.requested", _("Deployment request")
        MAINTENANCE_CHANGED = "maintenance.changed", _("Maintenance change")
        DECOMMISSION_REQUESTED = "decommission.requested", _("Decommission request")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="webhook_deliveries"
    )
    event = models.CharField(max_length=32, choices=Event.choices)
    node_id = models.CharField(max_length=64)
    task_id = models.BigIntegerField(null=True, blank=True)
    url = models.URLField(max_length=500)
    body = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # Set while one worker makes an attempt, so that copies of the message do not POST too.
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return f"{self.get_event_display()} to {self.url}: {self.status}"


class WebhookAttempt(models.Model):
    """One HTTP attempt of a delivery: when, how long, the answer or the error."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"#{self.number}: {self.status_code or self.error[:40]}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
