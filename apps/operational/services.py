"""Writes of the operational lane: one service per operational task, each with its audit event."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from apps.audit.models import Event
from apps.audit.services import event_record
from apps.operations.models import Incident, MonitoringReport, OperationPolicy
from apps.projects.models import plain_number
from apps.strategic.models import BusinessRequirements

from .models import (
    AcceptanceCriterion,
    ArchitectureDesign,
    ArtifactVersion,
    Component,
    DataQualityReport,
    Dataset,
    Deployment,
    Evaluation,
    EvaluationResult,
    FineTuningRun,
    Integration,
    MaintenanceRecord,
    ModelCandidate,
    ModelSelection,
    RequirementSet,
    RetirementRecord,
    RootCauseAnalysis,
)
from .selectors import latest_artifact_version, requirement_set_in_force


def _task_id(task):
    return task.pk if task is not None else None


def _next_version(model, project) -> int:
    return (model.objects.filter(project=project).aggregate(v=Max("version"))["v"] or 0) + 1


def _event(project, actor, task, node_id, summary, kind=Event.Kind.RECORD, **extra):
    event_record(
        project=project,
        kind=kind,
        actor=actor,
        task=task,
        node_id=node_id,
        summary=summary,
        **extra,
    )


@transaction.atomic
def requirements_derive(
    *, project, actor, task=None, functional_requirements: str, criteria: list[dict]
) -> RequirementSet:
    """Derive a new requirement set from the business requirements in force."""
    business = BusinessRequirements.objects.filter(project=project).order_by("-version").first()
    if business is None:
        raise ValueError("Business requirements must be defined first.")
    requirement_set = RequirementSet.objects.create(
        project=project,
        task_id=_task_id(task),
        recorded_by=actor,
        version=_next_version(RequirementSet, project),
        business_requirements=business,
        functional_requirements=functional_requirements,
    )
    AcceptanceCriterion.objects.bulk_create(
        AcceptanceCriterion(requirement_set=requirement_set, **criterion) for criterion in criteria
    )
    _event(
        project,
        actor,
        task,
        "derive_requirements",
        f"Requirements v{requirement_set.version} derived with {len(criteria)} acceptance criteria",
        data={
            "criteria": [
                f"{c['metric']} {c['comparator']} {c['threshold']} {c['unit']}" for c in criteria
            ]
        },
    )
    return requirement_set


@transaction.atomic
def architecture_design(
    *, project, actor, task=None, components: list[dict], **fields
) -> ArchitectureDesign:
    requirement_set = requirement_set_in_force(project=project)
    design = ArchitectureDesign.objects.create(
        project=project,
        task_id=_task_id(task),
        recorded_by=actor,
        version=_next_version(ArchitectureDesign, project),
        requirement_set=requirement_set,
        **fields,
    )
    Component.objects.bulk_create(Component(design=design, **component) for component in components)
    _event(
        project,
        actor,
        task,
        "design_architecture",
        f"Architecture v{design.version} designed with {len(components)} component(s)",
    )
    return design


@transaction.atomic
def data_prepare(*, project, actor, task=None, datasets: list[dict]) -> list[Dataset]:
    rows = Dataset.objects.bulk_create(
        Dataset(
            project=project,
            task_id=_task_id(task),
            recorded_by=actor,
            iteration=project.iteration,
            **data,
        )
        for data in datasets
    )
    personal = sum(1 for data in datasets if data.get("contains_personal_data"))
    _event(
        project,
        actor,
        task,
        "prepare_data",
        f"{len(rows)} dataset(s) prepared, {personal} with personal data",
        data={"datasets": [d["name"] for d in datasets]},
    )
    return rows


@transaction.atomic
def data_quality_evaluate(*, project, actor, task=None, **fields) -> DataQualityReport:
    report = DataQualityReport.objects.create(
        project=project, task_id=_task_id(task), recorded_by=actor, **fields
    )
    _event(
        project,
        actor,
        task,
        "evaluate_data_quality",
        f"Data quality {report.get_verdict_display().lower()}",
        kind=Event.Kind.DECISION,
        reason=report.findings,
        data={"verdict": report.verdict},
    )
    return report


@transaction.atomic
def base_model_select(
    *, project, actor, task=None, rationale: str, fine_tuning_required: bool, candidates: list[dict]
) -> ModelSelection:
    selection = ModelSelection.objects.create(
        project=project,
        task_id=_task_id(task),
        recorded_by=actor,
        iteration=project.iteration,
        rationale=rationale,
        fine_tuning_required=fine_tuning_required,
    )
    ModelCandidate.objects.bulk_create(ModelCandidate(selection=selection, **c) for c in candidates)
    chosen = next(c["name"] for c in candidates if c.get("chosen"))
    _event(
        project,
        actor,
        task,
        "select_base_model",
        f"Base model {chosen} selected, fine-tuning "
        + ("required" if fine_tuning_required else "not required"),
        kind=Event.Kind.DECISION,
        reason=rationale,
        data={"chosen": chosen, "candidates": [c["name"] for c in candidates]},
    )
    return selection


@transaction.atomic
def fine_tuning_record(*, project, actor, task=None, **fields) -> FineTuningRun:
    selection = (
        ModelSelection.objects.filter(project=project).order_by("-recorded_at", "-id").first()
    )
    run = FineTuningRun.objects.create(
        project=project, task_id=_task_id(task), recorded_by=actor, selection=selection, **fields
    )
    _event(
        project,
        actor,
        task,
        "fine_tune_model",
        f"Fine-tuned into {run.resulting_model} ({run.get_method_display()})",
    )
    return run


@transaction.atomic
def artifact_develop(*, project, actor, task=None, **fields) -> ArtifactVersion:
    artifact = ArtifactVersion.objects.create(
        project=project, task_id=_task_id(task), recorded_by=actor, **fields
    )
    _event(
        project, actor, task, "develop_artifact", f"Artifact version {artifact.version} developed"
    )
    return artifact


@transaction.atomic
def evaluation_record(
    *, project, actor, task=None, measurements: dict, notes: str = ""
) -> Evaluation:
    """Check each measured value against its criterion; passed only when all are met."""
    requirement_set = requirement_set_in_force(project=project)
    artifact = latest_artifact_version(project=project)
    criteria = list(requirement_set.criteria.all())
    missing = [c.metric for c in criteria if c.pk not in measurements]
    if missing:
        raise ValueError(f"Missing measurements for {', '.join(missing)}.")
    results = [
        EvaluationResult(
            criterion=c, measured=measurements[c.pk], passed=c.is_met(measurements[c.pk])
        )
        for c in criteria
    ]
    evaluation = Evaluation.objects.create(
        project=project,
        task_id=_task_id(task),
        recorded_by=actor,
        artifact_version=artifact,
        requirement_set=requirement_set,
        passed=all(r.passed for r in results),
        notes=notes,
    )
    for result in results:
        result.evaluation = evaluation
    EvaluationResult.objects.bulk_create(results)
    failed = [
        f"{r.criterion} (measured {plain_number(r.measured)})" for r in results if not r.passed
    ]
    _event(
        project,
        actor,
        task,
        "evaluate_artifact",
        f"Artifact {artifact} {'met' if evaluation.passed else 'did not meet'} the requirements",
        kind=Event.Kind.DECISION,
        reason="; ".join(failed) or notes,
        data={"passed": evaluation.passed, "failed": failed},
    )
    return evaluation


@transaction.atomic
def root_cause_identify(
    *, project, actor, task=None, cause: str, analysis: str
) -> RootCauseAnalysis:
    evaluation = Evaluation.objects.filter(project=project).order_by("-recorded_at", "-id").first()
    record = RootCauseAnalysis.objects.create(
        project=project,
        task_id=_task_id(task),
        recorded_by=actor,
        evaluation=evaluation,
        cause=cause,
        analysis=analysis,
    )
    _event(
        project,
        actor,
        task,
        "identify_root_cause",
        f"Root cause: {record.get_cause_display().lower()}",
        kind=Event.Kind.DECISION,
        reason=analysis,
        data={"cause": cause},
    )
    return record


@transaction.atomic
def deployment_record(
    *,
    project,
    actor,
    task=None,
    manual_confirmation: bool = False,
    manual_confirmation_reason: str = "",
    **fields,
) -> Deployment:
    """Record the deployment once IT infrastructure confirmed it, or manually with a reason."""
    from apps.infrastructure.selectors import deployment_confirmation_awaited

    confirmation = deployment_confirmation_awaited(project=project)
    confirmed_by = _confirmed_by(confirmation, manual_confirmation, manual_confirmation_reason)
    artifact = latest_artifact_version(project=project)
    deployment = Deployment.objects.create(
        project=project,
        task_id=_task_id(task),
        recorded_by=actor,
        artifact_version=artifact,
        **fields,
    )
    _event(
        project,
        actor,
        task,
        "deploy_artifact",
        f"Artifact {artifact} deployed to {deployment.environment} at {deployment.endpoint}",
        reason=confirmed_by["reason"],
        data={"confirmation": confirmed_by["confirmation"]},
    )
    return deployment


@transaction.atomic
def integration_record(*, project, actor, task=None, **fields) -> Integration:
    if not fields.get("privacy_compliance_confirmed"):
        raise ValueError("Data privacy compliance must be confirmed.")
    deployment = Deployment.objects.filter(project=project).order_by("-recorded_at", "-id").first()
    integration = Integration.objects.create(
        project=project, task_id=_task_id(task), recorded_by=actor, deployment=deployment, **fields
    )
    _event(
        project,
        actor,
        task,
        "integrate_artifact",
        f"Integrated into {integration.systems}; data privacy compliance confirmed",
        reason=integration.compliance_notes,
    )
    return integration


@transaction.atomic
def maintenance_record(*, project, actor, task=None, **fields) -> MaintenanceRecord:
    """Record what was done about the latest monitoring report's findings."""
    report = MonitoringReport.objects.filter(project=project).order_by("-id").first()
    record = MaintenanceRecord.objects.create(
        project=project,
        task_id=_task_id(task),
        recorded_by=actor,
        monitoring_report=report,
        **fields,
    )
    if record.incidents_resolved:
        Incident.objects.filter(project=project, resolved_at__isnull=True).update(
            resolved_at=timezone.now()
        )
    # Scheduled maintenance is done once somebody maintained the artifact.
    OperationPolicy.objects.filter(project=project).update(maintenance_scheduled_on=None)
    _event(
        project,
        actor,
        task,
        "maintain_artifact",
        f"Maintenance: {record.get_kind_display().lower()}",
        reason=record.description,
    )
    from apps.infrastructure.services import maintenance_change_send

    maintenance_change_send(project=project, record=record, task=task)
    return record


