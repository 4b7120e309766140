"""Model queries and inserts compiled to SQL once per process and database, then run with new
values.

Django compiles every QuerySet to SQL on each evaluation; for a query with ``select_related``
over three models that costs more CPU than running it. For the few queries that every API
request makes, ``PrecompiledQuery`` keeps the compiled SQL, the column converters and the
related-object populators of Django's own compiler and, per call, only runs the SQL with the
new parameters and builds the model instances the way ``QuerySet`` does (``from_db``,
converters, ``select_related`` caches)::

    TOKEN = PrecompiledQuery(
        lambda key: Token.objects.select_related("user__scope_area").filter(key=key)
    )
    token = TOKEN.first(key)

``build`` must give the same query shape for every value: it is called once with marker
values (strings, or integers for the positions named in ``types``), each of which must reach
the SQL as exactly one placeholder (equality filters, not ``__in`` lists or ``None``);
values the query holds itself (a fixed ``status__in`` list) stay as compiled. The values
passed per call go to the database driver as they are, so they must be what the column
stores. A position typed ``StartsWith`` takes a string used in a ``__startswith`` filter
(an area path prefix): each call escapes it for LIKE as Django does.

``PrecompiledInsert`` is ``save(force_insert=True)`` with the INSERT compiled once;
``insert_together`` writes rows of several models in one statement (data-modifying ``WITH``
queries on PostgreSQL); ``PendingInserts`` holds rows a service has made, prepared but not
written, for its caller to write with its own in one statement, in autocommit mode (the API
intake: ``needs.idempotency``), a row's key taken beforehand with the reads it needs
(``read_after_next_key``).
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, Generic, NamedTuple, TypeVar

from django.db import NotSupportedError, connections, models, transaction
from django.db.backends.postgresql.compiler import InsertUnnest
from django.db.models import NOT_PROVIDED, signals
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]
from django.db.models.sql.compiler import SQLInsertCompiler
from django.db.models.sql.subqueries import InsertQuery
from django.utils import timezone

M = TypeVar("M", bound=models.Model)


class StartsWith:
    """In ``PrecompiledQuery``'s ``types``: a string argument given to ``__startswith``."""


def _like_prefix(using: str, value: str) -> str:
    # What Django's startswith lookup sends: the value escaped for LIKE, then "%".
    return f"{connections[using].ops.prep_for_like_query(value)}%"


_VENDORS: dict[str, str] = {}


def _vendor(using: str) -> str:
    """``connections[using].vendor``, without the thread-local lookup of the connection
    (asgiref's ``Local``) each time: a statement asks for it once per row. A database
    alias keeps its engine for the life of the process."""
    vendor = _VENDORS.get(using)
    if vendor is None:
        vendor = _VENDORS[using] = connections[using].vendor
    return vendor


class _Compiled:
    def __init__(
        self, queryset: models.QuerySet[Any], sentinels: list[Any], types: tuple[type, ...]
    ) -> None:
        compiler = queryset.query.get_compiler(using=queryset.db)
        # as_sql() also fills the compiler's select list, klass_info and col_count.
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        self.positions = []
        self.prefixes = {i for i, kind in enumerate(types) if kind is StartsWith}
        for n, sentinel in enumerate(sentinels):
            if n in self.prefixes:
                sentinel = _like_prefix(queryset.db, sentinel)
            found = [
                i for i, p in enumerate(self.params) if type(p) is type(sentinel) and p == sentinel
            ]
            if len(found) != 1:
                raise ValueError("PrecompiledQuery: each argument must reach the SQL once, as is")
            self.positions.append(found[0])
        self.compiler = compiler
        klass_info = compiler.klass_info
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [f[0].target.attname for f in compiler.select[self.start : self.end]]
        self.populators = get_related_populators(klass_info, compiler.select, queryset.db)
        self.converters = compiler.get_converters(
            [s[0] for s in compiler.select[0 : compiler.col_count]]
        )


