"""Benchmark: one monitoring and assessment sweep of many operating projects on real workers.

Seeds ``--projects`` operating projects (criteria, KPIs, budget, policy) with
``--points`` telemetry points in all, then for each worker count starts that many
Celery worker processes on the configured broker and database, queues one sweep
task per project and times until every project has its report and assessment.
Run it against PostgreSQL and Redis:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/llmops_bench \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/13 \\
    python manage.py bench_operations --projects 2000 --points 100000 --workers 1 2
"""

import os
import random
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from apps.operational.models import AcceptanceCriterion, RequirementSet
from apps.operations.models import Assessment, MonitoringReport, OperationPolicy, TelemetryPoint
from apps.operations.tasks import project_sweep
from apps.projects.models import Project
from apps.strategic.models import Blueprint, BusinessRequirements, Kpi, Scope

TITLE = "bench-"


class Command(BaseCommand):
    help = "Time a monitoring and assessment sweep of many projects with 1 and 2 worker processes."

    def add_arguments(self, parser):
        parser.add_argument("--projects", type=int, default=2000)
        parser.add_argument("--points", type=int, default=100_000)
        parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
        parser.add_argument("--timeout", type=int, default=1800)

    def handle(self, *args, projects, points, workers, timeout, **options):
        if connection.vendor != "postgresql" or not settings.CELERY_BROKER_URL.startswith("redis"):
            raise CommandError(
                "Run the benchmark on PostgreSQL and Redis (DATABASE_URL, CELERY_BROKER_URL)."
            )
        started = time.perf_counter()
        ids = self.seed(projects, points)
        self.stdout.write(
            f"seeded {len(ids)} projects, {points} telemetry points "
            f"in {time.perf_counter() - started:.1f} s"
        )
        rates = {}
        for count in workers:
            rates[count] = self.sweep(ids, count, timeout)
            self.stdout.write(
                f"{count} worker process(es): {len(ids)} projects in "
                f"{len(ids) / rates[count]:.1f} s = {rates[count]:.1f} projects/s"
            )
        if len(rates) > 1:
            base = rates[workers[0]]
            for count in workers[1:]:
                self.stdout.write(f"ratio {count}/{workers[0]} workers: {rates[count] / base:.2f}")

    @transaction.atomic
    def seed(self, count, points):
        old = Project.objects.filter(title__startswith=TITLE)
        TelemetryPoint.objects.filter(project__in=old).delete()
        MonitoringReport.objects.filter(project__in=old).delete()
        Assessment.objects.filter(project__in=old).delete()
        owner, _ = get_user_model().objects.get_or_create(username="bench")
        now = timezone.now()
        existing = Project.objects.filter(title__startswith=TITLE).count()
        Project.objects.bulk_create(
            Project(
                title=f"{TITLE}{n}",
                sponsor="bench",
                use_case="bench",
                desired_outcome="other",
                created_by=owner,
            )
            for n in range(existing, count)
        )
        projects = list(Project.objects.filter(title__startswith=TITLE).order_by("id")[:count])
        fresh = [p for p in projects if not OperationPolicy.objects.filter(project=p).exists()]
        OperationPolicy.objects.bulk_create(
            OperationPolicy(project=p, assessment_interval=timedelta(0), min_value_score=30)
            for p in fresh
        )
        business = BusinessRequirements.objects.bulk_create(
            BusinessRequirements(
                project=p,
                version=1,
                iteration=1,
                objectives="o",
                benefits="b",
                constraints="c",
                value_propositions="v",
                stakeholder_expectations="s",
                use_case_descriptions="u",
            )
            for p in fresh
        )
        sets = RequirementSet.objects.bulk_create(
            RequirementSet(
                project=p, version=1, business_requirements=b, functional_requirements="f"
            )
            for p, b in zip(fresh, business, strict=True)
        )
        AcceptanceCriterion.objects.bulk_create(
            AcceptanceCriterion(
                requirement_set=s, metric=m, comparator=c, threshold=Decimal(t), unit=u
            )
            for s in sets
            for m, c, t, u in [
                ("latency_p95_ms", "<=", "800", "ms"),
                ("accuracy", ">=", "0.9", "ratio"),
                ("error_rate", "<=", "0.02", "ratio"),
            ]
        )
        scopes = Scope.objects.bulk_create(
            Scope(project=p, scope="s", objectives="o") for p in fresh
        )
        Kpi.objects.bulk_create(
            Kpi(scope=s, name=n, unit="u", target=Decimal(t), direction=d)
            for s in scopes
            for n, t, d in [
                ("quality_score", "0.85", "at_least"),
                ("latency_p95_ms", "800", "at_most"),
            ]
        )
        Blueprint.objects.bulk_create(
            Blueprint(project=p, iteration=1, summary="s", milestones="m", budget=Decimal("4000"))
            for p in fresh
        )
        rng = random.Random(42)  # noqa: S311 - reproducible benchmark data, not secrets
        metrics = ["latency_ms", "requests", "errors", "cost_eur", "accuracy", "quality_score"]
        values = {
            "latency_ms": (300, 1200),
            "requests": (100, 900),
            "errors": (0, 3),
            "cost_eur": (0.01, 0.2),
            "accuracy": (0.8, 0.99),
            "quality_score": (0.7, 0.95),
        }
        rows = []
        for i in range(points):
            project = projects[i % len(projects)]
            metric = metrics[i % len(metrics)]
            low, high = values[metric]
            rows.append(
                TelemetryPoint(
                    project=project,
                    metric=metric,
                    value=rng.uniform(low, high),
                    recorded_at=now - timedelta(seconds=rng.randint(1, 3000)),
                )
            )
        TelemetryPoint.objects.bulk_create(rows, batch_size=10_000)
        # Operation started an hour ago: the sweep's window covers all points.
        Project.objects.filter(pk__in=[p.pk for p in projects]).update(
            created_at=now - timedelta(hours=1)
        )
        return [p.pk for p in projects]

    def sweep(self, ids, workers, timeout):
        MonitoringReport.objects.filter(project_id__in=ids).delete()
        Assessment.objects.filter(project_id__in=ids).delete()
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "")}
        procs = [
            subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config.celery_app",
                    "worker",
                    "--pool=solo",
                    "--loglevel=WARNING",
                    f"--hostname=bench{n}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for n in range(workers)
        ]
        try:
            time.sleep(3)  # let the workers connect before the clock starts
            key_base = -int(time.time())  # sweep keys stand in for flow task ids
            started = time.perf_counter()
            for pk in ids:
                project_sweep.delay(pk, key_base * 100_000 - pk)
            deadline = started + timeout
            while Assessment.objects.filter(project_id__in=ids).count() < len(ids):
                if time.perf_counter() > deadline:
                    raise CommandError("sweep timed out")
                time.sleep(0.25)
            return len(ids) / (time.perf_counter() - started)
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(30)
