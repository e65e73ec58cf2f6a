"""The IT infrastructure API: the black-box pool's message flows, and reads for integrations.

Every view checks the project before the scope, so a foreign project answers 404
exactly like a missing one, and logs each call made with a token.
"""

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.infrastructure.models import ApiToken
from apps.infrastructure.selectors import telemetry_batch_of
from apps.infrastructure.services import (
    api_token_use_record,
    decommission_confirmation_record,
    deployment_confirmation_record,
    evaluation_submission_record,
    telemetry_batch_ingest,
)
from apps.notation.bpmn import CONTENT_TYPE as BPMN_CONTENT_TYPE
from apps.notation.bpmn import bpmn_xml
from apps.projects.models import Project

from .parsers import PayloadTooLarge
from .permissions import NOT_FOUND, ProjectScope
from .selectors import api_assessments, api_project, api_projects
from .serializers import (
    AssessmentSerializer,
    DecommissionConfirmationSerializer,
    DeploymentConfirmationSerializer,
    EvaluationSubmissionSerializer,
    ProjectSerializer,
    TaskSerializer,
    TelemetryBatchHeaderSerializer,
    TelemetryBatchResultSerializer,
    TelemetryBatchSerializer,
)
from .telemetry import points_parse

READ, INFRASTRUCTURE, EVALUATION = (
    ApiToken.Scope.READ,
    ApiToken.Scope.INFRASTRUCTURE,
    ApiToken.Scope.EVALUATION,
)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


def _errors(*codes):
    texts = {
        401: "No token, an unknown one or a revoked one (a browser session works for reads).",
        403: "The token lacks the scope, or a browser session tried to write.",
        404: "No such project, or not yours: the same answer for both.",
        409: "The process does not wait for this message now.",
        413: "The body, or the number of points, is over the limit.",
        415: "The body is not JSON.",
        429: "Too many requests for this token; see Retry-After.",
    }
    return {code: OpenApiResponse(ErrorSerializer, description=texts[code]) for code in codes}


VALIDATION = {
    400: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="Validation errors: a list of messages per field, nested for points "
        '(e.g. {"points": {"3": {"value": ["Give a finite number."]}}}).',
    )
}
READ_ERRORS = {
    **_errors(401, 403, 404, 429),
    # Said by the HTTP server in front of Django (gunicorn: request line over 4094 bytes).
    (414, "text/html"): OpenApiResponse(OpenApiTypes.STR, description="The URL is too long."),
}
WRITE_ERRORS = {**VALIDATION, **_errors(401, 403, 404, 413, 415, 429)}


class ApiPagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 200

    def get_offset(self, request):
        # Beyond any real list; also keeps the OFFSET inside the database's integer range.
        return min(super().get_offset(request), 10**9)


class ApiMixin:
    """Token or session, the project then the scope, a throttle per token, the use log."""

    permission_classes = [ProjectScope]
    required_scope = READ
    throttle_scope = "api_read"
    project: Project | None = None

    @property
    def token(self) -> ApiToken | None:
        auth = self.request.auth
        return auth if isinstance(auth, ApiToken) else None

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "project": self.project}

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        token = getattr(request._request, "api_token", None)
        if token is not None:
            api_token_use_record(
                token=token,
                method=request.method,
                path=request.path,
                status_code=response.status_code,
                remote_addr=request.META.get("REMOTE_ADDR"),
            )
        return response


# Reads for integrations


@extend_schema_view(
    get=extend_schema(
        tags=["read"],
        operation_id="projects_list",
        responses={200: ProjectSerializer(many=True), **READ_ERRORS},
    )
)
class ProjectList(ApiMixin, generics.ListAPIView):
    """Projects with stage and open tasks: a token's own project, or what the browser shows."""

    serializer_class = ProjectSerializer
    pagination_class = ApiPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Project.objects.none()
        return api_projects(user=self.request.user, token=self.token)


