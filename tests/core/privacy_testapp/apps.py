"""App config of the protected-data test app."""

from django.apps import AppConfig


class PrivacyTestAppConfig(AppConfig):
    name = "tests.core.privacy_testapp"
    label = "privacy_testapp"
    default_auto_field = "django.db.models.BigAutoField"
