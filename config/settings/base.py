"""Settings shared by every environment, read from environment variables.

Each value has an embedded default that suits the quick start (SQLite, no Redis,
email to the console); production.py removes the defaults that must not leak.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent
APPS_DIR = BASE_DIR / "apps"

env = environ.Env()
env.read_env(str(BASE_DIR / ".env"), overwrite=False) if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# API throttles count in the cache: point CACHE_URL at Redis when several web processes run.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "guardian",
    "viewflow",
    "viewflow.workflow",
    "apps.audit",
    "apps.projects",
    "apps.strategic",
    "apps.operational",
    "apps.operations",
    "apps.lifecycle",
    "apps.notifications",
    "apps.notation",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "apps.infrastructure",
    "apps.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "viewflow.middleware.SiteMiddleware",
    "viewflow.middleware.HotwireTurboMiddleware",
    "apps.lifecycle.middleware.ProcessAccessMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# viewflow's process classes are proxies; guardian must key their permissions by
# the proxy's own content type, or object permissions on processes never match.
GUARDIAN_GET_CONTENT_TYPE = "apps.projects.permissions.get_content_type"
ANONYMOUS_USER_NAME = None

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Without collectstatic (quick start, tests) serve from the finders.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = env.bool("WHITENOISE_AUTOREFRESH", default=False)
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media"))
# Evidence files are documents, not executables or archives of unknown content.
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
# No SVG or HTML: a file that can carry script must never be served from our origin.
EVIDENCE_EXTENSIONS = ["pdf", "png", "jpg", "jpeg", "md", "txt", "drawio", "json", "yaml", "yml"]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="LLMOps governance <llmops@localhost>")
# Absolute links in emails point here.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = env(
    "CELERY_RESULT_BACKEND",
    default=CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else None,
)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # An unacknowledged job returns to the queue after this long when its worker vanished.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    # How often a worker looks for such messages (seconds, and every n-th look scans).
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
}

# Demo logins (seed_demo) are only ever created with this switch on.
DEMO_LOGINS_ALLOWED = env.bool("DEMO_LOGINS_ALLOWED", default=DEBUG)

# Defaults for a new project's operation policy; decision makers edit them per project.
LIFECYCLE_DEFAULT_MONITORING_WINDOW = timedelta(
    hours=env.int("LIFECYCLE_MONITORING_WINDOW_HOURS", default=24)
)
LIFECYCLE_DEFAULT_ASSESSMENT_INTERVAL = timedelta(
    days=env.int("LIFECYCLE_ASSESSMENT_INTERVAL_DAYS", default=30)
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Timers and jobs live in the database; beat only says "look now", so a lost
    # tick or a flushed broker costs a minute, never a step of the process.
    "fire-due-workflow-timers": {"task": "apps.lifecycle.tasks.timers_fire", "schedule": 60.0},
    "resend-stale-jobs": {"task": "apps.lifecycle.tasks.jobs_resend", "schedule": 300.0},
    # Review emails: each send is recorded once per period, so a double beat sends nothing twice.
    "task-digests": {
        "task": "apps.notifications.tasks.digests_send",
        "schedule": crontab(hour=7, minute=0),
    },
    "strategic-reminders": {
        "task": "apps.notifications.tasks.reminders_send",
        "schedule": crontab(hour=7, minute=5),
    },
    "overdue-escalations": {"task": "apps.notifications.tasks.escalations_send", "schedule": 900.0},
    "retirement-notices": {
        "task": "apps.notifications.tasks.retirement_notices_send",
        "schedule": 300.0,
    },
    # Outgoing webhooks whose first Celery message was lost (broker flushed, worker gone).
    "resend-stale-webhooks": {
        "task": "apps.infrastructure.tasks.webhooks_resend",
        "schedule": 600.0,
    },
}

# The IT infrastructure API (apps.api): DRF with token or session auth, OpenAPI 3 by
# drf-spectacular at /api/schema/, Swagger UI served locally (sidecar) at /api/docs/.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["apps.api.parsers.LimitedJSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["apps.api.throttling.TokenRateThrottle"],
    # Per token and kind of endpoint. Counts live in the default cache: per process
    # unless CACHE_URL points at a shared one (Redis) in production.
    "DEFAULT_THROTTLE_RATES": {
        "api_read": env("API_THROTTLE_READ", default="600/min"),
        "api_messages": env("API_THROTTLE_MESSAGES", default="120/min"),
        "api_telemetry": env("API_THROTTLE_TELEMETRY", default="600/min"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.api.exceptions.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "LLMOps governance: IT infrastructure API",
    "DESCRIPTION": (
        "The message flows between the LLMOps life cycle and the IT infrastructure pool: "
        "deployment and decommission confirmations, telemetry, evaluation results; and "
        "reads for integrations. Authenticate with a project API token "
        "(`Authorization: Bearer <key>`) or, for reads, a browser session. Outgoing "
        "messages are webhooks signed with `X-LLMOps-Signature: sha256=<HMAC of the body>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=DATA_UPLOAD_MAX_MEMORY_SIZE)
API_TELEMETRY_MAX_POINTS = 10_000
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=9)
# Receivers on loopback or private networks only where that is the point (dev, tests).
WEBHOOK_ALLOW_PRIVATE_HOSTS = env.bool("WEBHOOK_ALLOW_PRIVATE_HOSTS", default=False)
