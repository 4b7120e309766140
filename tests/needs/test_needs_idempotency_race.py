"""Two requests with one Idempotency-Key at the same moment store one row and give one answer.

Threads, each with its own database connection; the unique (user, key) index makes the
others' key insert wait for the first to commit, fail, roll their work back and replay the
stored answer. PostgreSQL only (SQLite
serialises writers, so nothing would race)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.races import POSTGRES_RACE, run_at_once
from wushe.needs.models import IdempotencyKey, Need

RACERS = 6

pytestmark = POSTGRES_RACE


@pytest.mark.django_db(transaction=True)
def test_one_key_many_concurrent_requests_one_row(people, street):
    body = {
        "area": street.building_a1.code,
        "category": "groceries",
        "caller_name": "王大爷",
        "caller_phone": "13900001111",
    }

    def post():
        client = APIClient()
        client.force_authenticate(people.worker_a)
        r = client.post("/api/v1/needs/", body, format="json", HTTP_IDEMPOTENCY_KEY="same")
        return (r.status_code, r.json().get("id"))

    answers = run_at_once([post] * RACERS)
    assert len(answers) == RACERS
    assert {status for status, _ in answers} == {201}
    assert len({pk for _, pk in answers}) == 1
    assert Need.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1
