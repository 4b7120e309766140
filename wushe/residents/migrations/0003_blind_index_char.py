"""Blind-index columns become char(64) without the LIKE twin index PostgreSQL databases got
from the varchar columns (``BlindIndexField.db_type``). New databases are created that way by
the first migration already; this brings existing PostgreSQL databases in line."""

from django.db import migrations

COLUMNS = {
    "residents_resident": ["id_number_index", "id_number_tail", "phone_index", "phone_tail"]
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table, columns in COLUMNS.items():
            for column in columns:
                cursor.execute(
                    "SELECT indexname FROM pg_indexes WHERE tablename = %s "
                    "AND indexdef LIKE %s",
                    [table, f"%({column} varchar_pattern_ops)%"],
                )
                for (index,) in cursor.fetchall():
                    cursor.execute(f'DROP INDEX IF EXISTS "{index}"')
                cursor.execute(
                    f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE char(64)'
                )


class Migration(migrations.Migration):
    dependencies = [("residents", "0002_load_default_tags")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
