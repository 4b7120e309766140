"""Fast inserts for the canvass import: rows written with COPY (PostgreSQL) or executemany
(SQLite) instead of ``bulk_create``, whose per-field work costs more than the validation; binary
COPY where every column has a type listed in ``_COPY_TYPES``.

Protected fields go through the very same primitives as the model fields: an
``EncryptedTextField``'s own ``get_prep_value`` (an AES-GCM token under the current data key)
and a ``BlindIndexField``'s ``blind_index``/``blind_tail`` of its source, so a row written here
reads back and is found exactly like one saved through the ORM (tested).

On PostgreSQL a ``Writer`` runs the COPYs in a background thread on the importing connection
(the same transaction): the server loads one batch while this process prepares the next.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cache
from types import TracebackType
from typing import Any, TypeVar

from django.db import DatabaseError, connection, models
from django.utils import timezone

from wushe.core.privacy import BlindIndexField, EncryptedTextField
from wushe.core.privacy.blind_index import blind_index, blind_tail
from wushe.core.privacy.keys import blind_index_hash, encrypt
from wushe.core.tables import tuple_getter

_PLAIN, _ENCRYPTED, _INDEX, _TAIL, _NOW, _DATE = range(6)


Step = tuple[int, Any, str, Any]  # (kind, field, key, extra)
T = TypeVar("T")


def _plan(model: type[models.Model], with_id: bool) -> list[Step]:
    plan: list[Step] = []
    for field in model._meta.concrete_fields:
        if field.primary_key and not with_id:
            continue
        if isinstance(field, EncryptedTextField):
            plan.append((_ENCRYPTED, field, field.attname, None))
        elif isinstance(field, BlindIndexField):
            plan.append((_TAIL if field.tail else _INDEX, field, field.source, field.index_kind))
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            plan.append((_NOW, field, field.attname, None))
        elif isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
            plan.append((_DATE, field, field.attname, None))
        else:
            default = None if field.primary_key else field.get_default()
            plan.append((_PLAIN, field, field.attname, default))
    return plan


Hasher = Callable[[str, str | None], str | None]
Encrypter = Callable[[Any], Any]


@cache
def _protection(
    model: type[models.Model],
) -> tuple[list[tuple[str, Hasher, str, str]], list[tuple[str, Encrypter]]]:
    """(blind indexes as (attname, hasher, kind, source), encrypted fields as (attname,
    encrypter)) of ``model``."""
    fields = model._meta.concrete_fields
    indexes: list[tuple[str, Hasher, str, str]] = []
    for f in fields:
        if isinstance(f, BlindIndexField):
            hasher: Hasher = blind_tail if f.tail else blind_index
            indexes.append((f.attname, hasher, f.index_kind, f.source))
    encrypted = [(f.attname, _encrypter(f)) for f in fields if isinstance(f, EncryptedTextField)]
    return indexes, encrypted


def _encrypter(field: EncryptedTextField) -> Encrypter:
    prep = field.get_prep_value
    if type(field) is not EncryptedTextField:  # e.g. JSON: its own get_prep_value
        return prep

    def encrypt_text(value: Any) -> Any:
        # What get_prep_value does to a str (encrypt it), without the generic field plumbing.
        return encrypt(value) if type(value) is str else prep(value)

    return encrypt_text


def protect(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with every blind index computed and every protected value encrypted (what
    ``fast_insert(..., protected=True)`` writes as is). Changes ``values`` itself and returns
    it: the plain values are not kept beside the encrypted ones."""
    indexes, encrypted = _protection(model)
    for attname, hasher, kind, source in indexes:
        values[attname] = hasher(kind, values.get(source))
    for attname, encrypter in encrypted:
        value = values.get(attname)
        if value is not None:
            values[attname] = encrypter(value)
    return values


