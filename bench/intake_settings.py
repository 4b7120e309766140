"""Settings for ``bench/intake.py``: the dev settings without debug, plus the floor view."""

from wushe.settings.dev import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "intake_urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
LOGGING = {"version": 1, "disable_existing_loggers": False}
