"""Scheduled review emails, received by a real SMTP server and parsed."""

import email
import socket
from datetime import timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from apps.lifecycle.jobs import operation_tick
from apps.notifications import services
from apps.notifications.models import SentEmail
from apps.notifications.services import preference_set
from apps.operations.services import policy_update

from .conftest import UserFactory, do, drive_to_operation, launch, open_tasks


class Inbox:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages = []
        self.refuse = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"

    def to(self, address):
        return [m for rcpts, m in self.messages if address in rcpts]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.SITE_URL = "https://llmops.example.com"
    yield inbox
    controller.stop()


def bodies(message):
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_digest_lists_a_users_tasks_overdue_first_with_links(smtp, clients, strategist, operator):
    first = launch(clients["strategic"], [operator], title="Old project")
    policy_update(project=first, task_due_days=1)
    launch(clients["strategic"], [operator], title="New project")
    later = timezone.now() + timedelta(days=2)  # the first project's task is overdue by then
    policy_update(project=first, task_due_days=1)

    sent = services.digests_send(now=later)

    assert sent == 1  # the operator has nothing to do yet
    (message,) = smtp.to("strategist@example.com")
    assert message["Subject"] == "[LLMOps] 2 task(s) waiting for you"
    text, html = bodies(message)
    assert text.index("Old project") < text.index("New project")
    assert "OVERDUE" in text.split("New project")[0]
    assert "https://llmops.example.com/lifecycle/" in text
    assert '<a href="https://llmops.example.com/lifecycle/' in html
    assert "(overdue)" in html


def test_digest_beat_twice_sends_nothing_twice(smtp, clients, operator):
    launch(clients["strategic"], [operator])

    assert services.digests_send() == 1
    assert services.digests_send() == 0
    assert len(smtp.messages) == 1
    assert SentEmail.objects.filter(kind="digest").count() == 1


def test_weekly_digest_goes_out_on_mondays_only_and_never_opts_out(
    smtp, clients, strategist, operator
):
    launch(clients["strategic"], [operator])
    preference_set(user=strategist, frequency="weekly")
    now = timezone.now()
    monday = now - timedelta(days=now.weekday())
    tuesday = monday + timedelta(days=1)

    assert services.digests_send(now=tuesday) == 0
    assert services.digests_send(now=monday) == 1
    preference_set(user=strategist, frequency="never")
    assert services.digests_send(now=monday + timedelta(days=7)) == 0
    assert len(smtp.messages) == 1


def test_strategic_reminder_names_assessments_awaiting_a_decision(smtp, clients, project):
    policy_update(project=project, monitoring_window=timedelta(0), assessment_interval=timedelta(0))
    drive_to_operation(clients, project)
    operation_tick()
    assert [t.flow_task.name for t in open_tasks(project)] == ["review_assessment"]

    assert services.reminders_send() == 1
    assert services.reminders_send() == 0
    (message,) = smtp.to("strategist@example.com")
    text, html = bodies(message)
    assert "Assessments awaiting your decision" in text
    assert "Review assessment and decide: Support assistant" in text
    assert smtp.to("operator@example.com") == []


def test_overdue_task_is_escalated_once_to_the_strategic_team_and_its_owner(smtp, clients, project):
    do(clients, project, "define_scope")
    do(clients, project, "define_business_requirements")
    (task,) = open_tasks(project, "derive_requirements")
    clients["operational"].post(task.flow_task.reverse("assign", args=[task.process_id, task.pk]))
    late = timezone.now() + timedelta(days=6)  # default policy: 5 days to complete a task

    assert services.escalations_send(now=late) == 2
    assert services.escalations_send(now=late + timedelta(hours=1)) == 0
    (to_strategist,) = smtp.to("strategist@example.com")
    (to_owner,) = smtp.to("operator@example.com")
    assert to_strategist["Subject"] == (
        "[LLMOps] Overdue: Derive functional and non-functional requirements (Support assistant)"
    )
    assert "claimed by operator" in bodies(to_owner)[0]


def test_automatic_retirement_notice_reaches_both_teams(smtp, clients, operator):
    project = launch(clients["strategic"], [operator], title="Claims & returns")
    policy_update(
        project=project,
        monitoring_window=timedelta(0),
        assessment_interval=timedelta(0),
        automatic_retirement=True,
        min_value_score=100,
    )
    drive_to_operation(clients, project)
    operation_tick()
    assert sorted(t.flow_task.name for t in open_tasks(project)) == [
        "retire_artifact",
        "terminate_project",
    ]

    assert services.retirement_notices_send() == 2
    assert services.retirement_notices_send() == 0
    for address in ("strategist@example.com", "operator@example.com"):
        (message,) = smtp.to(address)
        assert message["Subject"] == "[LLMOps] Claims & returns is being retired automatically"
        text, html = bodies(message)
        assert "below the policy minimum" in text
        assert "Claims & returns" in text  # plain text is not HTML-escaped
        assert "Claims &amp; returns" in html


def test_user_chooses_frequency_in_the_browser(client, operator):
    client.force_login(operator)

    response = client.post("/notifications/preferences/", {"frequency": "weekly"})
    bad = client.post("/notifications/preferences/", {"frequency": "hourly"})

    assert response.status_code == 302
    assert services.frequency_of(operator) == "weekly"
    assert bad.status_code == 200
    assert b"Select a valid choice" in bad.content
    assert services.frequency_of(operator) == "weekly"


def test_no_email_without_an_address(smtp, clients, operator):
    nobody = UserFactory(username="nomail", email="")
    launch(clients["strategic"], [operator, nobody])

    services.digests_send()

    assert all("nomail" not in str(rcpts) for rcpts, _ in smtp.messages)


def test_a_refused_address_does_not_stop_the_other_digests(smtp, clients, operator):
    launch(clients["strategic"], [operator], title="Waiting for the strategist")
    second = launch(clients["strategic"], [operator], title="Waiting for the operator")
    do(clients, second, "define_scope")
    do(clients, second, "define_business_requirements")
    smtp.refuse.add("strategist@example.com")

    sent = services.digests_send()

    assert sent == 1
    assert len(smtp.to("operator@example.com")) == 1
    assert smtp.to("strategist@example.com") == []
    assert not SentEmail.objects.filter(user__username="strategist").exists()  # next beat retries
