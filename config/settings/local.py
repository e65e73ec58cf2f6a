"""Quick-start settings: SQLite, console email, demo logins, no Redis."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-only-key-never-use-in-production")
DEMO_LOGINS_ALLOWED = env.bool("DEMO_LOGINS_ALLOWED", default=True)
WHITENOISE_AUTOREFRESH = True

# The quick start needs no Redis: an embedded worker reads a folder-based queue.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    CELERY_RESULT_BACKEND = None
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BASE_DIR / ".celery" / "queue"),  # noqa: F405
        "data_folder_out": str(BASE_DIR / ".celery" / "queue"),  # noqa: F405
        "control_folder": str(BASE_DIR / ".celery" / "control"),  # noqa: F405
    }
WEBHOOK_ALLOW_PRIVATE_HOSTS = True
