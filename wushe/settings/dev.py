"""Local development and the ``make run`` demo: debug on, embedded SQLite, no broker needed."""

from wushe.settings.base import *  # noqa: F403
from wushe.settings.env import env_bool, env_str

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY") or "dev-only-not-secret-" + "x" * 40
WUSHE_DATA_KEY = env_str("WUSHE_DATA_KEY") or "dev-only-data-key-not-secret"
WUSHE_BLIND_INDEX_KEY = env_str("WUSHE_BLIND_INDEX_KEY") or "dev-only-blind-index-key-not-secret"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files straight from the apps (no collectstatic needed outside production).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
