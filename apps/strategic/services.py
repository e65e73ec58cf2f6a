"""Writes of the strategic lane: one service per strategic task, each with its audit event."""

from django.db import transaction
from django.db.models import Max

from apps.audit.models import Event
from apps.audit.services import event_record
from apps.operational.selectors import latest_design
from apps.operations.models import Assessment

from .models import (
    ArchitectureReview,
    AssessmentDecision,
    Blueprint,
    BusinessRequirements,
    Kpi,
    Scope,
    Termination,
)


def _task_id(task):
    return task.pk if task is not None else None


@transaction.atomic
def scope_define(
    *, project, actor, task=None, scope: str, objectives: str, kpis: list[dict]
) -> Scope:
    record = Scope.objects.create(
        project=project,
        task_id=_task_id(task),
        recorded_by=actor,
        scope=scope,
        objectives=objectives,
    )
    Kpi.objects.bulk_create(Kpi(scope=record, **kpi) for kpi in kpis)
    event_record(
        project=project,
        kind=Event.Kind.RECORD,
        actor=actor,
        task=task,
        node_id="define_scope",
        summary=f"Scope outlined with {len(kpis)} KPI(s)",
        data={"kpis": [kpi["name"] for kpi in kpis]},
    )
    return record


@transaction.atomic
def business_requirements_define(*, project, actor, task=None, **fields) -> BusinessRequirements:
    """Record a new version; an 'adjust' decision brings the project back here."""
    latest = BusinessRequirements.objects.filter(project=project).aggregate(v=Max("version"))["v"]
    record = BusinessRequirements.objects.create(
        project=project,
        task_id=_task_id(task),
        recorded_by=actor,
        version=(latest or 0) + 1,
        iteration=project.iteration,
        **fields,
    )
    event_record(
        project=project,
        kind=Event.Kind.RECORD,
        actor=actor,
        task=task,
        node_id="define_business_requirements",
        summary=f"Business requirements v{record.version} defined (iteration {project.iteration})",
    )
    return record


@transaction.atomic
def architecture_review_record(
    *, project, actor, task=None, decision: str, comments: str
) -> ArchitectureReview:
    """Decide on the latest design: the only one open for review in the process."""
    design = latest_design(project=project)
    review = ArchitectureReview.objects.create(
        project=project,
        task_id=_task_id(task),
        recorded_by=actor,
        design=design,
        decision=decision,
        comments=comments,
    )
    event_record(
        project=project,
        kind=Event.Kind.DECISION,
        actor=actor,
        task=task,
        node_id="review_architecture",
        summary=f"Architecture v{design.version}: {review.get_decision_display().lower()}",
        reason=comments,
        data={"decision": decision, "design": design.pk},
    )
    return review


@transaction.atomic
def blueprint_finalize(*, project, actor, task=None, **fields) -> Blueprint:
    blueprint = Blueprint.objects.create(
        project=project,
        task_id=_task_id(task),
        recorded_by=actor,
        iteration=project.iteration,
        **fields,
    )
    event_record(
        project=project,
        kind=Event.Kind.RECORD,
        actor=actor,
        task=task,
        node_id="finalize_blueprint",
        summary=f"Blueprint finalized, budget {blueprint.budget} {blueprint.currency}/month",
    )
    return blueprint


@transaction.atomic
def assessment_decide(
    *, project, actor, task=None, decision: str, rationale: str
) -> AssessmentDecision:
    """Decide on the latest assessment; 'adjust' opens a new iteration of the project."""
    assessment = Assessment.objects.filter(project=project).order_by("-id").first()
    record = AssessmentDecision.objects.create(
        project=project,
        task_id=_task_id(task),
        recorded_by=actor,
        assessment=assessment,
        decision=decision,
        rationale=rationale,
    )
    if decision == AssessmentDecision.Decision.ADJUST:
        project.iteration += 1
        project.save(update_fields=["iteration"])
    event_record(
        project=project,
        kind=Event.Kind.DECISION,
        actor=actor,
        task=task,
        node_id="review_assessment",
        summary=f"Assessment reviewed: {record.get_decision_display().lower()}",
        reason=rationale,
        data={"decision": decision, "assessment": assessment.pk, "score": assessment.score},
    )
    return record


@transaction.atomic
def project_terminate(
    *, project, actor, task=None, reason: str, lessons_learned: str = ""
) -> Termination:
    record = Termination.objects.create(
        project=project,
        task_id=_task_id(task),
        recorded_by=actor,
        reason=reason,
        lessons_learned=lessons_learned,
    )
    event_record(
        project=project,
        kind=Event.Kind.DECISION,
        actor=actor,
        task=task,
        node_id="terminate_project",
        summary="Project terminated",
        reason=reason,
    )
    return record
