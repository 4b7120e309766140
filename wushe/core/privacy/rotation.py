"""Key rotation: re-encrypt every protected value with the current key; rebuild blind indexes.

Both walk every installed model in primary-key batches, one transaction per batch, and are
safe to stop and re-run: ``rotate_data_key`` skips values already under the first key, and
``rebuild_blind_indexes`` writes only rows whose hashes changed. The management commands
``rotate-data-key`` and ``rebuild-blind-index`` are thin wrappers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models, transaction
from django.db.models import Case, Value, When
from django.db.models.functions import Cast

from wushe.core.privacy.fields import (
    BlindIndexField,
    EncryptedTextField,
    blind_index_fields,
    encrypted_fields,
)
from wushe.core.privacy.keys import DecryptionError, is_current, rotate

_RAW = "_wushe_raw"


@dataclass
class FieldReport:
    label: str
    rows: int = 0
    rewritten: int = 0
    unchanged: int = 0
    empty: int = 0
    failed: list[str] = field(default_factory=list)  # primary keys that no key opens


def _models_with(kind: type[models.Field]) -> Iterator[type[models.Model]]:
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        if any(isinstance(f, kind) for f in model._meta.concrete_fields):
            yield model


def _batches(qs: models.QuerySet, size: int) -> Iterator[list]:
    last = None
    while True:
        page = qs.filter(pk__gt=last) if last is not None else qs
        rows = list(page.order_by("pk")[:size])
        if not rows:
            return
        yield rows
        last = rows[-1][0] if isinstance(rows[-1], tuple) else rows[-1].pk


def _rotate_field(
    model: type[models.Model], fld: EncryptedTextField, batch_size: int
) -> FieldReport:
    report = FieldReport(label=f"{model._meta.label}.{fld.name}")
    manager = model._base_manager
    raw = manager.annotate(**{_RAW: Cast(fld.attname, models.TextField())})
    for rows in _batches(raw.values_list("pk", _RAW), batch_size):
        pks = [pk for pk, _token in rows]
        with transaction.atomic():
            # Lock the batch and read it again, so a concurrent save is never overwritten.
            locked = raw.select_for_update().filter(pk__in=pks).values_list("pk", _RAW)
            new: dict = {}
            for pk, token in locked:
                report.rows += 1
                if token is None:
                    report.empty += 1
                elif is_current(token):
                    report.unchanged += 1
                else:
                    try:
                        new[pk] = rotate(token, where=report.label)
                    except DecryptionError:
                        report.failed.append(str(pk))
            if new:
                whens = [
                    When(pk=pk, then=Value(t, output_field=models.TextField()))
                    for pk, t in new.items()
                ]
                manager.filter(pk__in=list(new)).update(**{fld.attname: Case(*whens)})
                report.rewritten += len(new)
    return report


def rotate_data_key(
    *, batch_size: int = 500, progress: Callable[[FieldReport], None] | None = None
) -> list[FieldReport]:
    """Re-encrypt every EncryptedTextField value of every model under the first data key."""
    reports = []
    for model in _models_with(EncryptedTextField):
        for fld in encrypted_fields(model):
            report = _rotate_field(model, fld, batch_size)
            reports.append(report)
            if progress:
                progress(report)
    return reports


def _rebuild_model(model: type[models.Model], batch_size: int) -> FieldReport:
    report = FieldReport(label=model._meta.label)
    index_fields: list[BlindIndexField] = blind_index_fields(model)
    names = [f.name for f in index_fields]
    sources = sorted({f.source for f in index_fields})
    qs = model._base_manager.only("pk", *sources, *names)
    for rows in _batches(qs, batch_size):
        changed = []
        for obj in rows:
            report.rows += 1
            fresh = {f.attname: f.compute(obj) for f in index_fields}
            if all(getattr(obj, k) == v for k, v in fresh.items()):
                report.unchanged += 1
                continue
            for key, value in fresh.items():
                setattr(obj, key, value)
            changed.append(obj)
        if changed:
            with transaction.atomic():
                model._base_manager.bulk_update(changed, names)
            report.rewritten += len(changed)
    return report


def rebuild_blind_indexes(
    *, batch_size: int = 500, progress: Callable[[FieldReport], None] | None = None
) -> list[FieldReport]:
    """Recompute every BlindIndexField from its decrypted source (after changing the
    blind-index key or a normaliser)."""
    reports = []
    for model in _models_with(BlindIndexField):
        report = _rebuild_model(model, batch_size)
        reports.append(report)
        if progress:
            progress(report)
    return reports
