"""What the API reads and writes, field by field; the OpenAPI schema is generated from these."""

import math
import re
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.infrastructure.models import (
    DecommissionConfirmation,
    DeploymentConfirmation,
    EvaluationSubmission,
    TelemetryBatch,
)
from apps.infrastructure.selectors import evaluation_checks
from apps.lifecycle.selectors import stage_of, task_due_at
from apps.operational.models import ArtifactVersion
from apps.operational.selectors import criteria_in_force
from apps.operations.models import Assessment
from apps.projects.models import Project

# The sender's own id of a message: repeats with the same id are recorded once.
SENDER_ID = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$"
METRIC = r"^[-a-zA-Z0-9_]{1,60}$"
NAME = re.compile(r"^[A-Za-z0-9_.-]{1,60}$")
METRIC_LIMIT = Decimal("9999999999.9999")


class SenderIdField(serializers.RegexField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 100)
        super().__init__(SENDER_ID, **kwargs)


class ArtifactVersionField(serializers.CharField):
    """An artifact version of the project in the URL, named by its version string."""

    default_error_messages = {
        "unknown": _("Artifact version {version} does not exist in this project."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def run_validation(self, data=serializers.empty):
        value = super().run_validation(data)
        if value is None:
            return None
        version = ArtifactVersion.objects.filter(
            project=self.context["project"], version=value
        ).first()
        if version is None:
            self.fail("unknown", version=value)
        return version

    def to_representation(self, value):
        return value.version


class NamedValuesField(serializers.DictField):
    """An object of name -> value whose names are short identifiers."""

    default_error_messages = {
        "empty": _("Give at least one entry."),
        "too_many": _("Give at most {limit} entries."),
        "bad_name": _("'{name}' is not a valid name: use letters, digits, '_', '.' or '-'."),
    }
    limit = 100
    names = NAME

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not value:
            self.fail("empty")
        if len(value) > self.limit:
            self.fail("too_many", limit=self.limit)
        for name in value:
            if not self.names.match(name):
                self.fail("bad_name", name=name[:80])
        return value


class ResourcesField(NamedValuesField):
    child = serializers.CharField(max_length=200)
    limit = 50


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {
            "type": "number",
            "minimum": -9999999999.9999,
            "maximum": 9999999999.9999,
        },
        "minProperties": 1,
        "maxProperties": 100,
        "example": {"latency_p95_ms": 612.5, "accuracy": 0.93, "throughput_rps": 7.2},
    }
)
class MetricsField(NamedValuesField):
    """Metric name -> measured value, kept to the four decimals the criteria use."""

    names = re.compile(METRIC)
    child = serializers.FloatField()

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        result = {}
        for name, value in values.items():
            if not math.isfinite(value) or abs(value) > METRIC_LIMIT:
                raise serializers.ValidationError({name: [_("Give a finite number below 1e10.")]})
            result[name] = Decimal(repr(value)).quantize(Decimal("0.0001"))
        return result

    def to_representation(self, value):
        return {m.metric: float(m.value) for m in value.all()}


# Reads


class TaskSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    node_id = serializers.CharField(source="flow_task.name", help_text=_("The spec's node id."))
    title = serializers.SerializerMethodField()
    type = serializers.CharField(source="flow_task_type")
    lane = serializers.CharField(source="flow_task.lane", allow_null=True)
    process_group = serializers.CharField(source="flow_task.group", allow_null=True)
    status = serializers.CharField()
    created = serializers.DateTimeField()
    due = serializers.SerializerMethodField(help_text=_("Human tasks only."))

    def get_title(self, task) -> str:
        return str(task.flow_task.task_title)

    def get_due(self, task) -> datetime | None:
        if task.flow_task_type != "HUMAN":
            return None
        return task_due_at(task)


class ProjectSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    stage = serializers.SerializerMethodField()
    open_tasks = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "id",
            "title",
            "sponsor",
            "desired_outcome",
            "iteration",
            "status",
            "stage",
            "open_tasks",
            "created_at",
        ]

    def _open(self, project):
        return project.process.open_tasks if project.process_id else []

    def get_status(self, project) -> str:
        return "closed" if project.process_id and project.process.status == "DONE" else "active"

    def get_stage(self, project) -> str:
        if self.get_status(project) == "closed":
            return "Project closed"
        return stage_of(self._open(project))

    @extend_schema_field(TaskSerializer(many=True))
    def get_open_tasks(self, project):
        return TaskSerializer(self._open(project), many=True).data


class AssessmentSerializer(serializers.ModelSerializer):
    reasons = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Assessment
        fields = [
            "id",
            "period_start",
            "period_end",
            "score",
            "recommendation",
            "reasons",
            "policy_breached",
            "retirement_triggered",
            "created_at",
        ]


