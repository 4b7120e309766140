"""Two requests with one Idempotency-Key at the same moment store one row and give one answer.

Threads, each with its own database connection; the unique (user, key) index makes the
others' key insert wait for the first to commit, fail, roll their work back and replay the
stored answer. PostgreSQL only (SQLite
serialises writers, so nothing would race)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from wushe.needs.models import IdempotencyKey, Need

RACERS = 6

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a real race needs concurrent writers: run with DATABASE_URL=postgres://…",
    ),
]


@pytest.mark.django_db(transaction=True)
def test_one_key_many_concurrent_requests_one_row(people, street):
    body = {
        "area": street.building_a1.code,
        "category": "groceries",
        "caller_name": "王大爷",
        "caller_phone": "13900001111",
    }
    barrier = threading.Barrier(RACERS)
    answers: list[tuple[int, object]] = []
    lock = threading.Lock()

    def post():
        try:
            client = APIClient()
            client.force_authenticate(people.worker_a)
            barrier.wait()
            r = client.post("/api/v1/needs/", body, format="json", HTTP_IDEMPOTENCY_KEY="same")
            with lock:
                answers.append((r.status_code, r.json().get("id")))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(answers) == RACERS
    assert {status for status, _ in answers} == {201}
    assert len({pk for _, pk in answers}) == 1
    assert Need.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1
