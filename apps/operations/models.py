"""The operation phase: policy, telemetry, monitoring reports and assessments."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


def default_monitoring_window():
    return settings.LIFECYCLE_DEFAULT_MONITORING_WINDOW


def default_assessment_interval():
    return settings.LIFECYCLE_DEFAULT_ASSESSMENT_INTERVAL


class OperationPolicy(models.Model):
    """How a project is operated and when it must be retired; decision makers edit it."""

    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, related_name="policy"
    )
    monitoring_window = models.DurationField(
        _("monitoring window"), default=default_monitoring_window
    )
    assessment_interval = models.DurationField(
        _("assessment interval"), default=default_assessment_interval
    )
    task_due_days = models.PositiveSmallIntegerField(
        _("days to complete a human task"), default=5, validators=[MinValueValidator(1)]
    )
    min_value_score = models.PositiveSmallIntegerField(
        _("retire below this score"), default=40, validators=[MaxValueValidator(100)]
    )
    max_breached_windows = models.PositiveSmallIntegerField(
        _("retire after this many consecutive breached windows"),
        default=6,
        validators=[MinValueValidator(1)],
    )
    base_model_end_of_life = models.DateField(_("base model end of life"), null=True, blank=True)
    licence_expiry = models.DateField(_("licence expiry"), null=True, blank=True)
    max_artifact_age_days = models.PositiveIntegerField(
        _("maximum age of the deployed artifact version (days)"), default=365
    )
    maintenance_scheduled_on = models.DateField(
        _("maintenance scheduled on"), null=True, blank=True
    )
    automatic_retirement = models.BooleanField(
        _("retire automatically when the policy is breached"), default=False
    )

    class Meta:
        verbose_name_plural = _("operation policies")

    def __str__(self) -> str:
        return f"Policy of {self.project}"


class TelemetryPoint(models.Model):
    """One measurement from IT infrastructure (latency_ms, requests, errors, cost_eur, ...)."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    artifact_version = models.ForeignKey(
        "operational.ArtifactVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    metric = models.SlugField(max_length=60)
    value = models.FloatField()
    recorded_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["project", "recorded_at"])]

    def __str__(self) -> str:
        return f"{self.metric}={self.value} at {self.recorded_at:%Y-%m-%d %H:%M}"


class Incident(models.Model):
    """An operational incident; open ones make maintenance necessary."""

    class Kind(models.TextChoices):
        OPERATIONAL = "operational", _("Operational")
        COMPLIANCE = "compliance", _("Compliance finding")

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="incidents"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OPERATIONAL)
    title = models.CharField(max_length=200)
    opened_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return self.title


class MonitoringReport(models.Model):
    """What monitor_artifact found in one window; one report per monitoring task."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    task_id = models.BigIntegerField(unique=True)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    metrics = models.JSONField(default=dict)
    breaches = models.JSONField(default=list)
    anomalies = models.JSONField(default=list)
    open_incidents = models.PositiveIntegerField(default=0)
    maintenance_needed = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-window_end", "-id"]
        get_latest_by = ["window_end", "id"]

    def __str__(self) -> str:
        return f"Monitoring {self.window_end:%Y-%m-%d %H:%M}: {len(self.breaches)} breach(es)"


class Assessment(models.Model):
    """What assess_lifecycle concluded: score, recommendation and the reasons behind it."""

    class Recommendation(models.TextChoices):
        CONTINUE = "continue", _("Continue")
        ADJUST = "adjust", _("Adjust")
        RETIRE = "retire", _("Retire")

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="assessments"
    )
    task_id = models.BigIntegerField(unique=True)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    score = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])
    recommendation = models.CharField(max_length=16, choices=Recommendation.choices)
    reasons = models.JSONField(default=list)
    business_value = models.JSONField(default=dict)
    life_cycle = models.JSONField(default=dict)
    policy_breached = models.BooleanField(default=False)
    retirement_triggered = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_end", "-id"]
        get_latest_by = ["period_end", "id"]

    def __str__(self) -> str:
        return f"{self.score}/100: {self.get_recommendation_display()}"