class PrecompiledQuery(Generic[M]):
    def __init__(
        self,
        build: Callable[..., models.QuerySet[M]],
        *,
        types: tuple[type, ...] = (str,),
        using: str = "default",
    ) -> None:
        self.build = build
        self.types = types
        self.using = using
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _get(self) -> _Compiled:
        vendor = _vendor(self.using)
        compiled = self._compiled.get(vendor)
        if compiled is None:
            with self._lock:
                compiled, again = (self._compile(round_) for round_ in (0, 1))
                if compiled.sql != again.sql or [
                    p for i, p in enumerate(compiled.params) if i not in compiled.positions
                ] != [p for i, p in enumerate(again.params) if i not in again.positions]:
                    # e.g. a timezone.now() in build(): it would stay fixed for the process.
                    raise ValueError(
                        "PrecompiledQuery: build() gives a different query on each call"
                    )
                self._compiled[vendor] = compiled
        return compiled

    def _compile(self, round_: int) -> _Compiled:
        sentinels = [
            -(10**15) - 10 * i - round_ if kind is int else f"\x00precompiled-{i}-{round_}\x00"
            for i, kind in enumerate(self.types)
        ]
        return _Compiled(self.build(*sentinels).using(self.using), sentinels, self.types)

    def _params(self, c: _Compiled, values: tuple[Any, ...]) -> list[Any]:
        params = list(c.params)
        for i, (position, value) in enumerate(zip(c.positions, values, strict=True)):
            params[position] = _like_prefix(self.using, value) if i in c.prefixes else value
        return params

    def _objects(self, c: _Compiled, rows: list[Any]) -> list[M]:
        if c.converters:
            rows = list(c.compiler.apply_converters(rows, c.converters))
        found = []
        for row in rows:
            obj = c.model.from_db(self.using, c.init_list, row[c.start : c.end])
            for populator in c.populators:
                populator.populate(row, obj)
            found.append(obj)
        return found

    def all(self, *values: Any) -> list[M]:
        c = self._get()
        with connections[self.using].cursor() as cursor:
            cursor.execute(c.sql, self._params(c, values))
            rows = cursor.fetchall()
        return self._objects(c, rows)

    def bind(self, *values: Any, many: bool = False) -> Bound:
        """This query with the values of one call, to be read with others in one round trip
        (``read_after_next_key``); ``many``: the part that may find several rows."""
        return Bound(self, values, many)

    def first(self, *values: Any) -> M | None:
        """The one row found, or ``None``: for lookups by a unique key (the SQL has no ORDER BY
        or LIMIT of its own, unlike ``QuerySet.first``)."""
        found = self.all(*values)
        if len(found) > 1:
            raise ValueError(f"PrecompiledQuery.first: {len(found)} rows for a unique lookup")
        return found[0] if found else None


class Bound(NamedTuple):
    """A ``PrecompiledQuery`` with the values of one call (``PrecompiledQuery.bind``)."""

    query: PrecompiledQuery[Any]
    values: tuple[Any, ...]
    many: bool


def read_after_next_key(
    model: type[models.Model], *parts: Bound, using: str = "default"
) -> tuple[int, list[list[Any]]]:
    """A new primary key of ``model``, taken from its sequence as an INSERT takes one, and the
    rows each query in ``parts`` finds, all in one round trip (PostgreSQL only): for a service
    that reads what it needs, then writes a row and rows referring to it in one statement
    (``PendingInserts``), and answers with what the queries found before that row existed.
    The key is never given twice; one not used is a gap, as after a failed INSERT.

    At most one part may be ``many``; the others must be lookups by a unique key (as for
    ``first``), and each gives a list of at most one object."""
    if sum(part.many for part in parts) > 1:
        raise ValueError("read_after_next_key: at most one part may find several rows")
    if any(part.query.using != using for part in parts):
        raise ValueError("read_after_next_key: a query compiled for another database")
    # The part of several rows first, numbered in its own order; each lookup joined to its
    # first row only (or to the row of NULLs it gives when it finds none), so that a lookup's
    # columns come once, not once per row.
    ordered = sorted(range(len(parts)), key=lambda i: not parts[i].many)
    compiled = [parts[i].query._get() for i in ordered]
    select, joins, order = ['"_k"."key"'], [], ""
    params: list[Any] = [_sequence_of(model, using)]
    for n, (i, c) in enumerate(zip(ordered, compiled, strict=True)):
        select.append(f'"_q{n}".*')
        params += parts[i].query._params(c, parts[i].values)
        if parts[i].many:
            numbered = f'SELECT *, row_number() OVER () AS "_n" FROM ({c.sql}) "_m"'  # noqa: S608
            joins.append(f'LEFT JOIN LATERAL ({numbered}) "_q{n}" ON TRUE')
            order = f' ORDER BY "_q{n}"."_n"'
        else:
            # On the first row only, the condition inside the subquery (OFFSET 0 keeps the
            # planner from pulling it up to a join filter): the lookup runs once, not once
            # per row of the other part. The many part, if any, is "_q0".
            first = f'SELECT * FROM ({c.sql}) "_l" WHERE COALESCE("_q0"."_n", 1) = 1 OFFSET 0'  # noqa: S608
            joins.append(f'LEFT JOIN LATERAL ({first if order else c.sql}) "_q{n}" ON TRUE')
    key = 'FROM (SELECT nextval(%s::regclass) AS "key") "_k"'
    sql = f"SELECT {', '.join(select)} {key} {' '.join(joins)}{order}"  # noqa: S608 - Django's
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found: list[list[Any]] = [[] for _ in parts]
    offset = 1
    for i, c in zip(ordered, compiled, strict=True):
        width = c.compiler.col_count
        # A query's rows, without the rows of NULLs (its key column tells them apart).
        pk_at = offset + c.start + c.init_list.index(c.model._meta.pk.attname)
        own = [r[offset : offset + width] for r in rows if r[pk_at] is not None]
        offset += width + parts[i].many  # and the row number
        if not parts[i].many and len(own) > 1:
            raise ValueError("read_after_next_key: a lookup found several rows")
        found[i] = parts[i].query._objects(c, own)
    if offset != len(rows[0]):
        raise ValueError("read_after_next_key: a query's columns are not its compiler's")
    return rows[0][0], found


