"""Stored Idempotency-Key answers hold the caller's name, phone and address: encrypt them at
rest like the request row itself (existing answers are encrypted in place)."""

from django.db import migrations, models
from django.db.models.functions import Cast

import wushe.core.privacy.fields
from wushe.core.privacy.keys import decrypt, encrypt, looks_encrypted

# Written when every token was a Fernet token ("gAAAAA…"). Both directions recognise every
# token format by its shape (looks_encrypted: Fernet and the later v2 envelope): forward, an
# answer that is a token already is left alone, so it is never encrypted twice; back, every
# token of either format becomes its JSON text again, which the JSON column takes.


def encrypt_answers(apps, schema_editor):
    keys = apps.get_model("needs", "IdempotencyKey").objects.using(schema_editor.connection.alias)
    raw = keys.annotate(raw=Cast("response_body", models.TextField()))
    for pk, text in raw.exclude(response_body__isnull=True).values_list("pk", "raw").iterator():
        if not looks_encrypted(text):
            keys.filter(pk=pk).update(
                response_body=models.Value(encrypt(text), output_field=models.TextField())
            )


def decrypt_answers(apps, schema_editor):
    keys = apps.get_model("needs", "IdempotencyKey").objects.using(schema_editor.connection.alias)
    raw = keys.annotate(raw=Cast("response_body", models.TextField()))
    for pk, text in raw.exclude(response_body__isnull=True).values_list("pk", "raw").iterator():
        if looks_encrypted(text):
            plain = decrypt(text, where="needs.IdempotencyKey")
            keys.filter(pk=pk).update(
                response_body=models.Value(plain, output_field=models.TextField())
            )
    if schema_editor.connection.vendor == "postgresql":
        # Run the foreign-key checks the updates may have queued (deferred): the ALTER TABLE
        # back to jsonb that follows in this transaction refuses to run while they are pending.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("needs", "0004_offer_from_round"),
    ]

    operations = [
        migrations.AlterField(
            model_name="idempotencykey",
            name="response_body",
            field=wushe.core.privacy.fields.EncryptedJSONField(blank=True, null=True),
        ),
        migrations.RunPython(encrypt_answers, decrypt_answers),
    ]
