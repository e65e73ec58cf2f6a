"""Reaching any human task over HTTP, and a picture of the database to prove nothing was written.

Kept out of conftest.py so that modules which only need these helpers import them by name.
"""

from datetime import timedelta

from django.apps import apps
from viewflow.workflow.models import Process, Task

from apps.audit.models import Event
from apps.lifecycle.demo import telemetry_for
from apps.lifecycle.jobs import operation_tick
from apps.operations.services import policy_update

from .conftest import BUILD, do, drive_to_operation, failing_measurements, open_tasks

HUMAN_TASKS = [
    "define_scope",
    "define_business_requirements",
    "derive_requirements",
    "design_architecture",
    "review_architecture",
    "finalize_blueprint",
    "prepare_data",
    "evaluate_data_quality",
    "select_base_model",
    "fine_tune_model",
    "develop_artifact",
    "evaluate_artifact",
    "identify_root_cause",
    "deploy_artifact",
    "integrate_artifact",
    "maintain_artifact",
    "review_assessment",
    "retire_artifact",
    "terminate_project",
]

FAILING = "failing evaluation"
_TO_DEVELOP = [
    *BUILD,
    "finalize_blueprint",
    "prepare_data",
    "evaluate_data_quality",
    "select_base_model",
]
# The tasks to complete before a node opens; a (name, overrides) pair departs from the demo data.
ROUTES = {
    "define_scope": [],
    "define_business_requirements": BUILD[:1],
    "derive_requirements": BUILD[:2],
    "design_architecture": BUILD[:3],
    "review_architecture": BUILD[:4],
    "finalize_blueprint": BUILD,
    "prepare_data": BUILD,
    "evaluate_data_quality": [*BUILD, "prepare_data"],
    "select_base_model": [*BUILD, "prepare_data", "evaluate_data_quality"],
    "fine_tune_model": [
        *BUILD,
        "prepare_data",
        "evaluate_data_quality",
        ("select_base_model", {"fine_tuning_required": True}),
    ],
    "develop_artifact": _TO_DEVELOP,
    "evaluate_artifact": [*_TO_DEVELOP, "develop_artifact"],
    "identify_root_cause": [*_TO_DEVELOP, "develop_artifact", ("evaluate_artifact", FAILING)],
    "deploy_artifact": [*_TO_DEVELOP, "develop_artifact", "evaluate_artifact"],
    "integrate_artifact": [
        *_TO_DEVELOP,
        "develop_artifact",
        "evaluate_artifact",
        "deploy_artifact",
    ],
}
IN_OPERATION = {"maintain_artifact", "review_assessment", "retire_artifact", "terminate_project"}


def reach(clients, project, node_name):
    """Drive ``project`` over HTTP until a task of ``node_name`` is open; return that task."""
    if node_name in IN_OPERATION:
        # Windows of zero: the monitoring timer and the assessment are due at once;
        # unhealthy telemetry breaches the acceptance criteria and calls for maintenance.
        policy_update(
            project=project, monitoring_window=timedelta(0), assessment_interval=timedelta(0)
        )
        drive_to_operation(clients, project)
        telemetry_for(project, hours=1, healthy=node_name != "maintain_artifact")
        operation_tick()
        if node_name in ("retire_artifact", "terminate_project"):
            do(clients, project, "review_assessment", decision="retire", rationale="Superseded.")
    for step in ROUTES.get(node_name, []):
        name, overrides = step if isinstance(step, tuple) else (step, {})
        if overrides == FAILING:
            overrides = failing_measurements(project)
        do(clients, project, name, **overrides)
    (task,) = open_tasks(project, node_name)
    return task


def db_state() -> dict:
    """Row counts of every project table, and each process's and task's state.

    Equal before and after a refused request means the request wrote nothing.
    """
    labels = {"audit", "projects", "strategic", "operational", "operations", "guardian"}
    counts = {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in labels
    }
    return {
        "counts": counts,
        "events": Event.objects.count(),
        "processes": list(Process.objects.order_by("id").values_list("id", "status", "finished")),
        "tasks": list(
            Task.objects.order_by("id").values_list(
                "id", "status", "owner_id", "started", "finished"
            )
        ),
    }