# psycopg parses a query's placeholders once and keeps the result (an LRU of 128 queries),
# but only for queries of up to 50 parameters; a statement of insert_together passes more
# (an intake: the request's 30 columns, its history, its log row, its answer: 52) and was
# parsed afresh on every call, 7 % of the intake's instructions. A few long statements more
# in that cache cost nothing; ``ready()`` of core raises the limit, checked by a test.
PSYCOPG_CACHED_PARAMS = 200


def let_psycopg_keep_long_statements() -> None:
    try:
        from psycopg import _queries
    except ImportError:  # SQLite only
        return
    limit = getattr(_queries, "MAX_CACHED_STATEMENT_PARAMS", None)
    if isinstance(limit, int):  # another psycopg may name it otherwise: never fail to start
        _queries.MAX_CACHED_STATEMENT_PARAMS = max(limit, PSYCOPG_CACHED_PARAMS)


_SEQUENCES: dict[tuple[type[models.Model], str], str] = {}


def _sequence_of(model: type[models.Model], using: str) -> str:
    """The name of the sequence that gives ``model``'s primary keys (an identity column's
    too), looked up once per process."""
    sequence = _SEQUENCES.get((model, using))
    if sequence is None:
        connection = connections[using]
        if connection.vendor != "postgresql":
            raise NotSupportedError("a key taken beforehand needs PostgreSQL's sequences")
        meta = model._meta
        with connection.cursor() as cursor:
            found = connection.introspection.get_sequences(cursor, meta.db_table)
        [sequence] = [s["name"] for s in found if s["column"] == meta.pk.column]
        _SEQUENCES[(model, using)] = sequence
    return sequence


# Fields whose value of these exact types PostgreSQL's backend sends as it is: their
# pre_save reads the attribute and get_db_prep_save gives the value back (an aware datetime
# for DateTimeField). For these the per-field calls are skipped; any other field, or value,
# goes through the field's own methods.
# Char and text fields send any str as it is (to_python returns a str subclass, a
# TextChoices member, unchanged); the others only values of exactly these types; None
# where the field is nullable.
_ANY_STR: tuple[type, ...] = (str,)
_PLAIN_TYPES: dict[type[models.Field[Any, Any]], tuple[type, ...]] = {
    models.CharField: _ANY_STR,
    models.TextField: _ANY_STR,
    models.BooleanField: (bool,),
    # Auto fields, and keys to them, are sent as plain ints; the other integer fields as
    # Django sends them on psycopg 3, wrapped in Int2/Int4/Int8 (``_INTEGER_FIELDS``: a bare
    # int's parameter type would follow its size, one prepared statement per size).
    models.AutoField: (int,),
    models.BigAutoField: (int,),
    models.ForeignKey: (int,),
    models.DateTimeField: (datetime.datetime,),
}
_INTEGER_FIELDS = (
    models.IntegerField,
    models.SmallIntegerField,
    models.BigIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
)

