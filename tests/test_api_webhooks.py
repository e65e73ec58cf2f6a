"""Outgoing messages to IT infrastructure: signed webhooks, retried by Celery, every attempt logged.

A real HTTP server on 127.0.0.1 receives them and checks the signature as a
receiver would; the Celery task runs for real, synchronously (``apply``).
"""

import json
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from apps.infrastructure.models import WebhookDelivery
from apps.infrastructure.services import deployment_request_send, webhook_endpoint_save
from apps.infrastructure.tasks import webhook_deliver

from .api_support import Receiver, signature_valid
from .conftest import do, login
from .journeys import reach


@pytest.fixture
def receiver():
    with Receiver() as server:
        yield server


def endpoint_for(project, url, actor=None) -> str:
    _endpoint, secret = webhook_endpoint_save(project=project, url=url, actor=actor)
    return secret


def deliver(delivery):
    return webhook_deliver.apply(args=[str(delivery.pk)])


def test_opening_deploy_artifact_sends_a_signed_deployment_request(
    clients, project, strategist, receiver
):
    # given: the project's webhook endpoint is the receiver
    secret = endpoint_for(project, receiver.url, strategist)

    # when: the flow reaches deploy_artifact and Celery runs the delivery
    task = reach(clients, project, "deploy_artifact")
    delivery = WebhookDelivery.objects.get(project=project)
    result = deliver(delivery)

    # then: one POST, signed over its raw body, carrying what IT infrastructure needs
    assert result.get() == "delivered"
    (request,) = receiver.requests
    headers = request["headers"]
    assert signature_valid(secret, request)
    assert headers["X-LLMOps-Event"] == "deployment.requested"
    assert headers["X-LLMOps-Delivery"] == str(delivery.pk)
    assert headers["X-LLMOps-Timestamp"].isdigit()
    body = json.loads(request["body"])
    assert body["id"] == str(delivery.pk)
    assert body["event"] == "deployment.requested"
    assert body["project"] == {"id": project.pk, "title": project.title}
    assert body["task_id"] == task.pk
    assert body["node_id"] == "deploy_artifact"
    assert body["data"]["artifact_version"]["version"] == "1.0.0"
    assert body["data"]["confirmation_url"].endswith(
        f"/api/projects/{project.pk}/deployment-confirmations/"
    )
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 204)
    # and the delivery log is on the project page
    page = clients["operational"].get(reverse("projects:detail", args=[project.pk]))
    assert "Messages to IT infrastructure" in page.content.decode()
    assert "HTTP 204" in page.content.decode()


def test_a_tampered_body_fails_the_signature_check(clients, project, receiver):
    secret = endpoint_for(project, receiver.url)
    reach(clients, project, "deploy_artifact")
    deliver(WebhookDelivery.objects.get())

    (request,) = receiver.requests
    tampered = {**request, "body": request["body"].replace(b"1.0.0", b"6.6.6")}

    assert signature_valid(secret, request)
    assert not signature_valid(secret, tampered)
    assert not signature_valid("another secret", request)


def test_failed_attempts_are_retried_and_each_one_is_logged(clients, project):
    with Receiver(statuses=[500, 503, 200]) as flaky:
        endpoint_for(project, flaky.url)
        reach(clients, project, "deploy_artifact")
        delivery = WebhookDelivery.objects.get()

        result = deliver(delivery)

        assert result.get() == "delivered"
        assert len(flaky.requests) == 3
        # the same message each time: same id, same bytes
        assert len({r["body"] for r in flaky.requests}) == 1
    delivery.refresh_from_db()
    assert delivery.status == "delivered"
    assert delivery.attempts == 3
    log = list(delivery.log.values_list("number", "status_code"))
    assert log == [(1, 500), (2, 503), (3, 200)]
    assert delivery.log.get(number=1).error.startswith("HTTP 500")


def test_a_delivery_that_never_succeeds_fails_after_the_last_retry(clients, project, strategist):
    with Receiver(statuses=[502]) as down:
        endpoint_for(project, down.url)
        reach(clients, project, "deploy_artifact")
        delivery = WebhookDelivery.objects.get()

        deliver(delivery)

    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert delivery.attempts == settings.WEBHOOK_MAX_ATTEMPTS
    assert deliver(delivery).get() == "failed"  # settled: a late duplicate sends nothing
    assert delivery.log.count() == settings.WEBHOOK_MAX_ATTEMPTS

    # a decision maker sends it again from the admin, once the receiver is back
    client = login(strategist)
    client.post(
        reverse("admin:infrastructure_webhookdelivery_changelist"),
        {"action": "send_again", "_selected_action": [delivery.pk]},
    )
    delivery.refresh_from_db()
    assert delivery.status == "pending"


