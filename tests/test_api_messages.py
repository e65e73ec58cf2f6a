"""Incoming messages from IT infrastructure, and the tasks that wait for them, over HTTP."""

import html

from apps.audit.models import Event
from apps.infrastructure.models import (
    DecommissionConfirmation,
    DeploymentConfirmation,
    EvaluationSubmission,
)
from apps.operational.models import Deployment, RetirementRecord

from .api_support import Api, _fresh_throttles, confirmation_body, project_url, token  # noqa: F401
from .conftest import default_data, post_data, task_url
from .journeys import reach

NOT_CONFIRMED = "IT infrastructure has not confirmed this deployment yet"


def claimed(clients, project, node_name):
    task = reach(clients, project, node_name)
    client = clients[task.flow_task.lane]
    assert client.post(task_url(task, "assign")).status_code == 302
    return task, client


def without_manual(body):
    return {k: v for k, v in body.items() if not k.startswith("manual_confirmation")}


def page(response) -> str:
    return html.unescape(response.content.decode())


# Deployment confirmation and deploy_artifact


def test_deploy_artifact_cannot_be_completed_before_the_confirmation_arrives(
    clients, project, strategist
):
    # given: deploy_artifact is open and claimed; IT infrastructure has not confirmed
    task, client = claimed(clients, project, "deploy_artifact")
    body = without_manual(post_data("deploy_artifact", default_data(project, "deploy_artifact")))

    # when: the operational member completes it anyway
    response = client.post(task_url(task, "execute"), body)

    # then: 422 with the reason, the task still open, no deployment recorded
    assert response.status_code == 422
    assert NOT_CONFIRMED in page(response)
    task.refresh_from_db()
    assert task.status in ("ASSIGNED", "STARTED")
    assert not Deployment.objects.filter(project=project).exists()

    # when: the confirmation arrives through the API
    api = Api(token(project, strategist, "infrastructure"))
    confirmed = api.post(project_url(project, "deployment-confirmations/"), confirmation_body())
    assert confirmed.status_code == 201, confirmed.json()

    # then: the form is filled in from it and the task completes without a manual confirmation
    form = page(client.get(task_url(task, "execute")))
    assert "production-eu" in form
    assert "gpu: 2 x L4" in form
    assert "Confirm the deployment manually" not in form
    assert "Confirmed by IT infrastructure" in form
    response = client.post(task_url(task, "execute"), body)
    assert response.status_code == 302, page(response)[-2000:]
    task.refresh_from_db()
    assert task.status == "DONE"
    event = project.events.get(node_id="deploy_artifact", summary__startswith="Artifact")
    assert event.data["confirmation"] == "deploy-1"


def test_a_confirmation_with_failed_live_tests_does_not_release_the_deployment(
    clients, project, strategist
):
    task, client = claimed(clients, project, "deploy_artifact")
    body = without_manual(post_data("deploy_artifact", default_data(project, "deploy_artifact")))
    api = Api(token(project, strategist, "infrastructure"))

    confirmed = api.post(
        project_url(project, "deployment-confirmations/"),
        confirmation_body(live_tests_passed=False),
    )
    response = client.post(task_url(task, "execute"), body)

    assert confirmed.status_code == 201
    assert response.status_code == 422
    assert NOT_CONFIRMED in page(response)
    assert not Deployment.objects.filter(project=project).exists()


def test_a_manual_deployment_confirmation_needs_a_reason_that_goes_on_the_record(clients, project):
    task, client = claimed(clients, project, "deploy_artifact")
    body = without_manual(post_data("deploy_artifact", default_data(project, "deploy_artifact")))

    no_reason = client.post(task_url(task, "execute"), {**body, "manual_confirmation": "on"})
    assert no_reason.status_code == 422
    assert "Say how IT infrastructure confirmed it" in page(no_reason)

    response = client.post(
        task_url(task, "execute"),
        {
            **body,
            "manual_confirmation": "on",
            "manual_confirmation_reason": "Confirmed by phone with the platform on-call.",
        },
    )

    assert response.status_code == 302
    event = project.events.get(node_id="deploy_artifact", summary__startswith="Artifact")
    assert event.reason == "Confirmed manually: Confirmed by phone with the platform on-call."
    assert event.data["confirmation"] == "manual"
    assert event.actor.username == "operator"


def test_a_deployment_confirmation_arriving_twice_is_recorded_once(clients, project, strategist):
    reach(clients, project, "deploy_artifact")
    api = Api(token(project, strategist, "infrastructure"))
    url = project_url(project, "deployment-confirmations/")

    first = api.post(url, confirmation_body())
    events = Event.objects.count()
    second = api.post(url, confirmation_body())

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert DeploymentConfirmation.objects.count() == 1
    assert Event.objects.count() == events


def test_a_confirmation_nobody_waits_for_is_refused_with_409(project, strategist):
    api = Api(token(project, strategist, "infrastructure"))

    response = api.post(project_url(project, "deployment-confirmations/"), confirmation_body())

    # The version does not exist yet either: that is reported per field first.
    assert response.status_code == 400
    assert "artifact_version" in response.json()
    decommission = api.post(
        project_url(project, "decommission-confirmations/"),
        {"confirmation_id": "d-1", "details": "Nothing to shut down."},
    )
    assert decommission.status_code == 409
    assert "No retirement" in decommission.json()["detail"]
    assert not DecommissionConfirmation.objects.exists()


