"""Quick-start settings: SQLite, console email, demo logins, no Redis."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-only-key-never-use-in-production")
DEMO_LOGINS_ALLOWED = env.bool("DEMO_LOGINS_ALLOWED", default=True)
WHITENOISE_AUTOREFRESH = True
