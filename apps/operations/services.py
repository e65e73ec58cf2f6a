"""Monitoring and assessment: what monitor_artifact and assess_lifecycle compute.

Both are keyed on the flow task that asked for them, so running one twice for the
same task returns the first result instead of writing a second one.
"""

import logging
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.audit.models import Event
from apps.audit.services import event_record
from apps.operational.models import Integration
from apps.operational.selectors import criteria_in_force, latest_deployment
from apps.strategic.models import Blueprint, Kpi

from .metrics import window_metrics
from .models import Assessment, Incident, MonitoringReport, OperationPolicy, TelemetryPoint

logger = logging.getLogger(__name__)

# Weights of the business-value score (they add up to 100).
WEIGHTS = {"kpis": 50, "cost": 20, "usage": 10, "incidents": 10, "compliance": 10}
ADJUST_BELOW = 70


def policy_create_default(*, project) -> OperationPolicy:
    policy, _ = OperationPolicy.objects.get_or_create(project=project)
    return policy


@transaction.atomic
def telemetry_record(*, project, points, artifact_version=None) -> int:
    """Store telemetry points given as (metric, value, recorded_at) tuples."""
    rows = [
        TelemetryPoint(
            project=project,
            artifact_version=artifact_version,
            metric=metric,
            value=float(value),
            recorded_at=recorded_at,
        )
        for metric, value, recorded_at in points
    ]
    TelemetryPoint.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


@transaction.atomic
def incident_open(*, project, title: str, kind: str = Incident.Kind.OPERATIONAL, actor=None):
    incident = Incident.objects.create(project=project, title=title, kind=kind)
    event_record(
        project=project, kind=Event.Kind.RECORD, actor=actor, summary=f"Incident opened: {title}"
    )
    return incident


def _operation_start(project):
    integration = Integration.objects.filter(project=project).order_by("-recorded_at").first()
    return integration.recorded_at if integration else project.created_at


def _points(project, start, end):
    return TelemetryPoint.objects.filter(
        project=project, recorded_at__gt=start, recorded_at__lte=end
    ).values_list("metric", "value")


def _seconds(start, end) -> float:
    return max((end - start).total_seconds(), 1.0)


@transaction.atomic
def monitoring_run(*, project, task_id: int, now=None) -> MonitoringReport:
    """Aggregate the telemetry of the window and hold it against the criteria in force."""
    existing = MonitoringReport.objects.filter(task_id=task_id).first()
    if existing:
        return existing
    now = now or timezone.now()
    policy = project.policy
    previous = MonitoringReport.objects.filter(project=project).order_by("-window_end").first()
    # A new iteration's first window starts at its own integration, not in the old phase.
    start = (
        max(previous.window_end, _operation_start(project))
        if previous
        else _operation_start(project)
    )
    metrics = window_metrics(_points(project, start, now), _seconds(start, now))

    breaches, anomalies = [], []
    if not metrics.get("requests") and len(metrics) <= 3:
        anomalies.append("No telemetry received in this window.")
    for criterion in criteria_in_force(project=project):
        value = metrics.get(criterion.metric)
        if value is None:
            anomalies.append(f"No measurement of {criterion.metric} in this window.")
        elif not criterion.is_met(value):
            breaches.append(
                {
                    "metric": criterion.metric,
                    "value": value,
                    "criterion": str(criterion),
                }
            )
    open_incidents = Incident.objects.filter(project=project, resolved_at__isnull=True).count()
    scheduled = policy.maintenance_scheduled_on is not None and (
        policy.maintenance_scheduled_on <= now.date()
    )
    report = MonitoringReport.objects.create(
        project=project,
        task_id=task_id,
        window_start=start,
        window_end=now,
        metrics=metrics,
        breaches=breaches,
        anomalies=anomalies,
        open_incidents=open_incidents,
        maintenance_needed=bool(breaches or open_incidents or scheduled),
    )
    reasons = [b["criterion"] + f" breached ({b['value']})" for b in breaches]
    if open_incidents:
        reasons.append(f"{open_incidents} open incident(s)")
    if scheduled:
        reasons.append("maintenance scheduled")
    event_record(
        project=project,
        kind=Event.Kind.SYSTEM,
        node_id="monitor_artifact",
        summary=(
            "Monitoring: maintenance needed"
            if report.maintenance_needed
            else "Monitoring: all criteria met"
        ),
        reason="; ".join(reasons + anomalies),
        data={"report": report.pk, "breaches": len(breaches)},
    )
    return report


