"""The stored Idempotency-Key answer is the content sent: a replay gives the same bytes even
for values the JSON renderer writes its own way (a datetime, a lazy translation, a Decimal)."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from wushe.needs.idempotency import idempotent
from wushe.needs.models import IdempotencyKey

ANSWER = {
    "at": datetime.datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=datetime.UTC),
    "label": gettext_lazy("Request"),
    "amount": Decimal("1.50"),
    "line": "a\u2028b 王",
}


class _AnswerView(APIView):
    permission_classes = [IsAuthenticated]
    deferred = False
    data: Any = ANSWER

    def post(self, request: Request) -> Response:
        def handler(*_pending: Any) -> Response:
            return Response(self.data, status=201)

        return idempotent(request, "test.answer", handler, deferred=self.deferred)


def _post(user: Any, deferred: bool, accept: str = "application/json", data: Any = ANSWER) -> Any:
    request = APIRequestFactory().post(
        "/answer/", {"n": 1}, format="json", HTTP_IDEMPOTENCY_KEY="k", HTTP_ACCEPT=accept
    )
    force_authenticate(request, user=user)
    response = _AnswerView.as_view(deferred=deferred, data=data)(request)
    return response.render()


@pytest.mark.parametrize("deferred", [False, True], ids=["transaction", "deferred"])
def test_the_replay_sends_the_bytes_first_sent(people, deferred):
    first = _post(people.worker_a, deferred)
    assert first.status_code == 201
    sent = json.loads(first.content)
    assert sent["at"] == "2026-01-02T03:04:05.678000Z" and sent["amount"] == 1.5
    assert IdempotencyKey.objects.get(key="k").response_body == sent
    again = _post(people.worker_a, deferred)
    assert again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"] == "application/json"


def test_an_answer_rendered_as_html_is_stored_as_json_would_send_it(people):
    first = _post(people.worker_a, False, accept="text/html")
    assert first.status_code == 201 and first["Content-Type"].startswith("text/html")
    again = _post(people.worker_a, False)
    assert json.loads(again.content) == IdempotencyKey.objects.get(key="k").response_body
    assert json.loads(again.content)["at"] == "2026-01-02T03:04:05.678000Z"


def test_an_answer_without_data_is_replayed_without_content(people):
    first = _post(people.worker_a, False, data=None)
    assert first.status_code == 201 and first.content == b""
    again = _post(people.worker_a, False, data=None)
    assert again["Idempotent-Replayed"] == "true"
    assert again.status_code == 201 and again.content == b""
