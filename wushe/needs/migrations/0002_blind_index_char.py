"""The caller's phone blind index becomes char(64) without its LIKE twin index on PostgreSQL."""

from django.db import migrations

from wushe.core.privacy.migration_ops import blind_index_columns_to_char


def forwards(apps, schema_editor):
    blind_index_columns_to_char(schema_editor, "needs_need", ["caller_phone_index"])


class Migration(migrations.Migration):
    dependencies = [("needs", "0001_needs_tasks_history_triage_idempotency")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
