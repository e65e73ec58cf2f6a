"""The BPMN export is executable elsewhere: SpiffWorkflow runs each scenario of
test_flows.py on the exported file and reaches the same nodes, in the same order,
as viewflow does on the flow class.

Each scenario is one list of steps. viewflow takes them over HTTP (the helpers of
conftest.py), where the gateways read the records the forms create; Spiff takes
them on the export, where each gateway reads the one variable its conditions name
(``<gateway id> == "<label>"``), set by the step that records the decision.
"""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from apps.lifecycle.demo import telemetry_for
from apps.lifecycle.jobs import operation_tick
from apps.notation.bpmn import bpmn_xml
from apps.operations.services import incident_open, policy_update

from .conftest import BUILD, do, failing_measurements, visited
from .spiff_engine import SpiffRun


@dataclass(frozen=True)
class Do:
    """A person completes a task: form data for viewflow, the decision for the BPMN engine."""

    node: str
    form: dict = field(default_factory=dict)
    bpmn: dict = field(default_factory=dict)
    failing: bool = False  # evaluate_artifact with measurements below the criteria


@dataclass(frozen=True)
class Policy:
    """The project's operation policy (viewflow only: the BPMN variables stand for it)."""

    changes: dict


@dataclass(frozen=True)
class Elapse:
    """The monitoring window elapses; what monitoring finds decides the next gateways."""

    bpmn: dict
    healthy: bool = True
    incident: bool = False


APPROVED = {"architecture_approved": "approved", "rework_pass": "first pass"}
DESIGN = [Do(name) for name in BUILD[:-1]]
BUILT = [*DESIGN, Do("review_architecture", bpmn=APPROVED)]
SUFFICIENT = Do("evaluate_data_quality", bpmn={"data_quality_sufficient": "sufficient"})
NO_TUNING = Do("select_base_model", bpmn={"fine_tuning_needed": "no"})
PASSED = Do("evaluate_artifact", bpmn={"evaluation_passed": "passed"})
TO_OPERATION = [
    *BUILT,
    Do("finalize_blueprint"),
    Do("prepare_data"),
    SUFFICIENT,
    NO_TUNING,
    Do("develop_artifact"),
    PASSED,
    Do("deploy_artifact"),
    Do("integrate_artifact"),
]
OPERATE = Policy(
    {
        "assessment_interval": timedelta(0),
        "automatic_retirement": False,
        "monitoring_window": timedelta(0),
    }
)
ASSESSED = Elapse(
    {"maintenance_needed": "no", "assessment_due": "due", "retirement_triggered": "within policy"}
)


def failed(cause):
    return [
        *BUILT,
        Do("finalize_blueprint"),
        Do("prepare_data"),
        SUFFICIENT,
        NO_TUNING,
        Do("develop_artifact"),
        Do("evaluate_artifact", failing=True, bpmn={"evaluation_passed": "failed"}),
        Do(
            "identify_root_cause",
            form={"cause": cause, "analysis": "Found it."},
            bpmn={"root_cause": cause, "rework_pass": "rework"},
        ),
    ]


def decide(decision):
    return Do(
        "review_assessment",
        form={"decision": decision, "rationale": "Reviewed."},
        bpmn={"assessment_decision": decision},
    )


