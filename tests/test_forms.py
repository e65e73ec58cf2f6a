"""Bad input at every human task, and at launch: refused with 422, nothing written.

Each case posts a missing or invalid value to the task's form through viewflow's
execute view. The answer is 422 with the error on the page; the task stays open,
no next task appears, no record and no audit event is written. The same task then
completes with valid data, so the refusal came from the bad value alone.
"""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.audit.models import Event
from apps.lifecycle.demo import STEP_DATA
from apps.lifecycle.models import LifecycleTask
from apps.operational import models as op
from apps.projects.models import Project
from apps.strategic import models as st

from .conftest import LAUNCH, UserFactory, default_data, login, post_data, task_url
from .journeys import db_state, reach

REQUIRED = "This field is required."
CHOICE = "Select a valid choice."
NUMBER = "Enter a number."
URL = "Enter a valid URL."
ONE_ROW = "Add at least one row."

# The record each node's service writes.
RECORDS = {
    "define_scope": st.Scope,
    "define_business_requirements": st.BusinessRequirements,
    "derive_requirements": op.RequirementSet,
    "design_architecture": op.ArchitectureDesign,
    "review_architecture": st.ArchitectureReview,
    "finalize_blueprint": st.Blueprint,
    "prepare_data": op.Dataset,
    "evaluate_data_quality": op.DataQualityReport,
    "select_base_model": op.ModelSelection,
    "fine_tune_model": op.FineTuningRun,
    "develop_artifact": op.ArtifactVersion,
    "evaluate_artifact": op.Evaluation,
    "identify_root_cause": op.RootCauseAnalysis,
    "deploy_artifact": op.Deployment,
    "integrate_artifact": op.Integration,
    "maintain_artifact": op.MaintenanceRecord,
    "review_assessment": st.AssessmentDecision,
    "retire_artifact": op.RetirementRecord,
    "terminate_project": st.Termination,
}


# How a case turns the valid POST body into a bad one.


def empty(body):
    return {}


def without(*keys):
    def change(body):
        return {key: value for key, value in body.items() if key not in keys}

    return change


def setting(**values):
    def change(body):
        return {**body, **values}

    return change


def no_rows(prefix):
    def change(body):
        kept = {k: v for k, v in body.items() if not k.startswith(f"{prefix}-")}
        return {**kept, f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}

    return change


def same_in_rows(prefix, field):
    def change(body):
        return {**body, f"{prefix}-1-{field}": body[f"{prefix}-0-{field}"]}

    return change


def first_measurement_missing(body):
    first = sorted(key for key in body if key.startswith("measured_"))[0]
    return {key: value for key, value in body.items() if key != first}


def first_measurement(value):
    def change(body):
        first = sorted(key for key in body if key.startswith("measured_"))[0]
        return {**body, first: value}

    return change


def executable_evidence(body):
    return {
        **body,
        "evidence": SimpleUploadedFile("design.exe", b"MZ\x90\x00", "application/octet-stream"),
    }


def two_chosen(body):
    return {**body, "candidates-1-chosen": "on"}


def none_chosen(body):
    return {key: value for key, value in body.items() if key != "candidates-0-chosen"}


