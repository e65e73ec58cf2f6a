# Load the Celery app with Django so that shared tasks send through its broker.
from .celery_app import app as celery_app

__all__ = ("celery_app",)