@transaction.atomic
def retirement_record(
    *,
    project,
    actor,
    task=None,
    manual_confirmation: bool = False,
    manual_confirmation_reason: str = "",
    **fields,
) -> RetirementRecord:
    """Record the retirement once IT infrastructure confirmed the decommission, or manually."""
    from apps.infrastructure.selectors import decommission_confirmation_awaited

    confirmation = decommission_confirmation_awaited(project=project)
    confirmed_by = _confirmed_by(confirmation, manual_confirmation, manual_confirmation_reason)
    record = RetirementRecord.objects.create(
        project=project, task_id=_task_id(task), recorded_by=actor, **fields
    )
    _event(
        project,
        actor,
        task,
        "retire_artifact",
        "Artifact retired and decommissioned",
        reason="\n".join(filter(None, [confirmed_by["reason"], record.notes])),
        data={"archive": record.archive_location, "confirmation": confirmed_by["confirmation"]},
    )
    return record


def _confirmed_by(confirmation, manual: bool, reason: str) -> dict:
    """IT infrastructure's confirmation, else a manual one that must give its reason."""
    if confirmation is not None:
        return {"confirmation": confirmation.confirmation_id, "reason": ""}
    if not (manual and reason.strip()):
        raise ValueError(
            "IT infrastructure has not confirmed; a manual confirmation needs a reason."
        )
    return {"confirmation": "manual", "reason": f"Confirmed manually: {reason.strip()}"}