CASES = [
    ("define_scope", "empty", empty, REQUIRED),
    ("define_scope", "no_kpi", no_rows("kpis"), ONE_ROW),
    (
        "define_scope",
        "duplicate_kpi_names",
        same_in_rows("kpis", "name"),
        "Each KPI needs its own name.",
    ),
    ("define_scope", "kpi_target_not_a_number", setting(**{"kpis-0-target": "high"}), NUMBER),
    ("define_scope", "unknown_kpi_direction", setting(**{"kpis-0-direction": "sideways"}), CHOICE),
    ("define_business_requirements", "empty", empty, REQUIRED),
    ("define_business_requirements", "no_benefits", without("benefits"), REQUIRED),
    ("derive_requirements", "empty", empty, REQUIRED),
    ("derive_requirements", "no_criterion", no_rows("criteria"), ONE_ROW),
    ("derive_requirements", "bad_comparator", setting(**{"criteria-0-comparator": "=>"}), CHOICE),
    (
        "derive_requirements",
        "threshold_not_a_number",
        setting(**{"criteria-0-threshold": "fast"}),
        NUMBER,
    ),
    (
        "derive_requirements",
        "duplicate_metrics",
        same_in_rows("criteria", "metric"),
        "Each acceptance criterion needs its own metric.",
    ),
    ("design_architecture", "empty", empty, REQUIRED),
    ("design_architecture", "no_component", no_rows("components"), ONE_ROW),
    (
        "design_architecture",
        "executable_evidence",
        executable_evidence,
        "File extension “exe” is not allowed",
    ),
    ("design_architecture", "unknown_deployment_target", setting(deployment_target="mars"), CHOICE),
    (
        "design_architecture",
        "unknown_component_kind",
        setting(**{"components-0-kind": "robot"}),
        CHOICE,
    ),
    ("review_architecture", "empty", empty, REQUIRED),
    ("review_architecture", "unknown_decision", setting(decision="maybe"), CHOICE),
    ("review_architecture", "no_comments", without("comments"), REQUIRED),
    ("finalize_blueprint", "empty", empty, REQUIRED),
    (
        "finalize_blueprint",
        "negative_budget",
        setting(budget="-100"),
        "greater than or equal to 0.01",
    ),
    ("finalize_blueprint", "zero_budget", setting(budget="0"), "greater than or equal to 0.01"),
    ("finalize_blueprint", "budget_not_a_number", setting(budget="a lot"), NUMBER),
    ("finalize_blueprint", "bad_currency", setting(currency="E1R"), "three-letter ISO 4217 code"),
    ("prepare_data", "empty", empty, ONE_ROW),
    ("prepare_data", "no_dataset", no_rows("datasets"), ONE_ROW),
    (
        "prepare_data",
        "negative_size",
        setting(**{"datasets-0-size_records": "-5"}),
        "greater than or equal to 0",
    ),
    ("prepare_data", "no_source", without("datasets-0-source"), REQUIRED),
    ("evaluate_data_quality", "empty", empty, REQUIRED),
    (
        "evaluate_data_quality",
        "completeness_above_100",
        setting(completeness="120"),
        "less than or equal to 100",
    ),
    ("evaluate_data_quality", "unknown_verdict", setting(verdict="perfect"), CHOICE),
    ("select_base_model", "empty", empty, REQUIRED),
    ("select_base_model", "no_candidate", no_rows("candidates"), ONE_ROW),
    ("select_base_model", "two_chosen", two_chosen, "Mark exactly one candidate as chosen."),
    ("select_base_model", "none_chosen", none_chosen, "Mark exactly one candidate as chosen."),
    (
        "select_base_model",
        "duplicate_candidates",
        same_in_rows("candidates", "name"),
        "Each candidate needs its own name.",
    ),
    (
        "select_base_model",
        "negative_cost",
        setting(**{"candidates-0-licensing_cost": "-1"}),
        "greater than or equal to 0",
    ),
    ("select_base_model", "no_fine_tuning_answer", without("fine_tuning_required"), REQUIRED),
    ("fine_tune_model", "empty", empty, REQUIRED),
    ("fine_tune_model", "unknown_method", setting(method="magic"), CHOICE),
    ("develop_artifact", "empty", empty, REQUIRED),
    ("develop_artifact", "bad_repository_url", setting(repository_url="not a url"), URL),
    ("evaluate_artifact", "empty", empty, REQUIRED),
    ("evaluate_artifact", "missing_measurement", first_measurement_missing, REQUIRED),
    ("evaluate_artifact", "measurement_not_a_number", first_measurement("quick"), NUMBER),
    ("identify_root_cause", "empty", empty, REQUIRED),
    ("identify_root_cause", "unknown_cause", setting(cause="weather"), CHOICE),
    ("deploy_artifact", "empty", empty, REQUIRED),
    ("deploy_artifact", "bad_endpoint", setting(endpoint="llm at the usual place"), URL),
    ("integrate_artifact", "empty", empty, REQUIRED),
    (
        "integrate_artifact",
        "privacy_not_confirmed",
        without("privacy_compliance_confirmed"),
        "cannot be completed without a data privacy compliance validation",
    ),
    ("maintain_artifact", "empty", empty, REQUIRED),
    ("maintain_artifact", "unknown_kind", setting(kind="prayer"), CHOICE),
    ("review_assessment", "empty", empty, REQUIRED),
    ("review_assessment", "unknown_decision", setting(decision="pause"), CHOICE),
    ("review_assessment", "no_rationale", without("rationale"), REQUIRED),
    ("retire_artifact", "empty", empty, "The artifact is not retired until this is done."),
    (
        "retire_artifact",
        "decommission_not_confirmed",
        without("decommission_confirmed"),
        "The artifact is not retired until this is done.",
    ),
    ("terminate_project", "empty", empty, REQUIRED),
    ("terminate_project", "no_reason", without("reason"), REQUIRED),
]


def test_every_human_task_has_bad_input_cases():
    assert {node for node, *_ in CASES} == set(RECORDS) == set(STEP_DATA)


