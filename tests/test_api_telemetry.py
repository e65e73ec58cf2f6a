"""Telemetry from IT infrastructure: batches of up to 10,000 points, all or nothing, once per id."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client, override_settings

from apps.infrastructure.models import TelemetryBatch
from apps.operations.models import TelemetryPoint

from .api_support import Api, _fresh_throttles, project_url, token  # noqa: F401
from .conftest import start_project
from .journeys import reach


def points(count, start=None, metric="latency_ms"):
    start = start or datetime.now(UTC) - timedelta(hours=1)
    return [
        {
            "metric": metric,
            "value": 400 + index % 300,
            "recorded_at": (start + timedelta(milliseconds=index)).isoformat(),
        }
        for index in range(count)
    ]


def test_a_batch_is_stored_whole_and_a_repeated_batch_id_writes_nothing(project, strategist):
    api = Api(token(project, strategist, "infrastructure"))
    url = project_url(project, "telemetry/")
    batch = {"batch_id": "node-7:2024-05-01T10:00", "points": points(3)}

    first = api.post(url, batch)
    again = api.post(url, batch)
    changed = api.post(url, {**batch, "points": points(5)})

    assert first.status_code == 201, first.json()
    assert first.json()["accepted"] == 3
    assert first.json()["artifact_version"] is None
    assert (again.status_code, again.json()) == (200, first.json())
    assert (changed.status_code, changed.json()) == (200, first.json())
    assert TelemetryPoint.objects.filter(project=project).count() == 3
    assert TelemetryBatch.objects.count() == 1


def test_a_batch_with_one_invalid_point_is_refused_whole(project, strategist):
    api = Api(token(project, strategist, "infrastructure"))
    batch = points(4)
    batch[2] = {"metric": "latency ms", "value": "fast", "recorded_at": "2024-05-01T10:00:00"}

    response = api.post(project_url(project, "telemetry/"), {"batch_id": "b-1", "points": batch})

    assert response.status_code == 400
    assert response.json() == {
        "points": {
            "2": {
                "metric": ["Use 1 to 60 letters, digits, '_' or '-'."],
                "value": ["Give a finite number."],
                "recorded_at": ["Give a time zone, e.g. 'Z' or '+01:00'."],
            }
        }
    }
    assert not TelemetryPoint.objects.exists()
    assert not TelemetryBatch.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"batch_id": ""}, "batch_id"),
        ({"batch_id": "has space"}, "batch_id"),
        ({"artifact_version": "7.7.7"}, "artifact_version"),
        ({"points": []}, "points"),
        ({"points": "many"}, "points"),
        (
            {"points": [{"metric": "requests", "value": True, "recorded_at": "2024-01-01T00:00Z"}]},
            "points",
        ),
        (
            {"points": [{"metric": "requests", "value": 1, "recorded_at": "2999-01-01T00:00Z"}]},
            "points",
        ),
        (
            {
                "points": [
                    {"metric": "requests", "value": 1, "recorded_at": "0001-01-01T00:00-12:00"}
                ]
            },
            "points",
        ),
    ],
)
def test_bad_batches_get_a_message_per_field_and_write_nothing(project, strategist, change, field):
    api = Api(token(project, strategist, "infrastructure"))

    response = api.post(
        project_url(project, "telemetry/"), {"batch_id": "b-1", "points": points(2), **change}
    )

    assert response.status_code == 400
    assert field in response.json()
    assert not TelemetryPoint.objects.exists()


def test_more_than_10000_points_is_413(project, strategist):
    api = Api(token(project, strategist, "infrastructure"))

    response = api.post(
        project_url(project, "telemetry/"), {"batch_id": "big", "points": points(10_001)}
    )

    assert response.status_code == 413
    assert response.json() == {"detail": "A batch holds at most 10000 points."}
    assert not TelemetryPoint.objects.exists()


@override_settings(API_MAX_BODY_BYTES=2000)
def test_a_body_over_the_size_limit_is_413(project, strategist):
    api = Api(token(project, strategist, "infrastructure"))

    response = api.post(project_url(project, "telemetry/"), {"batch_id": "b", "points": points(50)})

    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is larger than 2000 bytes."}
    assert not TelemetryBatch.objects.exists()


def test_a_full_batch_of_10000_points_is_stored(project, strategist):
    api = Api(token(project, strategist, "infrastructure"))

    started = time.perf_counter()
    response = api.post(
        project_url(project, "telemetry/"), {"batch_id": "full", "points": points(10_000)}
    )
    elapsed = time.perf_counter() - started

    assert response.status_code == 201
    assert TelemetryPoint.objects.filter(project=project).count() == 10_000
    print(f"\n10,000 points in {elapsed:.2f}s on {connection.vendor}")


def test_points_are_attributed_to_the_deployed_artifact_version(clients, project, strategist):
    reach(clients, project, "integrate_artifact")
    api = Api(token(project, strategist, "infrastructure"))

    response = api.post(project_url(project, "telemetry/"), {"batch_id": "b", "points": points(2)})

    assert response.json()["artifact_version"] == "1.0.0"
    assert set(
        TelemetryPoint.objects.filter(project=project).values_list(
            "artifact_version__version", flat=True
        )
    ) == {"1.0.0"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_batch_sent_twice_at_once_is_stored_once(strategist, operator):
    project = start_project(strategist, "Concurrent telemetry", operational_members=[operator])
    key = token(project, strategist, "infrastructure")
    batch = {"batch_id": "race", "points": points(5000)}
    barrier, codes = threading.Barrier(2), []

    def send():
        try:
            api = Api(key, client=Client())
            barrier.wait()
            codes.append(api.post(project_url(project, "telemetry/"), batch).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sorted(codes) == [200, 201]
    assert TelemetryPoint.objects.filter(project=project).count() == 5000
