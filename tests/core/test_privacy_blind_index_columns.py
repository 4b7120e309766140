"""Blind-index columns on PostgreSQL: char(64) and no LIKE twin index (a keyed hash is never
searched by pattern; the twin only slows inserts), on new databases and after the migration
that brings an existing database in line."""

import importlib

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="index and column types of PostgreSQL"
    ),
]

COLUMNS = {
    "residents_resident": ["id_number_index", "id_number_tail", "phone_index", "phone_tail"],
    "needs_need": ["caller_phone_index"],
}


def pattern_indexes(cursor, table: str) -> list[str]:
    cursor.execute(
        "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
        [table, "%varchar_pattern_ops%"],
    )
    return [row[0] for row in cursor.fetchall()]


def column_type(cursor, table: str, column: str) -> str:
    cursor.execute(
        "SELECT data_type FROM information_schema.columns WHERE table_name = %s "
        "AND column_name = %s",
        [table, column],
    )
    return cursor.fetchone()[0]


def test_new_database_has_char_columns_and_no_like_twins():
    with connection.cursor() as cursor:
        for table, columns in COLUMNS.items():
            twins = [i for i in pattern_indexes(cursor, table) if any(c in i for c in columns)]
            assert twins == []
            assert {column_type(cursor, table, c) for c in columns} == {"character"}


@pytest.mark.parametrize(
    ("module", "table"),
    [
        ("wushe.residents.migrations.0003_blind_index_char", "residents_resident"),
        ("wushe.needs.migrations.0002_blind_index_char", "needs_need"),
    ],
)
def test_migration_drops_the_twins_of_an_older_database(module, table):
    column = COLUMNS[table][0]
    with connection.cursor() as cursor:
        # The schema as the first migration made it before BlindIndexField.db_type.
        cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE varchar(64)')
        cursor.execute(
            f'CREATE INDEX "old_{column}_like" ON "{table}" ("{column}" varchar_pattern_ops)'
        )
        assert f"old_{column}_like" in pattern_indexes(cursor, table)
    migration = importlib.import_module(module)
    with connection.schema_editor() as editor:
        migration.forwards(None, editor)
    with connection.cursor() as cursor:
        assert [i for i in pattern_indexes(cursor, table) if column in i] == []
        assert column_type(cursor, table, column) == "character"