def fast_insert(
    model: type[models.Model],
    rows: Sequence[dict[str, Any]],
    *,
    return_ids: bool = False,
    protected: bool = False,
    writer: Writer | None = None,
    ids: Sequence[int] | None = None,
) -> list[int]:
    """Insert ``rows`` (attname -> Python value) into ``model``'s table; the new ids in order
    when ``return_ids`` (reserved up front, so COPY can be used; or given as ``ids``, from
    ``reserve_ids``). ``protected``: the rows went through ``protect`` already. With a
    ``writer``, the rows may still be on their way when this returns (``writer.wait()`` before
    reading them back)."""
    if not rows:
        return []
    if ids is not None and len(ids) != len(rows):
        raise ValueError(f"{len(ids)} ids reserved for {len(rows)} rows")
    if return_ids and ids is None:
        ids = reserve_ids(model, len(rows))
    ids = list(ids or [])
    plan = _plan(model, with_id=return_ids)
    now = models.DateTimeField().get_db_prep_value(timezone.now(), connection)
    adapt_date = connection.ops.adapt_datefield_value
    # The columns read from each row (by attname) come first, the ones filled in here last:
    # a row is then one itemgetter call when it has every attname (the import's rows do),
    # dict.get with each column's default otherwise.
    pk_steps = [s for s in plan if s[0] == _PLAIN and s[1].primary_key]
    now_steps = [s for s in plan if s[0] == _NOW]
    read_steps = [s for s in plan if s not in pk_steps and s not in now_steps]
    keys = [field.attname for _kind, field, _key, _extra in read_steps]
    defaults = [extra if kind == _PLAIN else None for kind, _field, _key, extra in read_steps]
    pick = tuple_getter(keys)
    filled = [now] * len(now_steps)
    dates = [at for at, step in enumerate(read_steps) if step[0] == _DATE]
    computed: list[tuple[int, int, Any, str, Any]] = []  # (position, kind, field, key, extra)
    if not protected:
        computed = [
            (at, kind, field, key, extra)
            for at, (kind, field, key, extra) in enumerate(read_steps)
            if kind in (_ENCRYPTED, _INDEX, _TAIL)
        ]
    values: list[list[Any]] = []
    for n, row in enumerate(rows):
        try:
            out = list(pick(row))
        except KeyError:
            out = [row.get(key, default) for key, default in zip(keys, defaults, strict=True)]
        if pk_steps:
            out.append(ids[n])
        out += filled
        for at in dates:
            out[at] = adapt_date(out[at])
        for at, kind, field, key, extra in computed:
            get = row.get
            if kind == _ENCRYPTED:
                value = get(key)
                out[at] = None if value is None else field.get_prep_value(value)
            else:
                out[at] = (blind_index if kind == _INDEX else blind_tail)(extra, get(key))
        values.append(out)
    ordered = [*read_steps, *pk_steps, *now_steps]
    columns = [field.column for _kind, field, _key, _extra in ordered]
    types = _copy_types([field for _kind, field, _key, _extra in ordered])
    if writer is not None:
        writer.submit(model._meta.db_table, columns, values, types)
    else:
        _write(model._meta.db_table, columns, values, types)
    return ids


def reserve_ids(model: type[models.Model], count: int, cursor: Any = None) -> list[int]:
    """``count`` new primary keys of ``model`` (PostgreSQL: from its sequence, so they are
    never handed out twice; elsewhere the ones after the largest, for a single writer).
    ``cursor``: a psycopg cursor to use (the writer thread's) instead of Django's."""
    if count <= 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk.column
    if cursor is not None:
        cursor.execute(_NEXTVAL, [table, pk, count])
        return [r[0] for r in cursor.fetchall()]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_NEXTVAL, [table, pk, count])
            return [r[0] for r in cursor.fetchall()]
        quoted = connection.ops.quote_name(table)
        cursor.execute(f"SELECT COALESCE(MAX({connection.ops.quote_name(pk)}), 0) FROM {quoted}")  # noqa: S608 - names from model metadata
        start = int(cursor.fetchone()[0]) + 1
    return list(range(start, start + count))


_NEXTVAL = "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)"


def _write(
    table: str, columns: list[str], values: list[list[Any]], types: list[str] | None = None
) -> None:
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy(cursor.cursor, _copy_sql(table, columns, types), values, types)  # psycopg's
            return
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", values)  # noqa: S608 - names from model metadata


def _copy_sql(table: str, columns: list[str], types: list[str] | None = None) -> str:
    quote = connection.ops.quote_name
    binary = " (FORMAT BINARY)" if types is not None else ""
    return f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN{binary}"


def _copy(cursor: Any, sql: str, values: list[list[Any]], types: list[str] | None) -> None:
    with cursor.copy(sql) as copy:
        if types is not None:
            copy.set_types(types)  # binary: each column's type, said once
        for row in values:
            copy.write_row(row)


# PostgreSQL's binary COPY types by column type (``db_type`` without its length). Binary COPY
# costs a fraction of text COPY on both sides (no text formatting here, no parsing in the
# server); a string goes as "text", whose binary form varchar(n) and char(n) read as well.
_COPY_TYPES = {
    "bigint": "int8",
    "integer": "int4",
    "smallint": "int2",
    "varchar": "text",
    "char": "text",
    "text": "text",
    "date": "date",
    "timestamp with time zone": "timestamptz",
    "boolean": "bool",
}


def _copy_types(fields: list[Any]) -> list[str] | None:
    """The binary COPY type of each column on PostgreSQL, or None (text COPY) if one of the
    columns has a type not listed above."""
    if connection.vendor != "postgresql":
        return None
    types = []
    for field in fields:
        copy_type = _COPY_TYPES.get((field.db_type(connection) or "").split("(")[0].strip())
        if copy_type is None:
            return None
        types.append(copy_type)
    return types


