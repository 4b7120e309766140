"""An intake through the API writes the request, its history, its action-log row and its
Idempotency-Key answer in one statement on PostgreSQL, and answers with what it stored
(merge candidates read with the request's key, before the request exists)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import login
from tests.needs.test_needs_api import URL, body
from wushe.core.models import ActionLog
from wushe.needs.api import NeedOutput
from wushe.needs.models import IdempotencyKey, Need

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="one statement of data-modifying WITH queries"
)


def test_an_intake_writes_its_rows_and_its_key_in_one_statement(api, people, street):
    login(api, people.worker_a)
    first = api.post(URL, body(street), format="json", HTTP_IDEMPOTENCY_KEY="one")
    with CaptureQueriesContext(connection) as ctx:
        second = api.post(URL, body(street), format="json", HTTP_IDEMPOTENCY_KEY="two")
    assert second.status_code == 201
    writes = [q["sql"] for q in ctx.captured_queries if "INSERT" in q["sql"]]
    assert len(writes) == 1 and all(
        table in writes[0]
        for table in ("needs_need", "needs_needevent", "core_actionlog", "needs_idempotencykey")
    )
    need = Need.objects.select_related("area").get(pk=second.data["id"])
    stored = NeedOutput(need, context={"request": second.wsgi_request}).data
    for field in ("created_at", "sla_due_at", "tracking_code", "priority", "status"):
        assert second.data[field] == stored[field], field
    # Read before the request existed: the first one, not the request itself.
    assert [c["id"] for c in second.data["merge_candidates"]] == [first.data["id"]]
    assert [e.action for e in need.events.order_by("id")] == ["created", "triaged"]
    assert ActionLog.objects.filter(action="needs.need.created", object_id=str(need.pk)).exists()
    key = IdempotencyKey.objects.get(user=people.worker_a, key="two")
    assert key.response_body == second.json()
    again = api.post(URL, body(street), format="json", HTTP_IDEMPOTENCY_KEY="two")
    assert again.json() == second.json() and Need.objects.count() == 2


def test_an_intake_without_a_key_is_one_statement_too(api, people, street):
    login(api, people.worker_a)
    with CaptureQueriesContext(connection) as ctx:
        r = api.post(URL, body(street), format="json")
    assert r.status_code == 201
    assert len([q for q in ctx.captured_queries if "INSERT" in q["sql"]]) == 1
    assert Need.objects.get(pk=r.data["id"]).events.count() == 2
    assert not IdempotencyKey.objects.exists()


def test_a_failed_intake_writes_nothing_and_stores_no_key(api, people, street):
    login(api, people.worker_a)
    before = (Need.objects.count(), ActionLog.objects.count())
    r = api.post(URL, body(street, area="nowhere"), format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert r.status_code in (400, 404)
    assert (Need.objects.count(), ActionLog.objects.count()) == before
    assert not IdempotencyKey.objects.exists()
