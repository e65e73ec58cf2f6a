"""URLs of the IT infrastructure API, mounted at /api/."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views

app_name = "api"

project = "projects/<int:project_id>/"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("projects/", views.ProjectList.as_view(), name="projects"),
    path(project, views.ProjectDetail.as_view(), name="project"),
    path(f"{project}tasks/", views.ProjectTasks.as_view(), name="tasks"),
    path(f"{project}assessments/", views.AssessmentList.as_view(), name="assessments"),
    path("process-model/", views.ProcessModel.as_view(), name="process-model"),
    path(
        f"{project}process-model/",
        views.ProjectProcessModel.as_view(),
        name="project-process-model",
    ),
    path(
        f"{project}deployment-confirmations/",
        views.DeploymentConfirmationCreate.as_view(),
        name="deployment-confirmations",
    ),
    path(
        f"{project}decommission-confirmations/",
        views.DecommissionConfirmationCreate.as_view(),
        name="decommission-confirmations",
    ),
    path(f"{project}telemetry/", views.TelemetryCreate.as_view(), name="telemetry"),
    path(f"{project}evaluations/", views.EvaluationCreate.as_view(), name="evaluations"),
    re_path(r"^", views.ApiNotFound.as_view()),
]
