"""Helpers for the API tests: tokens, an API client, a real webhook receiver."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.cache import cache
from django.test import Client

from apps.infrastructure.models import ApiToken
from apps.infrastructure.services import api_token_create

ALL_SCOPES = list(ApiToken.Scope.values)


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counts live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


def token(project, actor, *scopes, name="CD pipeline") -> str:
    """A new API token of ``project`` (all scopes unless named); returns the plaintext key."""
    _token, key = api_token_create(
        project=project, name=name, scopes=list(scopes or ALL_SCOPES), actor=actor
    )
    return key


class Api:
    """An HTTP client of the API, with a token or a logged-in session."""

    def __init__(self, key=None, client=None):
        self.client = client or Client()
        self.headers = {"Authorization": f"Bearer {key}"} if key else {}

    def get(self, path, **params):
        return self.client.get(path, params, headers=self.headers)

    def post(self, path, body, **extra):
        data = body if isinstance(body, (bytes, str)) else json.dumps(body)
        return self.client.post(
            path, data, content_type="application/json", headers=self.headers, **extra
        )


def project_url(project, suffix=""):
    return f"/api/projects/{project.pk}/{suffix}"


def confirmation_body(confirmation_id="deploy-1", version="1.0.0", **changes):
    return {
        "confirmation_id": confirmation_id,
        "artifact_version": version,
        "environment": "production-eu",
        "endpoint": "https://llm.example.com/support",
        "resources": {"gpu": "2 x L4", "vcpu": "8", "memory": "32 GB"},
        "live_test_results": "100 shadow requests, p95 590 ms, no errors.",
        "live_tests_passed": True,
        **changes,
    }


class Receiver:
    """A real HTTP server on 127.0.0.1 receiving webhooks; answers a scripted list of codes."""

    def __init__(self, statuses=(204,)):
        self.statuses = list(statuses)
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": self.headers, "body": body})
                code = (
                    receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                )
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address
        return f"http://{host}:{port}/hooks/llmops"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def signature_valid(secret: str, request) -> bool:
    """What a receiver does: HMAC-SHA256 of "<timestamp>." + raw body, in constant time."""
    signed = request["headers"]["X-LLMOps-Timestamp"].encode() + b"." + request["body"]
    expected = "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, request["headers"]["X-LLMOps-Signature"])