# Incoming messages


class DeploymentConfirmationSerializer(serializers.ModelSerializer):
    confirmation_id = SenderIdField(
        help_text=_("Your id for this message; a repeat is recorded once.")
    )
    artifact_version = ArtifactVersionField(help_text=_("The version deploy_artifact waits for."))
    resources = ResourcesField(help_text=_('Allocated resources, e.g. {"gpu": "2 x L4"}.'))
    live_test_results = serializers.CharField(max_length=10000)

    class Meta:
        model = DeploymentConfirmation
        fields = [
            "id",
            "confirmation_id",
            "artifact_version",
            "environment",
            "endpoint",
            "resources",
            "live_test_results",
            "live_tests_passed",
            "received_at",
        ]
        read_only_fields = ["id", "received_at"]


class DecommissionConfirmationSerializer(serializers.ModelSerializer):
    confirmation_id = SenderIdField(
        help_text=_("Your id for this message; a repeat is recorded once.")
    )
    artifact_version = serializers.SlugRelatedField(
        slug_field="version", read_only=True, allow_null=True
    )
    details = serializers.CharField(max_length=10000)

    class Meta:
        model = DecommissionConfirmation
        fields = [
            "id",
            "confirmation_id",
            "artifact_version",
            "environment",
            "details",
            "archive_location",
            "received_at",
        ]
        read_only_fields = ["id", "artifact_version", "received_at"]
        extra_kwargs = {
            "environment": {"required": False, "allow_blank": True},
            "archive_location": {"required": False, "allow_blank": True},
        }


class CheckSerializer(serializers.Serializer):
    metric = serializers.CharField()
    criterion = serializers.CharField()
    measured = serializers.FloatField(allow_null=True)
    met = serializers.BooleanField(allow_null=True, help_text=_("Null when not submitted."))


class EvaluationSubmissionSerializer(serializers.ModelSerializer):
    run_id = SenderIdField(help_text=_("The harness or CI run id; a repeat is recorded once."))
    artifact_version = ArtifactVersionField()
    metrics = MetricsField()
    checks = serializers.SerializerMethodField(
        help_text=_("The acceptance criteria in force against the submitted values.")
    )
    all_met = serializers.SerializerMethodField()

    class Meta:
        model = EvaluationSubmission
        fields = [
            "id",
            "run_id",
            "artifact_version",
            "source",
            "report_url",
            "metrics",
            "checks",
            "all_met",
            "received_at",
        ]
        read_only_fields = ["id", "received_at"]
        extra_kwargs = {"report_url": {"required": False, "allow_blank": True}}

    def _checks(self, submission):
        if not hasattr(submission, "_checks"):
            criteria = criteria_in_force(project=submission.project)
            submission._checks = evaluation_checks(submission=submission, criteria=criteria)
        return submission._checks

    @extend_schema_field(CheckSerializer(many=True))
    def get_checks(self, submission):
        return [
            {
                "metric": check["metric"],
                "criterion": str(check["criterion"]),
                "measured": None if check["measured"] is None else float(check["measured"]),
                "met": check["met"],
            }
            for check in self._checks(submission)
        ]

    def get_all_met(self, submission) -> bool:
        checks = self._checks(submission)
        return bool(checks) and all(check["met"] for check in checks)


class TelemetryPointSerializer(serializers.Serializer):
    """Documentation of one point; the view validates points with a faster loop."""

    metric = serializers.RegexField(METRIC, max_length=60, help_text=_("e.g. latency_ms, requests"))
    value = serializers.FloatField()
    recorded_at = serializers.DateTimeField(
        help_text=_("With a time zone; since 2000 and not in the future.")
    )


class TelemetryBatchHeaderSerializer(serializers.Serializer):
    batch_id = SenderIdField(help_text=_("Your id for this batch; a repeat is recorded once."))
    artifact_version = ArtifactVersionField(
        required=False,
        allow_null=True,
        help_text=_("Defaults to the deployed version."),
    )


class TelemetryBatchSerializer(TelemetryBatchHeaderSerializer):
    points = TelemetryPointSerializer(
        many=True, min_length=1, max_length=settings.API_TELEMETRY_MAX_POINTS
    )


class TelemetryBatchResultSerializer(serializers.ModelSerializer):
    accepted = serializers.IntegerField(source="count", help_text=_("Points stored."))
    artifact_version = serializers.SlugRelatedField(
        slug_field="version", read_only=True, allow_null=True
    )

    class Meta:
        model = TelemetryBatch
        fields = ["batch_id", "accepted", "artifact_version", "received_at"]
