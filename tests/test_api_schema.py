"""schemathesis against the generated OpenAPI schema: no server error, no answer outside the schema.

The schema is loaded from the app itself (/api/schema/) and every operation is called
in-process through WSGI with a token of a project waiting at deploy_artifact, so the
documented examples and generated bodies reach real 2xx, 4xx and 409 paths.
"""

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .api_support import _fresh_throttles, token  # noqa: F401
from .journeys import reach

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def deploying(clients, project, strategist, settings):
    """A project at deploy_artifact (artifact 1.0.0 exists) and a token with every scope.

    Rate limits are raised so that generated cases reach the views; 429 has its own test.
    """
    rates = dict.fromkeys(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "100000/min")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    reach(clients, project, "deploy_artifact")
    # Django's WSGI handler closes the database connection after each request, which
    # would end the test's transaction; unhook it like the test client does.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield project, token(project, strategist)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# Generating the schema touches no database, so it can load when the module is collected.
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
# One pytest item per operation, each with its own id: parallel runs (xdist) schedule
# items by id, and schemathesis' own parametrize gives them all the same one.
OPERATIONS = [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_the_api_answers_within_its_schema(operation, deploying):
    project, key = deploying

    @hypothesis.given(case=operation.as_strategy())
    @hypothesis.settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=list(hypothesis.HealthCheck),
        derandomize=True,
        database=None,
    )
    def answers_within_schema(case):
        if "project_id" in (case.path_parameters or {}):
            case.path_parameters["project_id"] = project.pk
        case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)

    answers_within_schema()


def test_every_operation_is_checked():
    assert len(OPERATIONS) == 10
