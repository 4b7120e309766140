"""Migration operations that change the indexes of large tables while the previous version
still serves (docs/operations.md, Upgrades): on PostgreSQL indexes are built and dropped
CONCURRENTLY, which lets writes go on, so a migration using them says ``atomic = False``;
on other databases (SQLite in development and tests) each acts as the Django operation it
stands for. Their state changes are those of the Django operations, so ``makemigrations``
sees the models as they are.
"""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations
from django.db.models import Index


def _on_postgresql(schema_editor: Any) -> bool:
    return schema_editor.connection.vendor == "postgresql"


def _index_valid(schema_editor: Any, name: str) -> bool | None:
    """Whether the index ``name`` is valid; ``None`` when there is none (PostgreSQL)."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE c.relname = %s AND pg_table_is_visible(c.oid)",
            [name],
        )
        row = cursor.fetchone()
    return None if row is None else bool(row[0])


class AddIndexOnline(AddIndexConcurrently):
    """``AddIndex``, built with CREATE INDEX CONCURRENTLY on PostgreSQL.

    A migration that is not atomic is recorded only once all its operations ran, so after an
    interruption ``migrate`` runs them again: an index built then is kept, and the invalid
    one a cancelled concurrent build leaves behind is dropped and built again."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if _on_postgresql(schema_editor):
            valid = _index_valid(schema_editor, self.index.name)
            if valid:
                return
            if valid is False:
                model = to_state.apps.get_model(app_label, self.model_name)
                schema_editor.execute(
                    schema_editor._delete_index_sql(model, self.index.name, concurrently=True)
                )
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            migrations.AddIndex.database_forwards(
                self, app_label, schema_editor, from_state, to_state
            )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if _on_postgresql(schema_editor):
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            migrations.AddIndex.database_backwards(
                self, app_label, schema_editor, from_state, to_state
            )


def _without_db_index(field: Any) -> tuple[str, list[Any], dict[str, Any]]:
    _, path, args, kwargs = field.deconstruct()
    kwargs.pop("db_index", None)
    return path, args, kwargs


class DropFieldIndex(migrations.AlterField):
    """``AlterField`` to the same field without ``db_index``: drops the field's own index
    (and on PostgreSQL its LIKE twin) with DROP INDEX CONCURRENTLY, and nothing else.

    Django's ``AlterField`` also drops a foreign key's constraint and adds it again, which
    checks every row once more while writes to both tables wait; the index is all that
    changes. Backwards, the field's indexes are built again as Django names them."""

    def _fields(self, app_label: str, from_state: Any, to_state: Any) -> tuple[Any, Any, Any]:
        old = from_state.apps.get_model(app_label, self.model_name)
        new = to_state.apps.get_model(app_label, self.model_name)
        old_field, new_field = old._meta.get_field(self.name), new._meta.get_field(self.name)
        if _without_db_index(old_field) != _without_db_index(new_field):
            raise ValueError(f"DropFieldIndex {self.model_name}.{self.name}: more than db_index")
        return new, old_field, new_field

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not _on_postgresql(schema_editor):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model, old_field, new_field = self._fields(app_label, from_state, to_state)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return None
        if not old_field.db_index or new_field.db_index:
            raise ValueError(f"DropFieldIndex {self.model_name}.{self.name}: db_index stays")
        # As Django finds them: the plain btree indexes of this one column that no Meta.indexes
        # entry names (the LIKE twin is one; unique constraints are not indexes here).
        declared = {
            index.name
            for state in (from_state, to_state)
            for index in state.apps.get_model(app_label, self.model_name)._meta.indexes
        }
        names = schema_editor._constraint_names(
            model, [old_field.column], index=True, type_=Index.suffix, exclude=declared
        )
        for name in names:
            schema_editor.execute(schema_editor._delete_index_sql(model, name, concurrently=True))
        return None

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if not _on_postgresql(schema_editor):
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model, _, field = self._fields(app_label, from_state, to_state)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            for statement in schema_editor._field_indexes_sql(model, field):
                schema_editor.execute(statement)
        return None

    def describe(self) -> str:
        return f"Drop the index of field {self.name} on {self.model_name}"


class UniqueFieldToConstraint(migrations.SeparateDatabaseAndState):
    """A field's ``unique=True`` becomes ``constraint``, a ``UniqueConstraint`` on that field
    alone (``field`` is the field without ``unique``): on PostgreSQL the existing unique
    constraint is renamed, not built again (a build would lock the table, reads included),
    and the field's LIKE twin index is dropped CONCURRENTLY; elsewhere ``AlterField`` then
    ``AddConstraint``."""

    def __init__(self, model_name: str, name: str, field: Any, constraint: Any) -> None:
        self.model_name, self.name, self.field, self.constraint = (
            model_name,
            name,
            field,
            constraint,
        )
        operations = [
            migrations.AlterField(model_name=model_name, name=name, field=field),
            migrations.AddConstraint(model_name=model_name, constraint=constraint),
        ]
        super().__init__(database_operations=operations, state_operations=operations)

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        kwargs = {
            "model_name": self.model_name,
            "name": self.name,
            "field": self.field,
            "constraint": self.constraint,
        }
        return self.__class__.__qualname__, [], kwargs

    def describe(self) -> str:
        return f"Make unique {self.model_name}.{self.name} the constraint {self.constraint.name}"

    def _model_column(self, app_label: str, state: Any) -> tuple[Any, str]:
        model = state.apps.get_model(app_label, self.model_name)
        return model, model._meta.get_field(self.name).column

    def _rename(self, schema_editor: Any, model: Any, old: str, new: str) -> None:
        quote = schema_editor.quote_name
        table = quote(model._meta.db_table)
        # The constraint's index is renamed with it.
        schema_editor.execute(f"ALTER TABLE {table} RENAME CONSTRAINT {quote(old)} TO {quote(new)}")

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not _on_postgresql(schema_editor):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model, column = self._model_column(app_label, to_state)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return None
        declared = {c.name for c in model._meta.constraints}
        found = schema_editor._constraint_names(
            model, [column], unique=True, primary_key=False, exclude=declared
        )
        renamed = self.constraint.name in schema_editor._constraint_names(
            model, [column], unique=True
        )
        if len(found) != 1 and not (renamed and not found):  # renamed by an interrupted run
            raise ValueError(f"{self.describe()}: unique constraints found: {found}")
        if found:
            self._rename(schema_editor, model, found[0], self.constraint.name)
        declared_indexes = {index.name for index in model._meta.indexes}
        for name in schema_editor._constraint_names(
            model, [column], unique=False, index=True, type_=Index.suffix, exclude=declared_indexes
        ):
            schema_editor.execute(schema_editor._delete_index_sql(model, name, concurrently=True))
        return None

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if not _on_postgresql(schema_editor):
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model, column = self._model_column(app_label, to_state)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return None
        # The name PostgreSQL gives the UNIQUE of a column in CREATE TABLE, as a new database
        # of the previous version has it.
        self._rename(
            schema_editor, model, self.constraint.name, f"{model._meta.db_table}_{column}_key"
        )
        like = schema_editor._create_like_index_sql(model, model._meta.get_field(self.name))
        if like is not None:
            schema_editor.execute(like)
        return None