@pytest.mark.parametrize(
    ("node_name", "bad_input", "message"),
    [
        pytest.param(node, change, message, id=f"{node}-{case}")
        for node, case, change, message in CASES
    ],
)
def test_bad_input_is_refused_with_nothing_written_then_valid_input_completes(
    clients, project, node_name, bad_input, message
):
    # given: the task is open and claimed by its lane
    task = reach(clients, project, node_name)
    client = clients[task.flow_task.lane]
    assert client.post(task_url(task, "assign")).status_code == 302
    valid = post_data(node_name, default_data(project, node_name))
    record = RECORDS[node_name]
    tasks, events, records = (
        LifecycleTask.objects.filter(process=project.process).count(),
        Event.objects.count(),
        record.objects.filter(project=project).count(),
    )
    before = db_state()

    # when: the form is posted with the bad input
    response = client.post(task_url(task, "execute"), bad_input(valid))

    # then: 422 with the error shown, the task still open, nothing written
    assert response.status_code == 422
    content = html.unescape(response.content.decode())
    assert message in content
    task.refresh_from_db()
    assert task.status in ("ASSIGNED", "STARTED")
    assert LifecycleTask.objects.filter(process=project.process).count() == tasks
    assert Event.objects.count() == events
    assert record.objects.filter(project=project).count() == records
    assert db_state() == before

    # when: the same task is posted with valid data
    response = client.post(task_url(task, "execute"), valid)

    # then: it completes and the process moves on
    assert response.status_code == 302, response.content.decode()[-2000:]
    task.refresh_from_db()
    assert task.status == "DONE"
    assert record.objects.filter(project=project).count() == records + 1
    assert Event.objects.count() > events


# Launch


def launch_body(operator, **changes):
    body = {**LAUNCH, "title": "Refused launch", "operational_members": [operator.pk]}
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        pytest.param({"title": None}, REQUIRED, id="no_title"),
        pytest.param({"title": ""}, REQUIRED, id="blank_title"),
        pytest.param({"operational_members": None}, REQUIRED, id="no_operational_members"),
        pytest.param({"desired_outcome": "world_peace"}, CHOICE, id="unknown_outcome"),
        pytest.param({"operational_members": [987654]}, CHOICE, id="unknown_member"),
    ],
)
def test_launch_with_bad_input_creates_no_project(strategist, operator, clients, changes, message):
    client = clients["strategic"]
    before = db_state()

    response = client.post(
        reverse("lifecycle:launch_project:execute"), launch_body(operator, **changes)
    )

    assert response.status_code in (200, 422)
    assert message in html.unescape(response.content.decode())
    assert Project.objects.count() == 0
    assert db_state() == before
    # The same launch with valid data goes through.
    response = client.post(reverse("lifecycle:launch_project:execute"), launch_body(operator))
    assert response.status_code == 302
    assert Project.objects.get().title == "Refused launch"


def test_refused_evidence_file_is_not_stored_and_an_allowed_one_is(
    clients, project, settings, tmp_path
):
    # given: uploads go to an empty folder, and the design task is claimed
    settings.MEDIA_ROOT = str(tmp_path)
    task = reach(clients, project, "design_architecture")
    client = clients["operational"]
    assert client.post(task_url(task, "assign")).status_code == 302
    valid = post_data("design_architecture", default_data(project, "design_architecture"))

    # when: an executable is attached
    refused = client.post(task_url(task, "execute"), executable_evidence(valid))

    # then: refused, and no file reached the storage
    assert refused.status_code == 422
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []

    # when: a PDF is attached instead
    accepted = client.post(
        task_url(task, "execute"),
        {**valid, "evidence": SimpleUploadedFile("design.pdf", b"%PDF-1.4\n", "application/pdf")},
    )

    # then: stored with the design
    assert accepted.status_code == 302
    design = op.ArchitectureDesign.objects.get(project=project)
    assert design.evidence.name.endswith(".pdf")
    assert [path.suffix for path in tmp_path.rglob("*") if path.is_file()] == [".pdf"]


def test_evidence_is_downloaded_by_members_only_and_svg_is_refused(
    clients, project, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    task = reach(clients, project, "design_architecture")
    client = clients["operational"]
    client.post(task_url(task, "assign"))
    valid = post_data("design_architecture", default_data(project, "design_architecture"))
    svg = SimpleUploadedFile("design.svg", b"<svg onload='alert(1)'/>", "image/svg+xml")

    refused = client.post(task_url(task, "execute"), {**valid, "evidence": svg})
    client.post(
        task_url(task, "execute"),
        {**valid, "evidence": SimpleUploadedFile("design.pdf", b"%PDF-1.4\n", "application/pdf")},
    )
    design = op.ArchitectureDesign.objects.get(project=project)
    url = reverse("projects:evidence", args=[project.pk, design.pk])
    member = clients["strategic"].get(url)
    stranger = login(UserFactory(username="stranger")).get(url)

    assert refused.status_code == 422
    assert member.status_code == 200
    assert member["Content-Disposition"].startswith("attachment;")
    assert b"".join(member.streaming_content) == b"%PDF-1.4\n"
    assert stranger.status_code == 404