Plain = tuple[tuple[type, ...], Callable[[Any], Any] | None]


def _plain(field: models.Field[Any, Any], using: str) -> Plain | None:
    """The exact types ``field`` sends as they are (or wrapped as Django wraps them), or
    ``None`` when its own methods must prepare every value."""
    if type(field) in _INTEGER_FIELDS:
        wrappers = getattr(connections[using].ops, "integerfield_type_map", None)
        return (int,), (wrappers or {}).get(field.get_internal_type())
    types = _PLAIN_TYPES.get(type(field))
    if types is None or getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return None
    if isinstance(field, models.ForeignKey) and type(field.target_field) not in (
        models.AutoField,
        models.BigAutoField,
    ):
        return None
    return types, None


class _CompiledInsert:
    def __init__(self, model: type[models.Model], using: str, *, with_key: bool = False) -> None:
        meta = model._meta
        self.fields = [
            f
            for f in meta.local_concrete_fields
            if (with_key or f is not meta.auto_field) and not f.generated
        ]
        self.returning = list(meta.db_returning_fields)
        query = InsertQuery(model)
        query.insert_values(self.fields, [model()])
        compiler = query.get_compiler(using=using)
        compiler.returning_fields = self.returning
        [(self.sql, _params)] = compiler.as_sql()
        self.returning_params = list(compiler.returning_params)
        # Multi-row statements (insert_together) per row count: SQL, and whether UNNEST.
        self.many: dict[int, tuple[str, bool]] = {}
        self.plain = [
            _plain(f, using) if connections[using].vendor == "postgresql" else None
            for f in self.fields
        ]
        self.compiler = compiler
        self.converters = compiler.get_converters(
            [f.get_col(meta.db_table) for f in self.returning]
        )


# Up to this many rows, a multi-row INSERT of insert_together is one VALUES row per row
# (PrecompiledInsert._compile_rows); more, as Django compiles them.
VALUES_ROWS = 10


