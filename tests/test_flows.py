"""Every path of the spec, driven over HTTP through viewflow's task views."""

from datetime import timedelta

import pytest

from apps.lifecycle.demo import telemetry_for
from apps.lifecycle.jobs import operation_tick
from apps.operational.models import Evaluation, RequirementSet
from apps.operations.services import incident_open, policy_update
from apps.projects.models import Project
from apps.strategic.models import BusinessRequirements

from .conftest import (
    BUILD,
    default_data,
    do,
    drive_to_operation,
    failing_measurements,
    open_tasks,
    post_data,
    visited,
)

START = [
    "launch_project",
    *BUILD,
    "architecture_approved",
    "split_build",
    "finalize_blueprint",
    "prepare_data",
]
BUILD_TAIL = ["join_build", "develop_artifact", "evaluate_artifact", "evaluation_passed"]
DATA_AND_MODEL = [
    "evaluate_data_quality",
    "data_quality_sufficient",
    "select_base_model",
    "fine_tuning_needed",
    "rework_pass",
]
# drive_to_operation finishes the blueprint first, so join_build waits from then on.
HAPPY_TO_OPERATION = [
    *START,
    "join_build",
    *DATA_AND_MODEL,
    *BUILD_TAIL[1:],
    "deploy_artifact",
    "integrate_artifact",
    "monitoring_cycle",
]


def test_happy_path_reaches_the_operation_loop(clients, project):
    drive_to_operation(clients, project)

    assert visited(project) == HAPPY_TO_OPERATION
    assert project.process.status == "NEW"
    (timer,) = [t for t in project.process.task_set.all() if t.status == "SCHEDULED"]
    assert timer.flow_task.name == "monitoring_cycle"


def test_refine_sends_the_design_back_with_the_reviewers_comments(clients, project):
    for name in BUILD[:-1]:
        do(clients, project, name)
    do(clients, project, "review_architecture", decision="refine", comments="Add a vector store.")
    do(clients, project, "design_architecture")
    do(clients, project, "review_architecture")

    assert visited(project) == [
        "launch_project",
        *BUILD,
        "architecture_approved",
        "design_architecture",
        "review_architecture",
        "architecture_approved",
        "split_build",
        "finalize_blueprint",
        "prepare_data",
    ]
    assert project.process.status == "NEW"


def test_insufficient_data_loops_back_to_preparation(clients, project):
    for name in BUILD:
        do(clients, project, name)
    do(clients, project, "prepare_data")
    do(clients, project, "evaluate_data_quality", verdict="insufficient")
    do(clients, project, "prepare_data")
    do(clients, project, "evaluate_data_quality")

    assert visited(project)[len(START) :] == [
        "evaluate_data_quality",
        "data_quality_sufficient",
        "prepare_data",
        "evaluate_data_quality",
        "data_quality_sufficient",
        "select_base_model",
    ]


@pytest.mark.parametrize(
    ("fine_tuning", "expected"),
    [
        (
            True,
            [
                "fine_tuning_needed",
                "fine_tune_model",
                "rework_pass",
                "join_build",
                "develop_artifact",
            ],
        ),
        (False, ["fine_tuning_needed", "rework_pass", "join_build", "develop_artifact"]),
    ],
)
def test_fine_tuning_yes_and_no_then_development_waits_for_the_blueprint(
    clients, project, fine_tuning, expected
):
    for name in [*BUILD, "prepare_data", "evaluate_data_quality"]:
        do(clients, project, name)
    do(clients, project, "select_base_model", fine_tuning_required=fine_tuning)
    if fine_tuning:
        do(clients, project, "fine_tune_model")
    assert [t.flow_task.name for t in open_tasks(project)] == ["finalize_blueprint"]

    do(clients, project, "finalize_blueprint")

    assert visited(project)[len(START) + 2 :] == ["select_base_model", *expected]


