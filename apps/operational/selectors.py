"""Reads of the operational records, with their relations already loaded."""

from .models import (
    ArchitectureDesign,
    ArtifactVersion,
    Deployment,
    Evaluation,
    ModelSelection,
    RequirementSet,
)


def requirement_set_in_force(*, project) -> RequirementSet | None:
    """The latest derived requirements; their acceptance criteria are the ones that count."""
    return (
        RequirementSet.objects.filter(project=project)
        .select_related("business_requirements")
        .prefetch_related("criteria")
        .order_by("-version")
        .first()
    )


def criteria_in_force(*, project) -> list:
    requirement_set = requirement_set_in_force(project=project)
    return list(requirement_set.criteria.all()) if requirement_set else []


def latest_design(*, project) -> ArchitectureDesign | None:
    return (
        ArchitectureDesign.objects.filter(project=project)
        .prefetch_related("components")
        .order_by("-version")
        .first()
    )


def latest_artifact_version(*, project) -> ArtifactVersion | None:
    return ArtifactVersion.objects.filter(project=project).order_by("-recorded_at", "-id").first()


def latest_selection(*, project) -> ModelSelection | None:
    return (
        ModelSelection.objects.filter(project=project)
        .prefetch_related("candidates")
        .order_by("-recorded_at", "-id")
        .first()
    )


def latest_evaluation(*, project) -> Evaluation | None:
    return (
        Evaluation.objects.filter(project=project)
        .select_related("artifact_version")
        .prefetch_related("results__criterion")
        .order_by("-recorded_at", "-id")
        .first()
    )


def latest_deployment(*, project) -> Deployment | None:
    return (
        Deployment.objects.filter(project=project)
        .select_related("artifact_version")
        .order_by("-recorded_at", "-id")
        .first()
    )
