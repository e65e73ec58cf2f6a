"""Real Celery worker processes for the tests, on Redis and the test PostgreSQL database."""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def require_services():
    """Worker tests need PostgreSQL (shared with the worker) and Redis; CI has both."""
    if connection.vendor != "postgresql":
        pytest.skip("real workers share the database: needs PostgreSQL (DATABASE_URL)")
    try:
        redis.Redis.from_url(settings.CELERY_BROKER_URL).ping()
    except redis.RedisError as error:
        pytest.skip(f"real workers need Redis at {settings.CELERY_BROKER_URL}: {error}")


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def broker():
    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


class Worker:
    """One `celery worker` process; its log is kept to assert on and to print on failure."""

    def __init__(self, name: str, log_dir: Path, **env):
        self.log_path = log_dir / f"{name}.log"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            **env,
        }
        self.name = name
        self.process = None

    def start(self, timeout: float = 30):
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config.celery_app",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                f"--hostname={self.name}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "ready." in self.log():
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"worker {self.name} did not start:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self):
        """kill -9: no chance to acknowledge, requeue or clean up."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def running_worker(name, log_dir, **env):
    worker = Worker(name, log_dir, **env).start()
    try:
        yield worker
    finally:
        worker.stop()


def wait_until(predicate, timeout: float = 60, interval: float = 0.2, message: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        connection.close()  # see the worker's commits, not a stale snapshot
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out waiting: {message}")
