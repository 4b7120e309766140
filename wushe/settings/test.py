"""Test settings: fast hashing, eager Celery, local-memory cache, warnings as errors (pytest)."""

import os

from wushe.settings.base import *  # noqa: F403
from wushe.settings.base import DATABASES, INSTALLED_APPS, VAR_DIR

DEBUG = False
SECRET_KEY = "test-only-secret-key-" + "t" * 40
WUSHE_DATA_KEY = "test-only-data-key"
WUSHE_BLIND_INDEX_KEY = "test-only-blind-index-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "test-media"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file (not :memory:) so that a real Celery worker process can share the test database.
    # One file per process, so that test runs side by side do not share a database.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{worker}-{os.getpid()}.sqlite3")}
# Serve static files straight from the apps (no collectstatic needed outside production).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# A small app with models that exercise the protected-data fields (tests/core/privacy_testapp).
INSTALLED_APPS = [*INSTALLED_APPS, "tests.core.privacy_testapp"]
