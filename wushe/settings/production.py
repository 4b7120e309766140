"""Production: every secret from the environment, HTTPS only; passes ``wushe check --deploy``."""

from wushe.settings.base import *  # noqa: F403
from wushe.settings.env import env_bool, env_int, env_required

DEBUG = False
SECRET_KEY = env_required("SECRET_KEY")
WUSHE_DATA_KEY = env_required("WUSHE_DATA_KEY")
WUSHE_BLIND_INDEX_KEY = env_required("WUSHE_BLIND_INDEX_KEY")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