def _fail_evaluation(clients, project, cause):
    for name in [
        *BUILD,
        "finalize_blueprint",
        "prepare_data",
        "evaluate_data_quality",
        "select_base_model",
        "develop_artifact",
    ]:
        do(clients, project, name)
    do(clients, project, "evaluate_artifact", **failing_measurements(project))
    do(clients, project, "identify_root_cause", cause=cause, analysis="Found it.")


FAILED = [
    *START,
    "join_build",
    *DATA_AND_MODEL,
    *BUILD_TAIL[1:],
    "identify_root_cause",
    "root_cause",
]


def test_root_cause_in_development_goes_back_to_development(clients, project):
    _fail_evaluation(clients, project, "development")
    do(clients, project, "develop_artifact", version="1.0.1")
    do(clients, project, "evaluate_artifact")

    assert visited(project) == [
        *FAILED,
        "develop_artifact",
        "evaluate_artifact",
        "evaluation_passed",
        "deploy_artifact",
    ]


def test_root_cause_in_the_model_reworks_without_waiting_for_the_blueprint(clients, project):
    _fail_evaluation(clients, project, "model")
    do(clients, project, "select_base_model")
    do(clients, project, "develop_artifact", version="1.1.0")

    assert visited(project) == [
        *FAILED,
        "select_base_model",
        "fine_tuning_needed",
        "rework_pass",
        "develop_artifact",
        "evaluate_artifact",
    ]


def test_root_cause_in_the_data_goes_back_to_preparation(clients, project):
    _fail_evaluation(clients, project, "data")
    for name in ["prepare_data", "evaluate_data_quality", "select_base_model"]:
        do(clients, project, name)

    assert visited(project) == [*FAILED, "prepare_data", *DATA_AND_MODEL, "develop_artifact"]


def test_root_cause_in_the_requirements_runs_both_build_branches_again(clients, project):
    _fail_evaluation(clients, project, "requirements")
    for name in ["derive_requirements", "design_architecture", "review_architecture"]:
        do(clients, project, name)

    assert visited(project) == [
        *FAILED,
        "derive_requirements",
        "design_architecture",
        "review_architecture",
        "architecture_approved",
        "split_build",
        "finalize_blueprint",
        "prepare_data",
    ]
    assert list(
        RequirementSet.objects.filter(project=project).values_list("version", flat=True)
    ) == [2, 1]


def _operate(clients, project, *, interval=timedelta(0), automatic=False, healthy=True):
    policy_update(
        project=project,
        assessment_interval=interval,
        automatic_retirement=automatic,
        monitoring_window=timedelta(0),
    )
    drive_to_operation(clients, project)
    telemetry_for(project, hours=1, healthy=healthy)
    return operation_tick()


OPERATION = ["monitoring_cycle", "monitor_artifact", "maintenance_needed"]


def test_assessment_not_due_returns_to_monitoring(clients, project):
    fired = _operate(clients, project, interval=timedelta(days=30))

    assert fired == 1
    assert visited(project)[len(HAPPY_TO_OPERATION) - 1 :] == [
        *OPERATION,
        "assessment_due",
        "monitoring_cycle",
    ]


def test_breached_criteria_open_maintenance_before_the_assessment(clients, project):
    _operate(clients, project, healthy=False)
    do(
        clients,
        project,
        "maintain_artifact",
        kind="error_fix",
        description="Scaled out the GPU pool.",
    )

    assert visited(project)[len(HAPPY_TO_OPERATION) - 1 :] == [
        *OPERATION,
        "maintain_artifact",
        "assessment_due",
        "assess_lifecycle",
        "retirement_triggered",
        "review_assessment",
    ]


def test_open_incident_makes_maintenance_necessary(clients, project):
    policy_update(
        project=project, assessment_interval=timedelta(days=30), monitoring_window=timedelta(0)
    )
    drive_to_operation(clients, project)
    incident_open(project=project, title="Hallucinated refund policy")
    telemetry_for(project, hours=1)
    operation_tick()

    assert open_tasks(project)[0].flow_task.name == "maintain_artifact"


