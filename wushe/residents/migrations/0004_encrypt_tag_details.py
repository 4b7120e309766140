"""A key-population tag's treatment schedule and remark are health notes: encrypt them at rest
like the resident's own health notes (text columns, existing rows encrypted in place; an empty
one becomes NULL)."""

from django.db import migrations, models
from django.db.models.functions import Cast

import wushe.core.privacy.fields
from wushe.core.privacy.keys import decrypt, encrypt, looks_encrypted

# Written when every token was a Fernet token ("gAAAAA…"). Both directions recognise every
# token format by its shape (looks_encrypted: Fernet and the later v2 envelope), so a
# database holding new tokens is never encrypted twice, nor left holding ciphertext in a
# plain column when migrated back.
FIELDS = ("schedule", "note")


def _rewrite(apps, schema_editor, change):
    # Read and write the raw column: the historical field would decrypt (and fail on)
    # plaintext, and encrypt again what is written through it.
    links = apps.get_model("residents", "ResidentTag").objects.using(schema_editor.connection.alias)
    raw = links.annotate(**{f"raw_{f}": Cast(f, models.TextField()) for f in FIELDS})
    rows = raw.values_list("pk", *(f"raw_{f}" for f in FIELDS)).order_by("pk")
    last = 0
    while batch := list(rows.filter(pk__gt=last)[:2000]):
        last = batch[-1][0]
        for pk, *texts in batch:
            new = {}
            for name, text in zip(FIELDS, texts, strict=True):
                changed = None if text is None else change(text)
                if changed is not None:
                    new[name] = models.Value(changed, output_field=models.TextField())
            if new:
                links.filter(pk=pk).update(**new)


def _check_now(schema_editor):
    # Run the foreign-key checks the updates queued (deferred on PostgreSQL): an ALTER TABLE
    # of the same table later in this transaction refuses to run while they are pending.
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def empty_to_null(apps, schema_editor):
    # An empty detail is stored as NULL, not as an encrypted empty string.
    links = apps.get_model("residents", "ResidentTag").objects.using(schema_editor.connection.alias)
    for name in FIELDS:
        links.annotate(raw=Cast(name, models.TextField())).filter(raw="").update(**{name: None})


def null_to_empty(apps, schema_editor):
    links = apps.get_model("residents", "ResidentTag").objects.using(schema_editor.connection.alias)
    for name in FIELDS:
        links.filter(**{f"{name}__isnull": True}).update(
            **{name: models.Value("", output_field=models.TextField())}
        )
    _check_now(schema_editor)


def encrypt_details(apps, schema_editor):
    _rewrite(
        apps,
        schema_editor,
        lambda text: None if looks_encrypted(text) else encrypt(text),
    )


def decrypt_details(apps, schema_editor):
    _rewrite(
        apps,
        schema_editor,
        lambda text: decrypt(text, where="residents.ResidentTag")
        if looks_encrypted(text)
        else None,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("residents", "0003_blind_index_char"),
    ]

    operations = [
        migrations.AlterField(
            model_name="residenttag",
            name="note",
            field=wushe.core.privacy.fields.EncryptedTextField(
                blank=True, null=True, kind="health_note", verbose_name="note"
            ),
        ),
        migrations.AlterField(
            model_name="residenttag",
            name="schedule",
            field=wushe.core.privacy.fields.EncryptedTextField(
                blank=True, null=True, kind="health_note", verbose_name="treatment schedule"
            ),
        ),
        migrations.RunPython(empty_to_null, null_to_empty),
        migrations.RunPython(encrypt_details, decrypt_details),
    ]