class Writer:
    """Writes for ``fast_insert``, one at a time and in order: on PostgreSQL in a background
    thread, through the psycopg connection under Django's (so inside the caller's transaction;
    psycopg serialises any other use of the connection meanwhile); elsewhere at once.

    Use as a context manager around the writes and call ``wait()`` before the next query that
    must see them; errors of a write are raised (as Django's database errors) by ``wait()`` or
    on leaving the block.

    ``check_now``: models whose deferred foreign keys are checked as each statement ends while
    the block lasts (``SET CONSTRAINTS … IMMEDIATE``, back to ``DEFERRED`` on leaving), so that
    the server checks the new rows in the writer thread rather than all at once at commit.
    """

    def __init__(self, *, check_now: Sequence[type[models.Model]] = ()) -> None:
        self._pool: ThreadPoolExecutor | None = None
        self._pending: list[Future[Any]] = []
        self._immediate: list[str] = []
        if connection.vendor == "postgresql":
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="wushe-copy")
            self._immediate = _deferred_foreign_keys([m._meta.db_table for m in check_now])

    def __enter__(self) -> Writer:
        self._set_constraints("IMMEDIATE")
        return self

    def _set_constraints(self, mode: str) -> None:
        if self._immediate:
            names = ", ".join(connection.ops.quote_name(n) for n in self._immediate)
            with connection.cursor() as cursor:
                cursor.execute(f"SET CONSTRAINTS {names} {mode}")

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        try:
            if kind is None:
                self.wait()
                self._set_constraints("DEFERRED")  # as declared (only deferred ones were set)
            else:
                failed = self._abandon()
                if failed is not None and isinstance(error, DatabaseError):
                    # The main thread's query failed only because a write had already
                    # failed ("current transaction is aborted"): say what went wrong first.
                    with connection.wrap_database_errors:
                        raise failed
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)

    def _abandon(self) -> BaseException | None:
        """Cancel the work not started, let the running job end before the transaction is
        rolled back, and give the first error among them."""
        pending, self._pending = self._pending, []
        for future in pending:
            future.cancel()
        errors = [f.exception() for f in pending if not f.cancelled()]
        return next((e for e in errors if e is not None), None)

    @property
    def threaded(self) -> bool:
        """Whether the work runs in the background (PostgreSQL) rather than at once."""
        return self._pool is not None

    def submit(
        self,
        table: str,
        columns: list[str],
        values: list[list[Any]],
        types: list[str] | None = None,
    ) -> None:
        if self._pool is None:
            _write(table, columns, values, types)
            return
        sql = _copy_sql(table, columns, types)
        self.run(lambda cursor: _copy(cursor, sql, values, types))

    def run(self, job: Callable[[Any], T]) -> Future[T]:
        """Run ``job(cursor)`` after the work submitted so far: on PostgreSQL in the writer
        thread with a psycopg cursor (``%s`` parameters), elsewhere at once with Django's
        cursor. Its result (or error) comes from ``result()``."""
        future: Future[T] = Future()
        if self._pool is None:
            with connection.cursor() as cursor:
                future.set_result(job(cursor))
            return future
        connection.ensure_connection()
        raw = connection.connection  # the psycopg connection: used from the writer thread
        future = self._pool.submit(self._in_thread, raw, job)
        self._pending.append(future)
        return future

    @staticmethod
    def _in_thread(raw: Any, job: Callable[[Any], T]) -> T:
        with raw.cursor() as cursor:
            return job(cursor)

    def result(self, future: Future[T]) -> T:
        """The result of a ``run`` job, once it and everything submitted before it is done;
        the first error among them is raised."""
        if future in self._pending:
            upto = self._pending.index(future) + 1
            done, self._pending = self._pending[:upto], self._pending[upto:]
            with connection.wrap_database_errors:
                for earlier in done:
                    earlier.result()
        return future.result()

    def wait(self) -> None:
        pending, self._pending = self._pending, []
        with connection.wrap_database_errors:
            for future in pending:
                future.result()


def content_hash(parts: Sequence[Any]) -> str:
    """A keyed hash of a row's imported content (so equal content is "unchanged" on re-import
    without decrypting anything); keyed so that it reveals nothing about the values."""
    text = "\x1f".join(["" if p is None else str(p) for p in parts])
    return blind_index_hash().hexdigest(b"content\x00" + text.encode())


def _deferred_foreign_keys(tables: list[str]) -> list[str]:
    """Names of the foreign keys of ``tables`` declared DEFERRABLE INITIALLY DEFERRED
    (Django's default on PostgreSQL)."""
    if not tables:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE contype = 'f' AND condeferrable "
            "AND condeferred AND conrelid = ANY(%s::regclass[]) ORDER BY conname",
            [tables],
        )
        return [name for (name,) in cursor.fetchall()]
