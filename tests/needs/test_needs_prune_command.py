"""``wushe prune-idempotency-keys`` does what the daily beat task does, for setups without beat."""

import datetime
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from wushe.needs.models import IdempotencyKey


def test_the_command_forgets_answers_older_than_two_days(people):
    old = IdempotencyKey.objects.create(
        user=people.worker_a,
        key="old",
        scope="needs.create",
        body_hash="h",
        status_code=201,
        response_body={"caller_phone": "+8613812345678"},
    )
    IdempotencyKey.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=3)
    )
    IdempotencyKey.objects.create(user=people.worker_a, key="new", scope="s", body_hash="h")
    out = StringIO()
    call_command("prune_idempotency_keys", stdout=out)
    assert out.getvalue().strip() == "1 idempotency key(s) deleted"
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