def test_a_confirmation_after_deployment_is_409(clients, project, strategist):
    reach(clients, project, "integrate_artifact")
    api = Api(token(project, strategist, "infrastructure"))

    response = api.post(project_url(project, "deployment-confirmations/"), confirmation_body())

    assert response.status_code == 409
    assert response.json() == {
        "detail": "No deployment of this project is waiting for confirmation."
    }


def test_bad_confirmations_get_a_message_per_field(clients, project, strategist):
    reach(clients, project, "deploy_artifact")
    api = Api(token(project, strategist, "infrastructure"))

    response = api.post(
        project_url(project, "deployment-confirmations/"),
        confirmation_body(
            confirmation_id="",
            version="9.9.9",
            endpoint="not a url",
            resources={"bad key!": "x"},
            live_tests_passed="maybe",
        ),
    )

    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {
        "confirmation_id",
        "artifact_version",
        "endpoint",
        "resources",
        "live_tests_passed",
    }
    assert errors["artifact_version"] == ["Artifact version 9.9.9 does not exist in this project."]
    assert not DeploymentConfirmation.objects.exists()


def test_a_body_that_is_not_json_is_400_and_a_wrong_media_type_415(project, strategist):
    api = Api(token(project, strategist))
    url = project_url(project, "telemetry/")

    assert api.post(url, b"{not json").status_code == 400
    response = api.client.post(url, "a=1", content_type="text/plain", headers=api.headers)
    assert response.status_code == 415


# Decommission confirmation and retire_artifact


def test_retire_artifact_waits_for_the_decommission_confirmation(clients, project, strategist):
    task, client = claimed(clients, project, "retire_artifact")
    valid = post_data("retire_artifact", default_data(project, "retire_artifact"))
    body = {k: v for k, v in without_manual(valid).items() if k != "decommission_confirmed"}

    refused = client.post(task_url(task, "execute"), body)
    assert refused.status_code == 422
    assert "The artifact is not retired until this is done." in page(refused)

    api = Api(token(project, strategist, "infrastructure"))
    response = api.post(
        project_url(project, "decommission-confirmations/"),
        {
            "confirmation_id": "decom-7",
            "environment": "production-eu",
            "details": "Endpoint removed, GPUs released.",
            "archive_location": "s3://archive/support",
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["artifact_version"] == "1.0.0"

    form = page(client.get(task_url(task, "execute")))
    assert "Confirmed by IT infrastructure (decom-7)" in form
    done = client.post(task_url(task, "execute"), body)
    assert done.status_code == 302, page(done)[-2000:]
    record = RetirementRecord.objects.get(project=project)
    assert record.decommission_confirmed
    event = project.events.get(node_id="retire_artifact", summary__startswith="Artifact retired")
    assert event.data["confirmation"] == "decom-7"


def test_a_manual_decommission_confirmation_needs_a_reason(clients, project):
    task, client = claimed(clients, project, "retire_artifact")
    body = without_manual(post_data("retire_artifact", default_data(project, "retire_artifact")))

    refused = client.post(task_url(task, "execute"), body)
    assert refused.status_code == 422
    done = client.post(
        task_url(task, "execute"), {**body, "manual_confirmation_reason": "Ticket CHG-9 closed."}
    )

    assert done.status_code == 302
    event = project.events.get(node_id="retire_artifact", summary__startswith="Artifact retired")
    assert event.reason.startswith("Confirmed manually: Ticket CHG-9 closed.")


# Evaluation results and evaluate_artifact


def test_evaluation_results_fill_the_evaluation_form_and_are_checked_against_the_criteria(
    clients, project, strategist
):
    task, client = claimed(clients, project, "evaluate_artifact")
    api = Api(token(project, strategist, "evaluation"))
    body = {
        "run_id": "ci-118",
        "artifact_version": "1.0.0",
        "source": "nightly eval harness",
        "report_url": "https://ci.example.com/runs/118",
        "metrics": {"latency_p95_ms": 612.5, "accuracy": 0.934567, "throughput_rps": 4},
    }

    response = api.post(project_url(project, "evaluations/"), body)
    again = api.post(project_url(project, "evaluations/"), body)

    assert response.status_code == 201, response.json()
    assert again.status_code == 200
    assert again.json() == response.json()
    assert EvaluationSubmission.objects.count() == 1
    result = response.json()
    assert result["metrics"] == {"latency_p95_ms": 612.5, "accuracy": 0.9346, "throughput_rps": 4.0}
    assert [(c["metric"], c["met"]) for c in result["checks"]] == [
        ("latency_p95_ms", True),
        ("accuracy", True),
        ("throughput_rps", False),
    ]
    assert result["all_met"] is False
    form = page(client.get(task_url(task, "execute")))
    assert 'value="612.5000"' in form
    assert 'value="0.9346"' in form
    assert "Results from nightly eval harness (run ci-118)" in form
    assert "throughput_rps >= 5 requests/s: 4, not met" in form


def test_bad_evaluation_results_get_a_message_per_field(clients, project, strategist):
    reach(clients, project, "evaluate_artifact")
    api = Api(token(project, strategist, "evaluation"))

    response = api.post(
        project_url(project, "evaluations/"),
        {"run_id": "ci 1", "artifact_version": "2.0", "source": "", "metrics": {}},
    )

    assert response.status_code == 400
    assert set(response.json()) == {"run_id", "artifact_version", "source", "metrics"}
    assert not EvaluationSubmission.objects.exists()
