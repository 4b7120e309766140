"""An intake whose rows cannot all go in one statement (a pre_save or post_save receiver on
one of its models) takes the transaction path and still answers with what it stored."""

from __future__ import annotations

import pytest
from django.db.models.signals import post_save
from rest_framework import serializers

from tests.conftest import login
from tests.needs.test_needs_api import URL, body
from wushe.core.models import ActionLog
from wushe.needs.models import IdempotencyKey, Need, NeedEvent


@pytest.mark.parametrize("model", [Need, NeedEvent, ActionLog, IdempotencyKey])
@pytest.mark.parametrize("key", ["with-key", None])
def test_the_answer_is_what_was_stored_while_a_receiver_listens(api, people, street, model, key):
    seen = []

    def receiver(sender, instance, created, **kw):
        seen.append(created)

    login(api, people.worker_a)
    post_save.connect(receiver, sender=model)
    try:
        headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
        r = api.post(URL, body(street), format="json", **headers)
    finally:
        post_save.disconnect(receiver, sender=model)
    assert r.status_code == 201 and all(seen)
    assert seen or (model is IdempotencyKey and not key)  # no key, no key row
    need = Need.objects.get(pk=r.data["id"])
    assert r.json()["created_at"] == serializers.DateTimeField().to_representation(need.created_at)
    assert need.events.count() == 2 and Need.objects.count() == 1
    if key:
        assert IdempotencyKey.objects.get(key=key).response_body == r.json()