class PrecompiledInsert:
    """``obj.save(force_insert=True)`` for a new row, with the INSERT statement compiled once
    per process and database (one statement without the auto primary key, one with it for a
    row whose key was taken beforehand, as ``read_after_next_key`` does). The values are still prepared
    per call by the fields themselves (``pre_save`` and ``get_db_prep_save``: timestamps,
    encryption, blind indexes, JSON), so the row stored is the one ``save()`` would store,
    and the primary key (and any other returned column) is set on ``obj``.

    While a ``pre_save`` or ``post_save`` receiver is connected for the model, for a model
    with a ``save()`` of its own (unless its class is named in ``plain_saves``: read, and
    doing nothing an insert needs), or for models this cannot compile (multi-table
    inheritance, fields with their own placeholders), it calls ``save(force_insert=True)``.
    A failed INSERT marks the enclosing atomic block for rollback, as ``save()`` does.
    """

    def __init__(
        self,
        model: type[models.Model],
        using: str = "default",
        *,
        plain_saves: tuple[type, ...] = (),
    ) -> None:
        meta = model._meta
        self.model = model
        self.using = using
        own_saves = [
            cls for cls in model.__mro__[: model.__mro__.index(models.Model)] if "save" in vars(cls)
        ]
        self.supported = (
            not meta.parents
            and all(cls in plain_saves for cls in own_saves)
            and all(
                not hasattr(f, "get_placeholder") and f.db_default is NOT_PROVIDED
                for f in meta.local_concrete_fields
            )
        )
        self._compiled: dict[tuple[str, bool], _CompiledInsert] = {}
        self._lock = threading.Lock()

    def insert(self, obj: M) -> M:
        prepared = self._prepare(obj)
        if prepared is None:
            obj.save(force_insert=True, using=self.using)
            return obj
        c, values = prepared
        connection = connections[self.using]
        with transaction.mark_for_rollback_on_error(self.using), connection.cursor() as cursor:
            cursor.execute(c.sql, [*values, *c.returning_params])
            if connection.features.can_return_columns_from_insert:
                row = connection.ops.fetch_returned_insert_columns(cursor, c.returning_params)
            else:
                meta = self.model._meta
                row = (connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.column),)
        self._inserted(obj, row, c)
        return obj

    def _prepare(self, obj: models.Model) -> tuple[_CompiledInsert, list[Any]] | None:
        """The compiled INSERT and ``obj``'s values for it; ``None`` when ``save()`` must
        insert it."""
        c = self._statement(obj)
        if c is None:
            return None
        obj._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
        compiler = c.compiler
        values: list[Any] = []
        for f, plain in zip(c.fields, c.plain, strict=True):
            if plain is not None:
                types, wrap = plain
                value = getattr(obj, f.attname)
                if value is None:
                    if f.null:
                        values.append(value)
                        continue
                elif types is _ANY_STR:
                    if isinstance(value, str):  # TextChoices members too, as to_python
                        values.append(value)
                        continue
                elif type(value) in types and (
                    type(value) is not datetime.datetime or timezone.is_aware(value)
                ):
                    values.append(value if wrap is None else wrap(value))
                    continue
            value = compiler.prepare_value(f, compiler.pre_save_val(f, obj))
            if hasattr(value, "as_sql"):
                return None  # an expression (F(), Now()): not a value for a placeholder
            values.append(value)
        return c, values

    def _statement(self, obj: models.Model) -> _CompiledInsert | None:
        model = self.model
        if (
            not self.supported
            or type(obj) is not model
            or signals.pre_save.has_listeners(model)
            or signals.post_save.has_listeners(model)
        ):
            return None
        with_key = obj.pk is not None and model._meta.auto_field is not None
        if obj.pk is not None and not with_key:
            return None
        compiled_for = (_vendor(self.using), with_key)
        c = self._compiled.get(compiled_for)
        if c is None:
            with self._lock:
                c = self._compiled.get(compiled_for)
                if c is None:
                    c = self._compiled[compiled_for] = _CompiledInsert(
                        model, self.using, with_key=with_key
                    )
        return c

    def _prepare_rows(
        self, objs: list[models.Model]
    ) -> tuple[str, list[Any], _CompiledInsert] | None:
        """One INSERT of ``objs``: its SQL, its values and the compiled statement (whose
        ``returning`` fields it returns); ``None`` when ``save()`` must insert them. One row:
        the compiled statement; several: compiled by Django for them, as ``bulk_create``
        does."""
        prepared = [self._prepare(obj) for obj in objs]
        if any(p is None for p in prepared):
            return None
        statement = prepared[0][0]  # type: ignore[index]
        if any(c is not statement for c, _values in prepared):  # type: ignore[misc]
            return None  # some rows have their key and others not
        value_rows = [values for _c, values in prepared]  # type: ignore[misc]
        if len(objs) == 1:
            return statement.sql, [*value_rows[0], *statement.returning_params], statement
        many = statement.many.get(len(objs))
        if many is None:
            many = statement.many[len(objs)] = self._compile_rows(statement, value_rows)
        sql, unnest = many
        if unnest:  # one array per column, as Django makes them
            params = [list(column) for column in zip(*value_rows, strict=True)]
        else:
            params = [p for row in value_rows for p in row]
        return sql, [*params, *statement.returning_params], statement

    def _compile_rows(
        self, statement: _CompiledInsert, value_rows: list[list[Any]]
    ) -> tuple[str, bool]:
        """The INSERT of this many rows, and whether its values go as one array per column
        (UNNEST). Up to ``VALUES_ROWS`` rows, one ``VALUES`` row each: the statement is
        prepared once per connection, so UNNEST's lighter planning, Django's reason to choose
        it on PostgreSQL, is not paid per call, while parsing its arrays and running the
        function scan is (a request's two history rows: ~5 % of the server's work on the
        statement). More rows: as Django compiles them (``bulk_create``)."""
        query = InsertQuery(self.model)
        query.insert_values(statement.fields, [self.model() for _ in value_rows])
        compiler = query.get_compiler(using=self.using)
        compiler.returning_fields = statement.returning
        if len(value_rows) <= VALUES_ROWS:
            # The generic compiler's placeholders: one "%s" per value (no field here has
            # its own placeholder, nor any value an expression: _prepare refused them).
            compiler.assemble_as_sql = partial(SQLInsertCompiler.assemble_as_sql, compiler)
            unnest = False
        else:
            unnest = isinstance(
                statement.compiler.assemble_as_sql(statement.fields, value_rows)[0], InsertUnnest
            )
        [(sql, _params)] = compiler.as_sql()
        return sql, unnest

    def _inserted(self, obj: models.Model, row: Any, c: _CompiledInsert) -> None:
        if c.converters:
            [row] = c.compiler.apply_converters([row], c.converters)
        for value, field in zip(row, c.returning, strict=True):
            setattr(obj, field.attname, value)
        obj._state.adding = False
        obj._state.db = self.using


