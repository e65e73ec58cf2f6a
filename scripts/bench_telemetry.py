#!/usr/bin/env python3
"""Telemetry ingestion benchmark: POST batches of 10,000 points and report points/s and p95.

Two ways to run it (see BENCHMARKS.md):

- against a server that is already up: ``--base-url http://127.0.0.1:8000``;
- ``--serve``: start gunicorn on 127.0.0.1 with the current environment (set
  DATABASE_URL to your own PostgreSQL database), run, and stop it again.

Either way it needs a project id and an API token with the infrastructure scope
(``manage.py api_token``). Only 127.0.0.1/localhost is accepted as a target, and
the loop is bounded by ``--batches``.
"""

import argparse
import http.client
import json
import os
import queue
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
LOCAL = {"127.0.0.1", "localhost", "::1"}


def batch_body(points: int, run: str, index: int) -> bytes:
    """One batch: latency, requests, errors and cost points over the last hour."""
    start = datetime.now(UTC) - timedelta(hours=1)
    metrics = ("latency_ms", "requests", "errors", "cost_eur")
    values = (lambda i: 380 + i % 400, lambda i: 1, lambda i: int(i % 97 == 0), lambda i: 0.002)
    rows = [
        {
            "metric": metrics[i % 4],
            "value": values[i % 4](i),
            "recorded_at": (start + timedelta(milliseconds=i * 7)).isoformat(),
        }
        for i in range(points)
    ]
    return json.dumps({"batch_id": f"bench-{run}-{index}", "points": rows}).encode()


def percentile(values, pct):
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))]


def post_all(base_url, project, key, bodies, clients, timeout):
    parts = urlsplit(base_url)
    path = f"{parts.path.rstrip('/')}/api/projects/{project}/telemetry/"
    jobs = queue.Queue()
    for body in bodies:
        jobs.put(body)
    times, failures, lock = [], [], threading.Lock()

    def client():
        while True:
            try:
                body = jobs.get_nowait()
            except queue.Empty:
                return
            started = time.perf_counter()
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
            try:
                connection.request(
                    "POST",
                    path,
                    body=body,
                    headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
                )
                response = connection.getresponse()
                answer = response.read()
                status = response.status
            except OSError as error:
                status, answer = None, str(error).encode()
            finally:
                connection.close()
            elapsed = time.perf_counter() - started
            with lock:
                if status == 201:
                    times.append(elapsed)
                else:
                    failures.append((status, answer[:200]))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    wall = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - wall, times, failures


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(base_url, deadline, server=None):
    parts = urlsplit(base_url)
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            raise SystemExit("gunicorn exited before it answered")
        try:
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=2)
            connection.request("GET", "/api/schema/")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server at {base_url} did not answer")


def start_gunicorn(port, workers):
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "benchmark-only-secret",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_LOG_LEVEL": "WARNING",
        **os.environ,
    }
    if not env.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("--serve wants DATABASE_URL=postgres://... (your own database)")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    return subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [
            str(gunicorn),
            "config.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            "--worker-class=sync",
            "--timeout=60",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", help="a running server; --serve picks a free port")
    parser.add_argument("--project", type=int, required=True)
    parser.add_argument("--token", default=os.environ.get("LLMOPS_API_TOKEN"))
    parser.add_argument("--batches", type=int, default=40)
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=4)
    parser.add_argument("--serve", action="store_true", help="start and stop gunicorn here")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()
    if not args.token:
        raise SystemExit("give --token or LLMOPS_API_TOKEN (manage.py api_token ...)")
    if args.serve:
        args.base_url = f"http://127.0.0.1:{free_port()}"
    if not args.base_url:
        raise SystemExit("give --base-url of a running server, or --serve")
    if urlsplit(args.base_url).hostname not in LOCAL:
        raise SystemExit("this benchmark only targets 127.0.0.1 / localhost")
    if not 1 <= args.batches <= 1000:
        raise SystemExit("--batches must lie between 1 and 1000")

    server = None
    if args.serve:
        server = start_gunicorn(urlsplit(args.base_url).port, args.workers)
    try:
        wait_until_up(args.base_url, time.monotonic() + 30, server)
        run = uuid.uuid4().hex[:8]
        print(f"preparing {args.warmup}+{args.batches} batches of {args.points} points ...")
        warmup = [batch_body(args.points, run, -i - 1) for i in range(args.warmup)]
        bodies = [batch_body(args.points, run, i) for i in range(args.batches)]
        post_all(args.base_url, args.project, args.token, warmup, args.clients, args.timeout)
        wall, times, failures = post_all(
            args.base_url, args.project, args.token, bodies, args.clients, args.timeout
        )
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)

    stored = len(times) * args.points
    mb = sum(len(b) for b in bodies) / len(bodies) / 1e6
    print(
        f"{len(times)} batches stored, {len(failures)} failed; {args.clients} clients; "
        f"{args.points} points ({mb:.2f} MB) per batch"
    )
    if failures:
        print("failures:", failures[:3])
    if times:
        print(f"throughput: {stored / wall:,.0f} points/s ({len(times) / wall:.2f} batches/s)")
        print(
            f"request time: p50 {statistics.median(times) * 1000:.0f} ms, "
            f"p95 {percentile(times, 95) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms"
        )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
