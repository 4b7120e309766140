"""A model query compiled to SQL once per process and database, then run with new values.

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
stores.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import connections, models
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]

M = TypeVar("M", bound=models.Model)


class _Compiled:
    def __init__(self, queryset: models.QuerySet[Any], sentinels: list[Any]) -> None:
        compiler = queryset.query.get_compiler(using=queryset.db)
        # as_sql() also fills the compiler's select list, klass_info and col_count.
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        self.positions = []
        for sentinel in sentinels:
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
        vendor = connections[self.using].vendor
        compiled = self._compiled.get(vendor)
        if compiled is None:
            with self._lock:
                sentinels = [
                    -(10**15) - i if kind is int else f"\x00precompiled-{i}\x00"
                    for i, kind in enumerate(self.types)
                ]
                compiled = _Compiled(self.build(*sentinels).using(self.using), sentinels)
                self._compiled[vendor] = compiled
        return compiled

    def all(self, *values: Any) -> list[M]:
        c = self._get()
        params = list(c.params)
        for position, value in zip(c.positions, values, strict=True):
            params[position] = value
        with connections[self.using].cursor() as cursor:
            cursor.execute(c.sql, params)
            rows = cursor.fetchall()
        if c.converters:
            rows = list(c.compiler.apply_converters(rows, c.converters))
        found = []
        for row in rows:
            obj = c.model.from_db(self.using, c.init_list, row[c.start : c.end])
            for populator in c.populators:
                populator.populate(row, obj)
            found.append(obj)
        return found

    def first(self, *values: Any) -> M | None:
        found = self.all(*values)
        return found[0] if found else None
