"""Blind-index columns become char(64) without their LIKE twin index on PostgreSQL."""

from django.db import migrations

from wushe.core.privacy.migration_ops import blind_index_columns_to_char


def forwards(apps, schema_editor):
    blind_index_columns_to_char(
        schema_editor,
        "residents_resident",
        ["id_number_index", "id_number_tail", "phone_index", "phone_tail"],
    )


class Migration(migrations.Migration):
    dependencies = [("residents", "0002_load_default_tags")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