@extend_schema_view(
    get=extend_schema(
        tags=["read"],
        operation_id="project_retrieve",
        responses={200: ProjectSerializer, **READ_ERRORS},
    )
)
class ProjectDetail(ApiMixin, generics.GenericAPIView):
    """A project, its stage and open tasks."""

    serializer_class = ProjectSerializer

    def get(self, request, project_id):
        return Response(ProjectSerializer(api_project(project=self.project)).data)


@extend_schema_view(
    get=extend_schema(
        tags=["read"],
        operation_id="project_tasks_list",
        responses={200: TaskSerializer(many=True), **READ_ERRORS},
    )
)
class ProjectTasks(ApiMixin, generics.GenericAPIView):
    """The project's open tasks, human and automatic."""

    serializer_class = TaskSerializer

    def get(self, request, project_id):
        project = api_project(project=self.project)
        tasks = project.process.open_tasks if project.process_id else []
        return Response(TaskSerializer(tasks, many=True).data)


@extend_schema_view(
    get=extend_schema(
        tags=["read"],
        operation_id="assessments_list",
        responses={200: AssessmentSerializer(many=True), **READ_ERRORS},
    )
)
class AssessmentList(ApiMixin, generics.ListAPIView):
    """Life-cycle and business-value assessments, newest first."""

    serializer_class = AssessmentSerializer
    pagination_class = ApiPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Project.objects.none()
        return api_assessments(project=self.project)


# Incoming messages from IT infrastructure