SCENARIOS = {
    "happy_path": TO_OPERATION,
    "refine": [
        *DESIGN,
        Do(
            "review_architecture",
            form={"decision": "refine", "comments": "Add a vector store."},
            bpmn={"architecture_approved": "refine"},
        ),
        Do("design_architecture"),
        Do("review_architecture", bpmn=APPROVED),
    ],
    "insufficient_data": [
        *BUILT,
        Do("prepare_data"),
        Do(
            "evaluate_data_quality",
            form={"verdict": "insufficient"},
            bpmn={"data_quality_sufficient": "insufficient"},
        ),
        Do("prepare_data"),
        SUFFICIENT,
    ],
    **{
        f"fine_tuning_{answer}": [
            *BUILT,
            Do("prepare_data"),
            SUFFICIENT,
            Do(
                "select_base_model",
                form={"fine_tuning_required": answer == "yes"},
                bpmn={"fine_tuning_needed": answer},
            ),
            *([Do("fine_tune_model")] if answer == "yes" else []),
            Do("finalize_blueprint"),
        ]
        for answer in ("yes", "no")
    },
    "root_cause_development": [
        *failed("development"),
        Do("develop_artifact", form={"version": "1.0.1"}),
        PASSED,
    ],
    "root_cause_model": [
        *failed("model"),
        NO_TUNING,
        Do("develop_artifact", form={"version": "1.1.0"}),
    ],
    "root_cause_data": [*failed("data"), Do("prepare_data"), SUFFICIENT, NO_TUNING],
    "root_cause_requirements": [
        *failed("requirements"),
        Do("derive_requirements"),
        Do("design_architecture"),
        Do("review_architecture", bpmn=APPROVED),
    ],
    "assessment_not_due": [
        Policy({**OPERATE.changes, "assessment_interval": timedelta(days=30)}),
        *TO_OPERATION,
        Elapse({"maintenance_needed": "no", "assessment_due": "not due"}),
    ],
    "maintenance": [
        OPERATE,
        *TO_OPERATION,
        Elapse({"maintenance_needed": "yes"}, healthy=False),
        Do(
            "maintain_artifact",
            form={"kind": "error_fix", "description": "Scaled out the GPU pool."},
            bpmn={"assessment_due": "due", "retirement_triggered": "within policy"},
        ),
    ],
    "incident_maintenance": [
        Policy({"assessment_interval": timedelta(days=30), "monitoring_window": timedelta(0)}),
        *TO_OPERATION,
        Elapse({"maintenance_needed": "yes"}, incident=True),
    ],
    "continue": [OPERATE, *TO_OPERATION, ASSESSED, decide("continue")],
    "adjust": [
        OPERATE,
        *TO_OPERATION,
        ASSESSED,
        decide("adjust"),
        Do("define_business_requirements"),
        Do("derive_requirements"),
    ],
    "retire_by_decision": [
        OPERATE,
        *TO_OPERATION,
        ASSESSED,
        decide("retire"),
        Do("retire_artifact"),
        Do("terminate_project"),
    ],
    "automatic_retirement": [
        Policy({"min_value_score": 90}),
        Policy({**OPERATE.changes, "automatic_retirement": True}),
        *TO_OPERATION,
        Elapse({"maintenance_needed": "yes"}, healthy=False),
        Do(
            "maintain_artifact",
            form={"kind": "error_fix", "description": "Tried."},
            bpmn={"assessment_due": "due", "retirement_triggered": "breached"},
        ),
        Do("retire_artifact"),
        Do("terminate_project"),
    ],
}


def run_viewflow(clients, project, steps):
    for step in steps:
        if isinstance(step, Policy):
            policy_update(project=project, **step.changes)
        elif isinstance(step, Elapse):
            if step.incident:
                incident_open(project=project, title="Hallucinated refund policy")
            telemetry_for(project, hours=1, healthy=step.healthy)
            operation_tick()
        else:
            form = {**step.form, **(failing_measurements(project) if step.failing else {})}
            do(clients, project, step.node, **form)
    return visited(project)


def run_spiff(steps, monkeypatch):
    run = SpiffRun(bpmn_xml(), monkeypatch)
    for step in steps:
        if isinstance(step, Elapse):
            run.elapse(step.bpmn)
        elif isinstance(step, Do):
            run.complete(step.node, step.bpmn)
    return run.visited


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_spiffworkflow_visits_the_nodes_viewflow_visits(clients, project, monkeypatch, scenario):
    steps = SCENARIOS[scenario]

    by_viewflow = run_viewflow(clients, project, steps)
    by_spiff = run_spiff(steps, monkeypatch)

    assert by_spiff == by_viewflow


def test_every_scenario_of_the_flow_tests_runs_on_spiff():
    assert len(SCENARIOS) == 16