def test_continue_goes_back_to_monitoring(clients, project):
    _operate(clients, project)
    do(clients, project, "review_assessment", decision="continue", rationale="Fine.")

    assert visited(project)[-4:] == [
        "retirement_triggered",
        "review_assessment",
        "assessment_decision",
        "monitoring_cycle",
    ]


def test_adjust_starts_a_new_iteration_with_new_requirement_versions(clients, project):
    _operate(clients, project)
    do(clients, project, "review_assessment", decision="adjust", rationale="Add returns handling.")
    for name in ["define_business_requirements", "derive_requirements"]:
        do(clients, project, name)

    project.refresh_from_db()
    assert project.iteration == 2
    assert visited(project)[-5:] == [
        "review_assessment",
        "assessment_decision",
        "define_business_requirements",
        "derive_requirements",
        "design_architecture",
    ]
    assert list(
        BusinessRequirements.objects.filter(project=project)
        .order_by("version")
        .values_list("version", "iteration")
    ) == [(1, 1), (2, 2)]
    assert list(
        RequirementSet.objects.filter(project=project)
        .order_by("version")
        .values_list("version", "business_requirements__version")
    ) == [(1, 1), (2, 2)]


def test_retirement_by_decision_closes_the_project(clients, project):
    _operate(clients, project)
    do(clients, project, "review_assessment", decision="retire", rationale="Superseded.")
    do(clients, project, "retire_artifact")
    do(clients, project, "terminate_project")

    project = Project.objects.get(pk=project.pk)
    assert project.process.status == "DONE"
    assert visited(project)[-7:] == [
        "review_assessment",
        "assessment_decision",
        "split_retire",
        "retire_artifact",
        "terminate_project",
        "join_retire",
        "end",
    ]


def test_automatic_retirement_when_the_policy_is_breached(clients, project):
    policy_update(project=project, min_value_score=90)
    _operate(clients, project, automatic=True, healthy=False)
    do(clients, project, "maintain_artifact", kind="error_fix", description="Tried.")

    assert [t.flow_task.name for t in open_tasks(project)] == [
        "retire_artifact",
        "terminate_project",
    ]
    decision = project.events.filter(node_id="retirement_triggered").get()
    assert decision.actor is None
    assert "below the policy minimum" in decision.reason
    do(clients, project, "retire_artifact")
    do(clients, project, "terminate_project")
    assert visited(project)[-8:] == [
        "assessment_due",
        "assess_lifecycle",
        "retirement_triggered",
        "split_retire",
        "retire_artifact",
        "terminate_project",
        "join_retire",
        "end",
    ]
    assert Project.objects.get(pk=project.pk).process.status == "DONE"


def test_a_failing_evaluation_cannot_be_marked_passed(clients, project):
    _fail_evaluation(clients, project, "development")

    evaluation = Evaluation.objects.get(project=project)
    assert evaluation.passed is False
    assert all(not r.passed for r in evaluation.results.all())
    body = post_data("evaluate_artifact", default_data(project, "evaluate_artifact"))
    assert "passed" not in body


def test_a_measurement_exactly_at_the_threshold_meets_the_criterion(clients, project):
    for name in ["define_scope", "define_business_requirements"]:
        do(clients, project, name)
    do(
        clients,
        project,
        "derive_requirements",
        criteria=[
            {"metric": "accuracy", "comparator": ">=", "threshold": "0.7", "unit": "ratio"},
            {"metric": "error_rate", "comparator": "<=", "threshold": "0.05", "unit": "ratio"},
        ],
    )
    accuracy, error_rate = RequirementSet.objects.get(project=project).criteria.order_by("id")

    assert accuracy.is_met(0.7)  # a float from telemetry, exactly at the threshold
    assert error_rate.is_met(0.05)
    assert not accuracy.is_met(0.6999)