class MessageCreate(ApiMixin, generics.GenericAPIView):
    """POST a message; 201 when recorded, 200 with the first answer when its id was seen before."""

    throttle_scope = "api_messages"
    service = None

    def post(self, request, project_id):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record, created = self.service(
            project=self.project, token=self.token, **serializer.validated_data
        )
        return Response(
            self.get_serializer(record).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


def _message_schema(serializer, operation_id, *, conflict=True, example=None):
    responses = {
        201: OpenApiResponse(serializer, description="Recorded."),
        200: OpenApiResponse(serializer, description="Seen before: the first answer, nothing new."),
        **WRITE_ERRORS,
    }
    if conflict:
        responses.update(_errors(409))
    examples = [OpenApiExample("example", value=example, request_only=True)] if example else []
    return extend_schema_view(
        post=extend_schema(
            tags=["messages"],
            operation_id=operation_id,
            request=serializer,
            responses=responses,
            examples=examples,
        )
    )


@_message_schema(
    DeploymentConfirmationSerializer,
    "deployment_confirmations_create",
    example={
        "confirmation_id": "deploy-4711",
        "artifact_version": "1.0.0",
        "environment": "production-eu",
        "endpoint": "https://llm.example.com/support",
        "resources": {"gpu": "2 x L4", "vcpu": "8", "memory": "32 GB"},
        "live_test_results": "100 shadow requests, p95 610 ms, no errors.",
        "live_tests_passed": True,
    },
)
class DeploymentConfirmationCreate(MessageCreate):
    """Deployment confirmation: deploy_artifact cannot be completed before it arrives
    (unless an operational member confirms manually, with a reason)."""

    required_scope = INFRASTRUCTURE
    serializer_class = DeploymentConfirmationSerializer
    service = staticmethod(deployment_confirmation_record)


@_message_schema(
    DecommissionConfirmationSerializer,
    "decommission_confirmations_create",
    example={
        "confirmation_id": "decom-815",
        "environment": "production-eu",
        "details": "Endpoint removed, GPUs released, logs kept 90 days.",
        "archive_location": "s3://archive/support-assistant",
    },
)
class DecommissionConfirmationCreate(MessageCreate):
    """Decommission confirmation: retire_artifact waits for it the same way."""

    required_scope = INFRASTRUCTURE
    serializer_class = DecommissionConfirmationSerializer
    service = staticmethod(decommission_confirmation_record)


@_message_schema(
    EvaluationSubmissionSerializer,
    "evaluations_create",
    conflict=False,
    example={
        "run_id": "ci-2024-118",
        "artifact_version": "1.0.0",
        "source": "nightly eval harness",
        "report_url": "https://ci.example.com/runs/118",
        "metrics": {"latency_p95_ms": 612.5, "accuracy": 0.93, "throughput_rps": 7.2},
    },
)
class EvaluationCreate(MessageCreate):
    """Evaluation results for an artifact version, checked in evaluate_artifact."""

    required_scope = EVALUATION
    serializer_class = EvaluationSubmissionSerializer
    service = staticmethod(evaluation_submission_record)


@extend_schema_view(
    post=extend_schema(
        tags=["messages"],
        operation_id="telemetry_create",
        request=TelemetryBatchSerializer,
        responses={
            201: OpenApiResponse(
                TelemetryBatchResultSerializer, description="Stored, every point."
            ),
            200: OpenApiResponse(
                TelemetryBatchResultSerializer, description="Batch id seen before: nothing new."
            ),
            **WRITE_ERRORS,
        },
    )
)
class TelemetryCreate(ApiMixin, generics.GenericAPIView):
    """Telemetry, up to 10,000 points a batch, all or nothing, idempotent on batch_id."""

    required_scope = INFRASTRUCTURE
    throttle_scope = "api_telemetry"
    serializer_class = TelemetryBatchSerializer

    def post(self, request, project_id):
        data = request.data
        if not isinstance(data, dict):
            raise ValidationError({"non_field_errors": ["Expected a JSON object."]})
        raw_points = data.get("points")
        limit = settings.API_TELEMETRY_MAX_POINTS
        if isinstance(raw_points, list) and len(raw_points) > limit:
            raise PayloadTooLarge(f"A batch holds at most {limit} points.")
        header = TelemetryBatchHeaderSerializer(data=data, context=self.get_serializer_context())
        errors = {} if header.is_valid() else dict(header.errors)
        if not errors:
            seen = telemetry_batch_of(
                project=self.project, batch_id=header.validated_data["batch_id"]
            )
            if seen is not None:
                return Response(TelemetryBatchResultSerializer(seen).data)
        if "points" not in data:
            errors["points"] = ["This field is required."]
        else:
            points, point_errors = points_parse(raw_points)
            errors.update(point_errors)
        if errors:
            raise ValidationError(errors)
        batch, created = telemetry_batch_ingest(
            project=self.project,
            token=self.token,
            batch_id=header.validated_data["batch_id"],
            artifact_version=header.validated_data.get("artifact_version"),
            points=points,
        )
        return Response(
            TelemetryBatchResultSerializer(batch).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


BPMN_RESPONSES = {
    (200, "application/xml"): OpenApiResponse(
        OpenApiTypes.STR, description="A BPMN 2.0 collaboration (XML)."
    ),
    **READ_ERRORS,
}


@extend_schema_view(
    get=extend_schema(tags=["read"], operation_id="process_model", responses=BPMN_RESPONSES)
)
class ProcessModel(ApiMixin, APIView):
    """The life cycle as a BPMN 2.0 collaboration, the file the browser downloads."""

    def get(self, request):
        # The file itself, not a serialised value; errors stay JSON like everywhere else.
        return HttpResponse(bpmn_xml(), content_type=BPMN_CONTENT_TYPE)


@extend_schema_view(
    get=extend_schema(tags=["read"], operation_id="project_process_model", responses=BPMN_RESPONSES)
)
class ProjectProcessModel(ApiMixin, APIView):
    """The same BPMN file with the project's done and active nodes in an extension."""

    def get(self, request, project_id):
        return HttpResponse(bpmn_xml(project=self.project), content_type=BPMN_CONTENT_TYPE)


@extend_schema(exclude=True)
class ApiNotFound(APIView):
    """Any other URL under /api/: a JSON 404 rather than the HTML page."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise NotFound(NOT_FOUND)

    options = http_method_not_allowed