def test_an_unreachable_receiver_is_logged_as_an_error(clients, project):
    with Receiver() as gone:
        url = gone.url
    endpoint_for(project, url)  # the server is closed: connection refused
    reach(clients, project, "deploy_artifact")
    delivery = WebhookDelivery.objects.get()

    deliver(delivery)

    attempt = delivery.log.first()
    assert attempt.status_code is None
    assert attempt.error == "ConnectionRefusedError"  # the error's kind, never a reply body


def test_maintaining_the_artifact_sends_a_maintenance_change(clients, project, receiver):
    secret = endpoint_for(project, receiver.url)
    reach(clients, project, "maintain_artifact")

    do(
        clients,
        project,
        "maintain_artifact",
        kind="infrastructure_change",
        description="Moved to L40S.",
    )

    delivery = WebhookDelivery.objects.get(event="maintenance.changed")
    deliver(delivery)
    request = receiver.requests[-1]
    assert signature_valid(secret, request)
    data = json.loads(request["body"])["data"]
    assert data["kind"] == "infrastructure_change"
    assert data["description"] == "Moved to L40S."
    assert data["endpoint"] == "https://llm.example.com/support"


def test_opening_retire_artifact_sends_a_decommission_request(clients, project, receiver):
    endpoint_for(project, receiver.url)

    reach(clients, project, "retire_artifact")

    delivery = WebhookDelivery.objects.get(event="decommission.requested")
    deliver(delivery)
    data = json.loads(receiver.requests[-1]["body"])["data"]
    assert data["environment"] == "production-eu"
    assert data["confirmation_url"].endswith(
        f"/api/projects/{project.pk}/decommission-confirmations/"
    )
    assert project.events.filter(summary="Decommission request sent to IT infrastructure").exists()


def test_without_an_endpoint_nothing_is_sent(clients, project):
    reach(clients, project, "deploy_artifact")

    assert not WebhookDelivery.objects.exists()


@pytest.fixture
def eager_celery():
    """Celery runs tasks in-process when sent: the on_commit -> Celery -> HTTP chain, no broker."""
    from config.celery_app import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def test_the_request_goes_out_after_the_commit_through_celery(
    project, receiver, eager_celery, django_capture_on_commit_callbacks
):
    endpoint_for(project, receiver.url)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        delivery = deployment_request_send(project=project)
    assert receiver.requests == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()

    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert delivery.status == "delivered"


def test_a_delivery_whose_message_was_lost_is_sent_by_the_sweep(project, receiver, eager_celery):
    from datetime import timedelta

    from apps.infrastructure.tasks import webhooks_resend

    endpoint_for(project, receiver.url)
    delivery = deployment_request_send(project=project)  # its on_commit never ran
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        created_at=delivery.created_at - timedelta(minutes=11)
    )

    assert webhooks_resend.apply().get() == 1

    delivery.refresh_from_db()
    assert delivery.status == "delivered"
    assert len(receiver.requests) == 1
    assert webhooks_resend.apply().get() == 0


def test_a_decision_maker_sets_the_endpoint_in_the_admin_and_sees_the_secret_once(
    project, strategist, receiver
):
    client = login(strategist)

    response = client.post(
        reverse("admin:infrastructure_webhookendpoint_add"),
        {"project": project.pk, "url": receiver.url, "is_active": "on"},
        follow=True,
    )

    secret = re.search(r"Signing secret for .*?<code>([\w-]+)</code>", response.content.decode())[1]
    endpoint = project.webhook_endpoint
    assert endpoint.secret == secret
    assert project.events.filter(summary=f"Webhook endpoint set to {receiver.url}").exists()

    client.post(
        reverse("admin:infrastructure_webhookendpoint_changelist"),
        {"action": "rotate_secret", "_selected_action": [endpoint.pk]},
    )
    endpoint.refresh_from_db()
    assert endpoint.secret != secret
    deliver(deployment_request_send(project=project))
    assert signature_valid(endpoint.secret, receiver.requests[-1])


def test_a_second_copy_of_the_message_does_not_post_while_one_is_in_flight(clients, project):
    with Receiver(statuses=[200]) as receiver:
        endpoint_for(project, receiver.url)
        reach(clients, project, "deploy_artifact")
        delivery = WebhookDelivery.objects.get()
        # another worker has just claimed it
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            claimed_until=timezone.now() + timedelta(seconds=30)
        )

        assert deliver(delivery).get() == "busy"

        assert receiver.requests == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 0)


def test_receivers_on_private_addresses_are_refused_in_production(clients, project, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    with Receiver(statuses=[200]) as internal:
        endpoint_for(project, internal.url)  # 127.0.0.1: an internal host
        reach(clients, project, "deploy_artifact")
        delivery = WebhookDelivery.objects.get()

        deliver(delivery)

        assert internal.requests == []
    attempt = delivery.log.first()
    assert attempt.status_code is None
    assert attempt.error == "The receiver's host is not a public address."
