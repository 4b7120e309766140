"""Schema steps that migrations of apps with protected fields share."""

from __future__ import annotations

from typing import Any


def blind_index_columns_to_char(
    schema_editor: Any, table: str, columns: list[str], length: int = 64
) -> None:
    """Make blind-index ``columns`` of ``table`` char(length) and drop the varchar_pattern_ops
    twin index PostgreSQL databases got while they were varchar (``BlindIndexField.db_type``).
    A database created after that change has neither, and other databases need nothing."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for column in columns:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
                [table, f"%({column} varchar_pattern_ops)%"],
            )
            for (index,) in cursor.fetchall():
                cursor.execute(f'DROP INDEX IF EXISTS "{index}"')
            cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE char({length})')
