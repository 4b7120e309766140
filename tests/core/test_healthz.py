"""/healthz reports database (and broker when configured) reachability."""

import pytest
from django.db import OperationalError, connection


@pytest.mark.django_db
def test_healthy_without_broker(client, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


@pytest.mark.django_db
def test_database_failure_is_503(client, settings, monkeypatch):
    settings.CELERY_BROKER_URL = ""

    def broken(*args, **kwargs):
        raise OperationalError("down")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "OperationalError"


@pytest.mark.django_db
def test_unreachable_broker_is_503(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["broker"] != "ok"


@pytest.mark.django_db
def test_reachable_broker_is_reported(client, settings):
    from tests.core.test_celery_worker import REDIS_URL, _redis_available

    if not _redis_available():
        pytest.skip("Redis not reachable")
    settings.CELERY_BROKER_URL = REDIS_URL
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}