def assessment_is_due(*, project, now=None) -> bool:
    now = now or timezone.now()
    last = Assessment.objects.filter(project=project).order_by("-period_end").first()
    reference = last.period_end if last else _operation_start(project)
    return now - reference >= project.policy.assessment_interval


def _consecutive_breached_windows(project) -> int:
    """Breached windows in a row, counted within the current operation phase only."""
    count = 0
    for breaches in (
        MonitoringReport.objects.filter(
            project=project, window_start__gte=_operation_start(project)
        )
        .order_by("-window_end")
        .values_list("breaches", flat=True)[:100]
    ):
        if not breaches:
            break
        count += 1
    return count


def _business_value(project, metrics, period_days, previous):
    """Score parts in [0, 1] plus the reasons that lowered them."""
    parts, reasons, facts = {}, [], {}
    kpis = list(Kpi.objects.filter(scope__project=project))
    attainments = []
    for kpi in kpis:
        value = metrics.get(kpi.name)
        if value is None:
            attainments.append(Decimal(0))
            reasons.append(f"KPI {kpi.name}: not measured in the period")
            continue
        attainment = kpi.attainment(Decimal(str(value)))
        attainments.append(attainment)
        facts[f"kpi:{kpi.name}"] = value
        if attainment < 1:
            reasons.append(f"KPI {kpi} reached {attainment:.0%} ({value})")
    parts["kpis"] = float(sum(attainments) / len(attainments)) if attainments else 0.0
    if not kpis:
        reasons.append("No KPIs defined in the scope")

    blueprint = Blueprint.objects.filter(project=project).order_by("-recorded_at").first()
    monthly_cost = metrics.get("cost_eur", 0.0) * 30 / max(period_days, 1 / 24)
    facts["monthly_cost"] = round(monthly_cost, 2)
    if blueprint:
        budget = float(blueprint.budget)
        parts["cost"] = 1.0 if monthly_cost <= budget else max(0.0, 2 - monthly_cost / budget)
        if monthly_cost > budget:
            reasons.append(
                f"Cost {monthly_cost:.2f} {blueprint.currency}/month over budget {budget:.2f}"
            )
    else:
        parts["cost"] = 0.5
        reasons.append("No budget in a finalized blueprint")

    requests = metrics.get("requests", 0.0)
    facts["requests"] = requests
    previous_requests = (previous.business_value.get("requests") if previous else None) or 0
    if previous_requests:
        trend = requests / previous_requests
        parts["usage"] = min(1.0, trend)
        if trend < 1:
            reasons.append(f"Usage fell to {trend:.0%} of the previous period")
    else:
        parts["usage"] = 1.0 if requests else 0.0
        if not requests:
            reasons.append("No usage recorded")

    open_incidents = Incident.objects.filter(project=project, resolved_at__isnull=True)
    operational = open_incidents.filter(kind=Incident.Kind.OPERATIONAL).count()
    compliance = open_incidents.filter(kind=Incident.Kind.COMPLIANCE).count()
    facts.update(open_incidents=operational, compliance_findings=compliance)
    parts["incidents"] = max(0.0, 1 - operational / 3)
    parts["compliance"] = 0.0 if compliance else 1.0
    if operational:
        reasons.append(f"{operational} open incident(s)")
    if compliance:
        reasons.append(f"{compliance} open compliance finding(s)")
    return parts, reasons, facts


