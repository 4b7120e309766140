"""Fast inserts for the canvass import: rows written with COPY (PostgreSQL) or executemany
(SQLite) instead of ``bulk_create``, whose per-field work costs more than the validation.

Protected fields go through the very same primitives as the model fields: an
``EncryptedTextField``'s own ``get_prep_value`` (Fernet under the current data key) and a
``BlindIndexField``'s ``blind_index``/``blind_tail`` of its source, so a row written here reads
back and is found exactly like one saved through the ORM (tested).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

from wushe.core.privacy import BlindIndexField, EncryptedTextField
from wushe.core.privacy.blind_index import blind_index, blind_tail
from wushe.core.privacy.keys import blind_index_key

_PLAIN, _ENCRYPTED, _INDEX, _TAIL, _NOW, _DATE = range(6)


Step = tuple[int, Any, str, Any]  # (kind, field, key, extra)


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


def protect(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with every blind index computed and every protected value encrypted (what
    ``fast_insert(..., protected=True)`` writes as is)."""
    out = dict(values)
    for field in model._meta.concrete_fields:
        if isinstance(field, BlindIndexField):
            hasher = blind_tail if field.tail else blind_index
            out[field.attname] = hasher(field.index_kind, values.get(field.source))
    for field in model._meta.concrete_fields:
        if isinstance(field, EncryptedTextField):
            value = values.get(field.attname)
            out[field.attname] = None if value is None else field.get_prep_value(value)
    return out


def fast_insert(
    model: type[models.Model],
    rows: Sequence[dict[str, Any]],
    *,
    return_ids: bool = False,
    protected: bool = False,
) -> list[int]:
    """Insert ``rows`` (attname -> Python value) into ``model``'s table; the new ids in order
    when ``return_ids`` (reserved up front, so COPY can be used). ``protected``: the rows went
    through ``protect`` already."""
    if not rows:
        return []
    ids = _reserve_ids(model, len(rows)) if return_ids else []
    plan = _plan(model, with_id=return_ids)
    now = models.DateTimeField().get_db_prep_value(timezone.now(), connection)
    adapt_date = connection.ops.adapt_datefield_value
    values: list[list[Any]] = []
    for n, row in enumerate(rows):
        out: list[Any] = []
        for kind, field, key, extra in plan:
            if kind == _PLAIN:
                out.append(ids[n] if field.primary_key else row.get(key, extra))
            elif protected and kind in (_ENCRYPTED, _INDEX, _TAIL):
                out.append(row.get(field.attname))
            elif kind == _ENCRYPTED:
                value = row.get(key)
                out.append(None if value is None else field.get_prep_value(value))
            elif kind == _INDEX:
                out.append(blind_index(extra, row.get(key)))
            elif kind == _TAIL:
                out.append(blind_tail(extra, row.get(key)))
            elif kind == _NOW:
                out.append(now)
            else:
                out.append(adapt_date(row.get(key)))
        values.append(out)
    columns = [field.column for _kind, field, _key, _extra in plan]
    _write(model._meta.db_table, columns, values)
    return ids


def _reserve_ids(model: type[models.Model], count: int) -> list[int]:
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, count],
            )
            return [r[0] for r in cursor.fetchall()]
        quoted = connection.ops.quote_name(table)
        cursor.execute(f"SELECT COALESCE(MAX({connection.ops.quote_name(pk)}), 0) FROM {quoted}")  # noqa: S608 - names from model metadata
        start = int(cursor.fetchone()[0]) + 1
    return list(range(start, start + count))


def _write(table: str, columns: list[str], values: list[list[Any]]) -> None:
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", values)  # noqa: S608 - names from model metadata


def content_hash(parts: Sequence[Any]) -> str:
    """A keyed hash of a row's imported content (so equal content is "unchanged" on re-import
    without decrypting anything); keyed so that it reveals nothing about the values."""
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hmac.new(blind_index_key(), b"content\x00" + text.encode(), hashlib.sha256).hexdigest()