Group = tuple[PrecompiledInsert, list[models.Model]]
Prepared = tuple[str, list[Any], _CompiledInsert]


def insert_together(*groups: Group, using: str = "default") -> None:
    """Insert new rows of one or more models in one statement on PostgreSQL, one round trip
    instead of one per model: each group is one INSERT (several rows: one multi-row INSERT,
    keys given in order, as ``bulk_create``), each INSERT a data-modifying ``WITH`` query, the
    returned keys read back in one row. Elsewhere (SQLite has no INSERT in ``WITH``), or
    while a group needs ``save()``, each row is inserted by ``PrecompiledInsert.insert``,
    all in one transaction: either way all rows are stored or none, so a caller in autocommit
    mode needs no transaction of its own. A row may refer to another row of the same call
    only by a key taken beforehand (``read_after_next_key``): PostgreSQL runs
    the ``WITH`` queries in no set order, and foreign keys are checked when the statement
    ends."""
    _write(list(groups), _prepare_groups(groups, using), using)


class NotDeferrableError(Exception):
    """A row that ``PendingInserts`` cannot prepare now (it needs ``save()``): the caller
    writes on its transaction path instead."""


class PendingInserts:
    """New rows a service has made but not written, for its caller to write in one
    statement with rows of its own (``write``, as ``insert_together``). Each row's values
    are prepared when it is added (timestamps, blind indexes, encryption: set on the object
    as they will be stored), so the caller can answer with the rows before writing them."""

    def __init__(self, using: str = "default") -> None:
        self.using = using
        self._groups: list[Group] = []
        self._prepared: list[Prepared | None] = []

    def add(self, insert: PrecompiledInsert, objs: list[models.Model]) -> None:
        [prepared] = _prepare_groups([(insert, objs)], self.using)
        if prepared is None:
            raise NotDeferrableError(insert.model)
        self._groups.append((insert, objs))
        self._prepared.append(prepared)

    def write(self, *more: Group) -> None:
        """This batch's rows and ``more`` in one statement (all stored, or none)."""
        groups = [*self._groups, *more]
        _write(groups, [*self._prepared, *_prepare_groups(more, self.using)], self.using)


def _prepare_groups(groups: Iterable[Group], using: str) -> list[Prepared | None]:
    if _vendor(using) != "postgresql":
        return [None for _group in groups]
    return [insert._prepare_rows(objs) for insert, objs in groups]


def _write(groups: list[Group], prepared: list[Prepared | None], using: str) -> None:
    connection = connections[using]
    if any(p is None for p in prepared):
        # Rows already prepared keep their values (the answer may show them); only the
        # others are prepared (and saved) now.
        with transaction.atomic(using, savepoint=False):
            for (insert, objs), p in zip(groups, prepared, strict=True):
                if p is None:
                    for obj in objs:
                        insert.insert(obj)
                else:
                    _write([(insert, objs)], [p], using)
        return
    quote = connection.ops.quote_name
    queries: list[str] = []
    params: list[Any] = []
    returned: list[str] = []
    for i, p in enumerate(prepared):
        sql, values, statement = p  # type: ignore[misc]
        name = quote(f"_{i}")
        queries.append(f"{name} AS ({sql})")
        params += values
        pattern = "(SELECT {} FROM {})" if len(groups[i][1]) == 1 else "ARRAY(SELECT {} FROM {})"
        returned += [pattern.format(quote(f.column), name) for f in statement.returning]
    sql = f"WITH {', '.join(queries)} SELECT {', '.join(returned)}"
    with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = list(cursor.fetchone())
    for (insert, objs), p in zip(groups, prepared, strict=True):
        statement = p[2]  # type: ignore[index]
        n = len(statement.returning)
        columns, found = found[:n], found[n:]
        rows = [columns] if len(objs) == 1 else [list(r) for r in zip(*columns, strict=True)]
        for obj, row in zip(objs, rows, strict=True):
            insert._inserted(obj, row, statement)
