"""Stored Idempotency-Key answers hold the caller's name, phone and address: encrypt them at
rest like the request row itself (existing answers are encrypted in place)."""

from django.db import migrations, models
from django.db.models.functions import Cast

import wushe.core.privacy.fields
from wushe.core.privacy.keys import encrypt, looks_encrypted

# Written when every token was a Fernet token ("gAAAAA…"). An answer that has the shape of
# any token format (looks_encrypted: Fernet and the later v2 envelope) is left alone, so
# running this again over new tokens never encrypts them twice.


def encrypt_answers(apps, schema_editor):
    keys = apps.get_model("needs", "IdempotencyKey").objects.using(schema_editor.connection.alias)
    raw = keys.annotate(raw=Cast("response_body", models.TextField()))
    for pk, text in raw.exclude(response_body__isnull=True).values_list("pk", "raw").iterator():
        if not looks_encrypted(text):
            keys.filter(pk=pk).update(
                response_body=models.Value(encrypt(text), output_field=models.TextField())
            )


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
        migrations.RunPython(encrypt_answers, migrations.RunPython.noop),
    ]
