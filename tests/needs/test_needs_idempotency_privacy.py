"""A stored Idempotency-Key answer holds the caller's name, phone and address: it is
encrypted at rest like the request row, and answers stored before that are encrypted in place."""

import importlib
import json
from types import SimpleNamespace

from django.apps import apps
from django.db import connection

from tests.conftest import login
from wushe.core.privacy.keys import GCM_PREFIX, data_fernets, encrypt
from wushe.needs.models import IdempotencyKey

PHONE = "13912345678"
NAME = "欧阳娜娜"
ADDRESS = "明珠一村1号楼2单元301室"


def raw_answers() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT CAST(response_body AS TEXT) FROM needs_idempotencykey")
        return [row[0] for row in cursor.fetchall()]


def test_the_stored_answer_holds_no_plaintext_and_replays_the_same(api, people, street):
    login(api, people.worker_a)
    body = {
        "area": street.building_a1.code,
        "category": "medicine",
        "caller_name": NAME,
        "caller_phone": PHONE,
        "address": "明珠一村1号楼2单元301室",
    }
    first = api.post("/api/v1/needs/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201
    [raw] = raw_answers()
    # Whole values: a short one such as "301" turns up in random base64 now and then.
    assert PHONE not in raw and NAME not in raw and ADDRESS not in raw and "单元" not in raw
    again = api.post("/api/v1/needs/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()


def test_answers_stored_before_are_encrypted_in_place(people):
    answer = {"id": 7, "caller_phone": PHONE, "caller_name": NAME}
    row = IdempotencyKey.objects.create(
        user=people.worker_a, key="old", scope="needs", body_hash="x", status_code=201
    )
    with connection.cursor() as cursor:  # as the JSON column held it
        cursor.execute(
            "UPDATE needs_idempotencykey SET response_body = %s WHERE id = %s",
            [json.dumps(answer, ensure_ascii=False), row.pk],
        )
    migration = importlib.import_module("wushe.needs.migrations.0005_encrypt_idempotency_answers")
    migration.encrypt_answers(apps, SimpleNamespace(connection=connection))
    migration.encrypt_answers(apps, SimpleNamespace(connection=connection))  # run again: no-op
    [raw] = raw_answers()
    assert PHONE not in raw and raw.startswith(GCM_PREFIX)
    assert IdempotencyKey.objects.get(pk=row.pk).response_body == answer


def test_the_migration_leaves_tokens_of_either_format_alone(people):
    """Run over answers already encrypted, as a v2 token or a Fernet token from before it,
    the migration encrypts none of them again."""
    answer = {"id": 8, "caller_phone": PHONE}
    text = json.dumps(answer, ensure_ascii=False, separators=(",", ":"))
    tokens = [encrypt(text), data_fernets()[0].encrypt(text.encode()).decode()]
    for n, token in enumerate(tokens):
        row = IdempotencyKey.objects.create(
            user=people.worker_a, key=f"k{n}", scope="needs", body_hash="x", status_code=201
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE needs_idempotencykey SET response_body = %s WHERE id = %s", [token, row.pk]
            )
    migration = importlib.import_module("wushe.needs.migrations.0005_encrypt_idempotency_answers")
    migration.encrypt_answers(apps, SimpleNamespace(connection=connection))
    assert sorted(raw_answers()) == sorted(tokens)
    assert [k.response_body for k in IdempotencyKey.objects.order_by("key")] == [answer, answer]


def test_the_migration_back_gives_every_answer_its_json_again(people):
    """Migrated back past needs.0005, the answers of both token formats (v2, and Fernet from
    before it) become their JSON text again, which the column's way back to JSON (jsonb on
    PostgreSQL) takes; forward again, each is encrypted once."""
    answers = [{"id": 9, "caller_phone": PHONE}, {"id": 10, "caller_name": NAME, "a": ADDRESS}]
    texts = [json.dumps(a, ensure_ascii=False) for a in answers]
    tokens = [encrypt(texts[0]), data_fernets()[0].encrypt(texts[1].encode()).decode()]
    for n, token in enumerate(tokens):
        row = IdempotencyKey.objects.create(
            user=people.worker_a, key=f"b{n}", scope="needs", body_hash="x", status_code=201
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE needs_idempotencykey SET response_body = %s WHERE id = %s", [token, row.pk]
            )
    migration = importlib.import_module("wushe.needs.migrations.0005_encrypt_idempotency_answers")
    editor = SimpleNamespace(connection=connection)
    migration.decrypt_answers(apps, editor)
    plain = [json.loads(text) for text in raw_answers()]  # JSON text, no token left
    assert sorted(plain, key=lambda a: a["id"]) == answers
    if connection.vendor == "postgresql":  # what AlterField back to JSONField does
        with connection.cursor() as cursor:
            cursor.execute(
                "ALTER TABLE needs_idempotencykey ALTER COLUMN response_body TYPE jsonb"
                " USING response_body::jsonb"
            )
            cursor.execute("SELECT response_body FROM needs_idempotencykey ORDER BY key")
            stored = [row[0] for row in cursor.fetchall()]
            assert [json.loads(v) if isinstance(v, str) else v for v in stored] == answers
            cursor.execute(
                "ALTER TABLE needs_idempotencykey ALTER COLUMN response_body TYPE text"
                " USING response_body::text"
            )
    migration.encrypt_answers(apps, editor)
    assert all(raw.startswith(GCM_PREFIX) for raw in raw_answers())
    assert [k.response_body for k in IdempotencyKey.objects.order_by("key")] == answers
