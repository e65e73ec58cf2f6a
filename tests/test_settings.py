"""Production settings fail fast on missing secrets instead of starting with a default.

Each case starts a fresh interpreter, as gunicorn would. The settings read ``.env``
from the repository root, so the subprocess loads a copy of ``config/`` placed in an
empty directory: a developer's own ``.env`` cannot supply the key the test withholds.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# What gunicorn does (config.wsgi:application runs django.setup()), and nothing more:
# reading settings.SECRET_KEY here would make Django itself refuse an empty key.
START = "from config.wsgi import application; print('started')"
SHOW = (
    "from django.conf import settings; print(settings.SECRET_KEY, ','.join(settings.ALLOWED_HOSTS))"
)
KEY = "a-production-key-that-is-long-enough-and-random-8f3kq0z"


@pytest.fixture
def start_production(tmp_path):
    skip_caches = shutil.ignore_patterns("__pycache__")
    shutil.copytree(REPO / "config", tmp_path / "config", ignore=skip_caches)
    for folder in ("static", "templates"):
        (tmp_path / folder).symlink_to(REPO / folder)

    def start(script=START, **environment) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.production",
            PYTHONPATH=os.pathsep.join([str(tmp_path), str(REPO)]),
            **environment,
        )
        return subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
            [sys.executable, "-c", script],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    return start


def test_production_refuses_to_start_without_a_secret_key(start_production):
    result = start_production(DJANGO_ALLOWED_HOSTS="governance.example.com")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_with_an_empty_secret_key(start_production):
    # DJANGO_SECRET_KEY= in an env file, or a secret store entry left blank: the variable
    # is there but holds no key. Started anyway, the site would answer 500 ("SECRET_KEY
    # must not be empty") to the first request that signs anything, e.g. every login.
    result = start_production(DJANGO_SECRET_KEY="", DJANGO_ALLOWED_HOSTS="governance.example.com")

    assert result.returncode != 0, "production started with an empty DJANGO_SECRET_KEY"
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts(start_production):
    result = start_production(DJANGO_SECRET_KEY=KEY)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_starts_with_a_secret_key_and_allowed_hosts(start_production):
    result = start_production(
        f"{START}; {SHOW}",
        DJANGO_SECRET_KEY=KEY,
        DJANGO_ALLOWED_HOSTS="governance.example.com,127.0.0.1",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["started", KEY, "governance.example.com,127.0.0.1"]
