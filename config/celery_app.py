"""The Celery app: workers run the operation phase, beat keeps its clock."""

import os

from celery import Celery

# Like manage.py: deployments name their settings module (docker-compose.yml does).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("llmops")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
