"""Settings shared by every environment; values come from the environment (see docs/operations.md)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from wushe.settings.env import (
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_networks,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(env_str("WUSHE_VAR_DIR") or PROJECT_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded SQLite database and uploads live here

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY") or ""
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The TLS proxies in front (CIDRs): a request from one is attributed to the address it
# forwards in X-Forwarded-For (wushe/core/client_ip.py). Empty: REMOTE_ADDR only.
WUSHE_TRUSTED_PROXIES = env_networks("WUSHE_TRUSTED_PROXIES")

# Key for encrypted personal-data fields (residents and later apps).
# Several comma-separated keys: the first encrypts, all decrypt (see docs/privacy.md).
WUSHE_DATA_KEY = env_str("WUSHE_DATA_KEY") or ""
# Separate key for the blind indexes (keyed hashes used to look up encrypted values).
WUSHE_BLIND_INDEX_KEY = env_str("WUSHE_BLIND_INDEX_KEY") or ""

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Project apps, lowest first: a lower app never imports a higher one.
    "wushe.core",
    "wushe.areas",
    "wushe.accounts",
    "wushe.dispatch",
    "wushe.residents",
    "wushe.volunteers",
    "wushe.needs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "wushe.urls"
WSGI_APPLICATION = "wushe.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wushe.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'wushe.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Many readers, one writer without "database is locked" under a dev server or a worker.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# PostgreSQL only (SQLite ignores it): psycopg sends the parameters apart from the SQL
# (server-side binding) and prepares a statement the second time a connection runs it, so
# the server parses and plans the hot path's queries once per connection rather than once
# per request. The second time rather than psycopg's default sixth: a rolled-back
# transaction or savepoint (a write that failed inside one) drops a connection's prepared
# statements, and a query run only once (a report, an import's last short batch) is still
# never prepared. (An API intake retry fails one statement in autocommit mode: no rollback,
# nothing dropped.) Off behind PgBouncer in transaction mode before 1.22 (docs/operations.md).
DB_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", True)
if DB_PREPARED_STATEMENTS and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "server_side_binding": True,
        "prepare_threshold": 1,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = 12 * 3600  # one shift

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Leaflet for the volunteer's route map comes from npm (`npm ci`), not a CDN; collectstatic
# copies it into STATIC_ROOT at build time. Without it the route page is a plain list.
LEAFLET_DIR = PROJECT_DIR / "node_modules" / "leaflet" / "dist"
STATICFILES_DIRS = [("vendor/leaflet", LEAFLET_DIR)] if LEAFLET_DIR.is_dir() else []
# Map tiles are optional (none by default: the route is drawn on a blank background), e.g.
# a tile server inside the government network: "https://tiles.example/{z}/{x}/{y}.png".
WUSHE_MAP_TILE_URL = env_str("WUSHE_MAP_TILE_URL") or env_str("WUSHE_MAP_TILES_URL") or ""
WUSHE_MAP_TILE_ATTRIBUTION = env_str("WUSHE_MAP_TILE_ATTRIBUTION") or ""
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# The largest file accepted (wushe/core/uploads.py): a canvass or area spreadsheet (a 1,000,000-
# row canvass CSV is about 120 MB) and a photo (a prescription, a delivery). Below 1 KiB no
# real sheet or photo would fit.
WUSHE_MAX_SHEET_BYTES = env_int("WUSHE_MAX_SHEET_BYTES", 200 * 1024 * 1024, minimum=1024)
WUSHE_MAX_PHOTO_BYTES = env_int("WUSHE_MAX_PHOTO_BYTES", 10 * 1024 * 1024, minimum=1024)
# Searches by a whole ID number or phone per user and hour (wushe/residents/search_limit.py).
WUSHE_WHOLE_NUMBER_SEARCHES_PER_HOUR = env_int(
    "WUSHE_WHOLE_NUMBER_SEARCHES_PER_HOUR", 60, minimum=1
)
# API tokens older than this many days are refused (0: never); `wushe token USER --rotate`.
WUSHE_API_TOKEN_MAX_AGE_DAYS = env_int("WUSHE_API_TOKEN_MAX_AGE_DAYS", 90, minimum=0)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so that a bad token answers 401 with a WWW-Authenticate header.
        "wushe.accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["wushe.core.permissions.RolePermission"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "wushe.core.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "wushe API",
    "DESCRIPTION": "五社联动 community emergency response platform",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# Celery: without a broker, tasks run in-process so the embedded default needs no server.
REDIS_URL = env_str("REDIS_URL") or ""
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL") or "INFO"},
    "loggers": {"django": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

# Area import above this many bytes goes to a background job rather than the request (0: every
# import does).
WUSHE_IMPORT_SYNC_MAX_BYTES = env_int("WUSHE_IMPORT_SYNC_MAX_BYTES", 256 * 1024, minimum=0)
# A running background job whose progress has not moved for this long lost its worker: it is
# failed (its upload deleted) and a redelivery of its task may take it over. At least a
# minute: shorter, a live worker between two progress updates would be taken for dead.
WUSHE_JOB_STALE_AFTER_S = env_int("WUSHE_JOB_STALE_AFTER_S", 30 * 60, minimum=60)

# Dispatch rounds (wushe/dispatch/instance.py): walking speed (m/s) and the detour over the
# straight line (travel time = distance x detour / speed), the shift from the round's start,
# time spent at each task, and how many tasks one volunteer may carry in a round.
WUSHE_DISPATCH_SPEED_MPS = env_float("WUSHE_DISPATCH_SPEED_MPS", 1.2, positive=True)
WUSHE_DISPATCH_DETOUR = env_float("WUSHE_DISPATCH_DETOUR", 1.3, positive=True)
WUSHE_DISPATCH_SHIFT_S = env_int("WUSHE_DISPATCH_SHIFT_S", 4 * 3600, minimum=60)
WUSHE_DISPATCH_SERVICE_S = env_int("WUSHE_DISPATCH_SERVICE_S", 600, minimum=0)
WUSHE_DISPATCH_CAPACITY = env_int("WUSHE_DISPATCH_CAPACITY", 12, minimum=1)
# Cycling and driving speeds (m/s) for volunteers whose profile (or street) says so; a
# street's default mode and detour factor can be changed on the dispatch page.
WUSHE_DISPATCH_CYCLING_MPS = env_float("WUSHE_DISPATCH_CYCLING_MPS", 3.3, positive=True)
WUSHE_DISPATCH_DRIVING_MPS = env_float("WUSHE_DISPATCH_DRIVING_MPS", 5.5, positive=True)
WUSHE_DISPATCH_TRAVEL_MODE = env_choice(
    "WUSHE_DISPATCH_TRAVEL_MODE", "walking", ("walking", "cycling", "driving")
)
# An OSRM-compatible table service (e.g. http://osrm:5000): travel times over the street
# network instead of straight lines; on failure the round falls back and says so.
WUSHE_OSRM_URL = env_str("WUSHE_OSRM_URL") or ""
WUSHE_OSRM_TIMEOUT_S = env_float("WUSHE_OSRM_TIMEOUT_S", 10.0, positive=True)
WUSHE_OSRM_MAX_TABLE = env_int("WUSHE_OSRM_MAX_TABLE", 100, minimum=2)
# All the requests of one matrix together (a 5,000-place table is hundreds of blocks).
WUSHE_OSRM_BUDGET_S = env_float("WUSHE_OSRM_BUDGET_S", 60.0, positive=True)
# An offer from an approved round unanswered this long lapses and is re-dispatched.
WUSHE_DISPATCH_OFFER_TIMEOUT_S = env_int("WUSHE_DISPATCH_OFFER_TIMEOUT_S", 30 * 60, minimum=60)

# Periodic work (Celery beat): overdue requests escalate within five minutes of their SLA.
CELERY_BEAT_SCHEDULE = {
    "needs.escalate_overdue": {"task": "needs.escalate_overdue", "schedule": 300.0},
    "needs.prune_idempotency_keys": {"task": "needs.prune_idempotency_keys", "schedule": 86400.0},
    "dispatch.lapse_offers": {"task": "dispatch.lapse_offers", "schedule": 60.0},
    "core.prune_job_uploads": {"task": "core.prune_job_uploads", "schedule": 3600.0},
    "core.fail_stale_jobs": {"task": "core.fail_stale_jobs", "schedule": 300.0},
}