def _life_cycle(project, now):
    """Conditions that call for retirement whatever the score."""
    policy = project.policy
    today = now.date()
    conditions, facts = [], {}
    if policy.base_model_end_of_life and policy.base_model_end_of_life <= today:
        conditions.append(f"Base model reached end of life on {policy.base_model_end_of_life}")
    if policy.licence_expiry and policy.licence_expiry <= today:
        conditions.append(f"Licence expired on {policy.licence_expiry}")
    deployment = latest_deployment(project=project)
    if deployment:
        age = (now - deployment.artifact_version.recorded_at).days
        facts["artifact_age_days"] = age
        if age > policy.max_artifact_age_days:
            conditions.append(f"Artifact version {deployment.artifact_version} is {age} days old")
    breached = _consecutive_breached_windows(project)
    facts["consecutive_breached_windows"] = breached
    if breached >= policy.max_breached_windows:
        conditions.append(f"Acceptance criteria breached for {breached} consecutive windows")
    return conditions, facts, breached


@transaction.atomic
def assessment_run(*, project, task_id: int, now=None) -> Assessment:
    """Score business value and life cycle; decide whether the retirement policy is breached."""
    existing = Assessment.objects.filter(task_id=task_id).first()
    if existing:
        return existing
    now = now or timezone.now()
    policy = project.policy
    previous = Assessment.objects.filter(project=project).order_by("-period_end").first()
    start = (
        max(previous.period_end, _operation_start(project))
        if previous
        else _operation_start(project)
    )
    seconds = _seconds(start, now)
    metrics = window_metrics(_points(project, start, now), seconds)

    parts, reasons, value_facts = _business_value(project, metrics, seconds / 86400, previous)
    score = round(sum(WEIGHTS[name] * parts[name] for name in WEIGHTS))
    conditions, life_facts, breached = _life_cycle(project, now)

    if score < policy.min_value_score:
        conditions.insert(0, f"Score {score} below the policy minimum {policy.min_value_score}")
    if conditions:
        recommendation = Assessment.Recommendation.RETIRE
    elif score < ADJUST_BELOW or breached:
        recommendation = Assessment.Recommendation.ADJUST
    else:
        recommendation = Assessment.Recommendation.CONTINUE
    policy_breached = bool(conditions)
    assessment = Assessment.objects.create(
        project=project,
        task_id=task_id,
        period_start=start,
        period_end=now,
        score=score,
        recommendation=recommendation,
        reasons=conditions + reasons,
        business_value={**value_facts, "parts": parts, "metrics": metrics},
        life_cycle=life_facts,
        policy_breached=policy_breached,
        retirement_triggered=policy_breached and policy.automatic_retirement,
    )
    event_record(
        project=project,
        kind=Event.Kind.SYSTEM,
        node_id="assess_lifecycle",
        summary=f"Assessment: {score}/100, recommends {assessment.recommendation}",
        reason="; ".join(assessment.reasons),
        data={"assessment": assessment.pk, "score": score},
    )
    if assessment.retirement_triggered:
        transaction.on_commit(lambda: _notify_retirement(project.pk))
        event_record(
            project=project,
            kind=Event.Kind.DECISION,
            node_id="retirement_triggered",
            summary="Automatic retirement: the retirement policy is breached",
            reason="; ".join(conditions),
            data={"assessment": assessment.pk},
        )
    return assessment


def _notify_retirement(project_id: int) -> None:
    """Tell both teams now; if the broker is down, the periodic catch-up sends it later."""
    from apps.notifications.tasks import retirement_notice_send

    try:
        retirement_notice_send.delay(project_id)
    except Exception:  # noqa: BLE001 - any broker failure: the catch-up covers it
        logger.warning("Retirement notice for project %s deferred to the catch-up", project_id)


@transaction.atomic
def policy_update(*, project, actor=None, **fields) -> OperationPolicy:
    """Change a project's operation policy; every change is on the record."""
    # Compare with the stored row: a form may already have changed the cached instance.
    policy = OperationPolicy.objects.select_for_update().get(project=project)
    changes = {}
    for name, value in fields.items():
        if getattr(policy, name) != value:
            changes[name] = [str(getattr(policy, name)), str(value)]
            setattr(policy, name, value)
    if changes:
        policy.full_clean()
        policy.save(update_fields=list(changes))
        event_record(
            project=project,
            kind=Event.Kind.RECORD,
            actor=actor,
            summary="Operation policy changed: " + ", ".join(changes),
            data={"changes": changes},
        )
    return policy
