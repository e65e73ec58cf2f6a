"""Who may call the API: project tokens with scopes, revocation, sessions, limits, the use log."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from apps.infrastructure.models import ApiToken, TelemetryBatch, TokenUse
from apps.infrastructure.services import api_token_revoke

from .api_support import Api, _fresh_throttles, confirmation_body, project_url, token  # noqa: F401
from .conftest import UserFactory, login, start_project

NOT_FOUND = {"detail": "Not found."}
WRITES = {
    "deployment-confirmations/": confirmation_body(),
    "decommission-confirmations/": {"confirmation_id": "decom-1", "details": "Shut down."},
    "telemetry/": {
        "batch_id": "b-1",
        "points": [{"metric": "requests", "value": 5, "recorded_at": "2024-05-01T10:00:00Z"}],
    },
    "evaluations/": {
        "run_id": "ci-1",
        "artifact_version": "1.0.0",
        "source": "CI",
        "metrics": {"accuracy": 0.95},
    },
}
READS = ["", "tasks/", "assessments/"]


@pytest.fixture
def other_project(strategist, operator):
    return start_project(strategist, "Other project", operational_members=[operator])


def test_a_token_of_project_a_can_do_nothing_on_project_b(project, other_project, strategist):
    # given: a token of project A with every scope
    api = Api(token(project, strategist))

    # when / then: every endpoint of project B answers 404, exactly like a missing project
    for suffix in READS:
        for target in (other_project.pk, 987654):
            response = api.get(f"/api/projects/{target}/{suffix}")
            assert (response.status_code, response.json()) == (404, NOT_FOUND), suffix
    for suffix, body in WRITES.items():
        for target in (other_project.pk, 987654):
            response = api.post(f"/api/projects/{target}/{suffix}", body)
            assert (response.status_code, response.json()) == (404, NOT_FOUND), suffix
    assert not TelemetryBatch.objects.filter(project=other_project).exists()
    # and the project list holds project A alone
    listed = api.get("/api/projects/").json()["results"]
    assert [p["id"] for p in listed] == [project.pk]


def test_a_revoked_token_is_refused_at_once(project, strategist):
    key = token(project, strategist)
    api = Api(key)
    assert api.get(project_url(project)).status_code == 200

    api_token_revoke(token=ApiToken.objects.get(project=project), actor=strategist)
    response = api.get(project_url(project))

    assert response.status_code == 401
    assert response.json() == {"detail": "This API token has been revoked."}
    assert api.post(project_url(project, "telemetry/"), WRITES["telemetry/"]).status_code == 401
    assert list(TokenUse.objects.order_by("id").values_list("status_code", flat=True)) == [
        200,
        401,
        401,
    ]
    assert project.events.filter(summary__contains="revoked").count() == 1


@pytest.mark.parametrize(
    ("scopes", "method", "suffix", "needed"),
    [
        (["read"], "post", "telemetry/", "infrastructure"),
        (["read"], "post", "deployment-confirmations/", "infrastructure"),
        (["read"], "post", "decommission-confirmations/", "infrastructure"),
        (["infrastructure"], "post", "evaluations/", "evaluation"),
        (["evaluation"], "post", "telemetry/", "infrastructure"),
        (["infrastructure", "evaluation"], "get", "", "read"),
        (["infrastructure"], "get", "assessments/", "read"),
    ],
)
def test_a_token_without_the_scope_gets_403_and_nothing_is_written(
    project, strategist, scopes, method, suffix, needed
):
    api = Api(token(project, strategist, *scopes))

    if method == "get":
        response = api.get(project_url(project, suffix))
    else:
        response = api.post(project_url(project, suffix), WRITES[suffix])

    assert response.status_code == 403
    assert response.json() == {"detail": f"This token does not have the '{needed}' scope."}
    assert not TelemetryBatch.objects.exists()


@pytest.mark.parametrize("header", [None, "Bearer llmops_nope_nope", "Bearer", "Bearer a b"])
def test_no_token_or_an_unknown_one_is_401(project, header):
    client = Api()
    if header:
        client.headers = {"Authorization": header}

    response = client.get(project_url(project))

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'


def test_every_use_of_a_token_is_logged(project, strategist):
    api = Api(token(project, strategist, "read"))

    api.get(project_url(project))
    api.post(project_url(project, "telemetry/"), WRITES["telemetry/"])
    api.get("/api/projects/987654/")

    uses = list(TokenUse.objects.order_by("id").values_list("method", "path", "status_code"))
    assert uses == [
        ("GET", project_url(project), 200),
        ("POST", project_url(project, "telemetry/"), 403),
        ("GET", "/api/projects/987654/", 404),
    ]


def test_session_reads_follow_the_browser_permissions(project, other_project, operator, auditor):
    dana = UserFactory(username="dana")
    member, stranger, reader = (
        Api(client=login(operator)),
        Api(client=login(dana)),
        Api(client=login(auditor)),
    )

    assert member.get(project_url(project)).json()["title"] == project.title
    assert member.get(project_url(project, "tasks/")).status_code == 200
    assert (
        stranger.get(project_url(project)).status_code,
        stranger.get(project_url(project)).json(),
    ) == (
        404,
        NOT_FOUND,
    )
    assert stranger.get("/api/projects/").json()["results"] == []
    assert reader.get(project_url(project, "assessments/")).status_code == 200
    assert {p["id"] for p in reader.get("/api/projects/").json()["results"]} == {
        project.pk,
        other_project.pk,
    }


def test_a_session_cannot_send_messages(project, operator):
    member = Api(client=login(operator))

    response = member.post(project_url(project, "telemetry/"), WRITES["telemetry/"])

    assert response.status_code == 403
    assert not TelemetryBatch.objects.exists()


def test_too_many_requests_are_429_per_token(project, strategist):
    rates = {"api_read": "3/min", "api_messages": "3/min", "api_telemetry": "3/min"}
    first, second = Api(token(project, strategist)), Api(token(project, strategist, name="CI"))
    with override_settings(REST_FRAMEWORK={**_rest_framework(), "DEFAULT_THROTTLE_RATES": rates}):
        codes = [first.get(project_url(project)).status_code for _ in range(4)]
        other = second.get(project_url(project)).status_code
        limited = first.get(project_url(project))

    assert codes == [200, 200, 200, 429]
    assert other == 200
    assert int(limited.headers["Retry-After"]) > 0
    assert "throttled" in limited.json()["detail"]


def _rest_framework():
    from django.conf import settings

    return settings.REST_FRAMEWORK


def test_the_project_list_does_not_query_per_project(
    strategist, operator, auditor, django_assert_max_num_queries
):
    for index in range(3):
        start_project(strategist, f"Project {index}", operational_members=[operator])
    reader = Api(client=login(auditor))
    reader.get("/api/projects/")
    with django_assert_max_num_queries(12) as few:
        reader.get("/api/projects/")
    for index in range(3, 10):
        start_project(strategist, f"Project {index}", operational_members=[operator])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = reader.get("/api/projects/")
    assert response.json()["count"] == 10


# Admin console: created and revoked by decision makers, the key shown once


def test_a_decision_maker_creates_a_token_in_the_admin_and_sees_the_key_once(project, strategist):
    client = login(strategist)

    response = client.post(
        reverse("admin:infrastructure_apitoken_add"),
        {"project": project.pk, "name": "Deploy pipeline", "scopes": ["infrastructure", "read"]},
        follow=True,
    )

    assert response.status_code == 200
    key = re.search(r"<code>(llmops_[0-9a-f]{12}_[\w-]+)</code>", response.content.decode())[1]
    stored = ApiToken.objects.get()
    assert stored.scopes == ["infrastructure", "read"]
    assert key not in str(ApiToken.objects.values().get())
    assert Api(key).get(project_url(project)).status_code == 200
    page = client.get(reverse("admin:infrastructure_apitoken_change", args=[stored.pk]))
    assert page.status_code == 200
    assert key not in page.content.decode()
    assert project.events.filter(summary__startswith="API token 'Deploy pipeline'").exists()


def test_a_decision_maker_revokes_a_token_in_the_admin(project, strategist):
    key = token(project, strategist)
    client = login(strategist)

    client.post(
        reverse("admin:infrastructure_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [ApiToken.objects.get().pk]},
    )

    assert ApiToken.objects.get().revoked_at is not None
    assert Api(key).get(project_url(project)).status_code == 401


def test_the_admin_shows_tokens_only_of_projects_the_user_decides_on(
    project, strategist, decision_makers
):
    other_decider = UserFactory(username="other-decider", is_staff=True)
    other_decider.groups.add(decision_makers)
    theirs = start_project(other_decider, "Their project", operational_members=[other_decider])
    token(theirs, other_decider, name="Their token")
    token(project, strategist, name="Our token")
    client = login(strategist)

    page = client.get(reverse("admin:infrastructure_apitoken_changelist")).content.decode()
    theirs_token = ApiToken.objects.get(name="Their token")
    change = client.get(reverse("admin:infrastructure_apitoken_change", args=[theirs_token.pk]))

    assert "Our token" in page
    assert "Their token" not in page
    assert change.status_code == 302  # the admin's answer for an object it does not show
    response = client.post(
        reverse("admin:infrastructure_apitoken_add"),
        {"project": theirs.pk, "name": "Sneaky", "scopes": ["read"]},
    )
    assert response.status_code == 200  # the form refuses the foreign project
    assert not ApiToken.objects.filter(name="Sneaky").exists()


def test_a_token_can_be_created_and_revoked_from_the_shell(project, strategist, outsider):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("api_token", project=str(project.pk), user="strategist", scopes="read", stdout=out)
    key = out.getvalue().strip()
    assert Api(key).get(project_url(project)).status_code == 200

    with pytest.raises(CommandError, match="not a decision maker"):
        call_command("api_token", project=str(project.pk), user="outsider", stdout=StringIO())
    call_command(
        "api_token", user="strategist", revoke=ApiToken.objects.get().prefix, stdout=StringIO()
    )
    assert Api(key).get(project_url(project)).status_code == 401
