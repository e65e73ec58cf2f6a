"""What a task form shows beside it: the records the person is working from."""

from apps.operational.models import Dataset, RootCauseAnalysis
from apps.operational.selectors import (
    latest_artifact_version,
    latest_deployment,
    latest_design,
    latest_evaluation,
    latest_selection,
    requirement_set_in_force,
)
from apps.operations.models import Assessment, MonitoringReport
from apps.strategic.models import ArchitectureReview, BusinessRequirements


def business_requirements(project):
    return {
        "business_requirements": BusinessRequirements.objects.filter(project=project)
        .order_by("-version")
        .first()
    }


def architecture_feedback(project):
    return {
        "requirement_set": requirement_set_in_force(project=project),
        "last_review": ArchitectureReview.objects.filter(project=project)
        .select_related("design")
        .order_by("-id")
        .first(),
    }


def design(project):
    return {
        "design": latest_design(project=project),
        "requirement_set": requirement_set_in_force(project=project),
    }


def datasets(project):
    return {"datasets": Dataset.objects.filter(project=project, iteration=project.iteration)}


def selection(project):
    return {"selection": latest_selection(project=project)}


def root_cause(project):
    return {
        "root_cause_analysis": RootCauseAnalysis.objects.filter(project=project)
        .order_by("-id")
        .first(),
        "selection": latest_selection(project=project),
    }


def artifact(project):
    from apps.infrastructure.selectors import deployment_confirmation_awaited, evaluation_submitted

    return {
        "artifact": latest_artifact_version(project=project),
        "requirement_set": requirement_set_in_force(project=project),
        # What IT infrastructure, a harness or CI sent through the API.
        "evaluation_submitted": evaluation_submitted(project=project),
        "deployment_confirmation": deployment_confirmation_awaited(project=project),
    }


def evaluation(project):
    return {"evaluation": latest_evaluation(project=project)}


def deployment(project):
    return {"deployment": latest_deployment(project=project)}


def monitoring_report(project):
    return {
        "monitoring_report": MonitoringReport.objects.filter(project=project)
        .order_by("-id")
        .first()
    }


def assessment(project):
    return {"assessment": Assessment.objects.filter(project=project).order_by("-id").first()}
