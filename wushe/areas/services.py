"""Every write to the area tree: import, move, merge, outline. One transaction each,
audited."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import Model, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _

from wushe.areas import errors
from wushe.areas.geometry import clean_geometry
from wushe.areas.importing import COLUMNS, REQUIRED, AreaRow, parse_row
from wushe.areas.levels import ALLOWED_PARENTS, OUTLINED, RANK, Level, child_extends_parent
from wushe.areas.models import Area, AreaChange
from wushe.core.audit import log_action
from wushe.core.errors import ApplicationError, PermissionDeniedError
from wushe.core.imports import ImportReport
from wushe.core.jobs import job_for_large_upload
from wushe.core.models import Job
from wushe.core.scoping import path_in_scope
from wushe.core.tables import TableRow, read_table

BLANK_ROW = _("Blank row.")
BATCH = 2000

Progress = Callable[[int], None]


def area_import(
    *,
    actor: Any,
    rows: Iterable[TableRow],
    dry_run: bool = False,
    report: ImportReport | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Create or update areas from spreadsheet rows; every row is accounted for in the report.

    The whole import is one transaction: a crash leaves nothing half-applied. Rows are applied
    level by level (districts first) so a parent may come after its children in the file.
    """
    report = report or ImportReport()
    report.dry_run = dry_run
    parsed: list[AreaRow] = []
    first_row: dict[str, int] = {}
    for count, row in enumerate(rows, start=1):
        if progress and count % BATCH == 0:
            progress(count)
        if row.is_blank():
            report.skip(row.number, BLANK_ROW)
            continue
        try:
            area_row = parse_row(row.number, row.values)
        except ApplicationError as exc:
            report.reject(row.number, exc.message, exc.field)
            continue
        if area_row.code in first_row:
            report.reject(
                row.number,
                errors.DUPLICATE_IN_FILE.format(code=area_row.code, row=first_row[area_row.code]),
                "code",
            )
            continue
        first_row[area_row.code] = row.number
        parsed.append(area_row)

    parsed.sort(key=lambda r: (RANK[r.level], r.row))
    with transaction.atomic():
        _apply_rows(actor, parsed, report)
        if not dry_run:
            log_action(
                "areas.import.completed",
                actor=actor,
                area_path=getattr(actor, "scope_path", None) or "",
                data={k: v for k, v in report.as_dict().items() if k != "skipped_rows"},
            )
        else:
            transaction.set_rollback(True)
    return report


def area_import_file(
    *,
    actor: Any,
    source: Any,
    filename: str,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a .csv or .xlsx file (a path or a binary file object)."""
    table = read_table(source, filename=filename, synonyms=COLUMNS, required=REQUIRED)
    report = ImportReport(header_row=table.header_row, unknown_columns=table.unknown_columns)
    return area_import(
        actor=actor, rows=table.rows, dry_run=dry_run, report=report, progress=progress
    )


def area_import_upload(*, actor: Any, upload: Any, dry_run: bool) -> Job | ImportReport:
    """Import an uploaded sheet for the page and the API alike: within the request when it is
    small, otherwise as a background job (returned instead of a report)."""
    from wushe.areas.tasks import JOB_KIND, import_areas_job

    job = job_for_large_upload(
        actor=actor,
        kind=JOB_KIND,
        upload=upload,
        task=import_areas_job,
        params={"dry_run": dry_run},
        area_path=actor.scope_path or "",
    )
    if job is not None:
        return job
    return area_import_file(actor=actor, source=upload, filename=upload.name, dry_run=dry_run)


def _apply_rows(actor: Any, parsed: list[AreaRow], report: ImportReport) -> None:
    wanted = {r.code for r in parsed} | {r.parent_code for r in parsed if r.parent_code}
    known: dict[str, Area] = {}
    for start in range(0, len(wanted), BATCH):
        chunk = list(wanted)[start : start + BATCH]
        known.update({a.code: a for a in Area.objects.filter(code__in=chunk)})
    rejected_at: dict[str, int] = {}
    to_update: list[Area] = []

    for level in (Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID, Level.BUILDING):
        to_create: list[Area] = []
        for r in (r for r in parsed if r.level == level):
            try:
                area, created = _plan_row(actor, r, known, rejected_at)
            except ApplicationError as exc:
                rejected_at[r.code] = r.row
                report.reject(r.row, exc.message, exc.field)
                continue
            if area is None:
                report.unchanged += 1
            elif created:
                to_create.append(area)
            else:
                to_update.append(area)
                report.updated += 1
        for start in range(0, len(to_create), BATCH):
            Area.objects.bulk_create(to_create[start : start + BATCH])
        for area in to_create:
            known[area.code] = area
        report.created += len(to_create)
    Area.objects.bulk_update(to_update, ["name", "lon", "lat", "updated_at"], batch_size=BATCH)


def _plan_row(
    actor: Any, r: AreaRow, known: dict[str, Area], rejected_at: dict[str, int]
) -> tuple[Area | None, bool]:
    """(area to create, True) | (area to update, False) | (None, False) when unchanged."""
    parent = known.get(r.parent_code) if r.parent_code else None
    if r.parent_code and parent is None:
        if r.parent_code in rejected_at:
            raise ApplicationError(
                errors.PARENT_REJECTED.format(code=r.parent_code, row=rejected_at[r.parent_code]),
                field="parent_code",
            )
        raise ApplicationError(
            errors.PARENT_UNKNOWN.format(code=r.parent_code), field="parent_code"
        )
    existing = known.get(r.code)
    if existing is not None:
        return _plan_update(actor, existing, r, parent), False
    if parent is None:
        if not getattr(actor, "sees_everything", False):
            raise ApplicationError(errors.OUT_OF_SCOPE.format(code=r.code), field="code")
        path = f"/{r.code}/"
    else:
        if not path_in_scope(parent.path, actor):
            raise ApplicationError(
                errors.PARENT_UNKNOWN.format(code=parent.code), field="parent_code"
            )
        if not parent.is_active:
            raise ApplicationError(errors.INACTIVE.format(name=parent.name), field="parent_code")
        if parent.level not in ALLOWED_PARENTS[r.level]:
            raise ApplicationError(
                errors.PARENT_WRONG_LEVEL.format(
                    level=Level(r.level).label,
                    parent_level=Level(parent.level).label,
                    parent_code=parent.code,
                ),
                field="parent_code",
            )
        if not child_extends_parent(r.code, r.level, parent.code, parent.level):
            raise ApplicationError(
                errors.CODE_NOT_UNDER_PARENT.format(code=r.code, parent_code=parent.code),
                field="code",
            )
        path = f"{parent.path}{r.code}/"
    area = Area(
        code=r.code, name=r.name, level=r.level, parent=parent, path=path, lon=r.lon, lat=r.lat
    )
    return area, True


def _plan_update(actor: Any, area: Area, r: AreaRow, parent: Area | None) -> Area | None:
    if not path_in_scope(area.path, actor):
        raise ApplicationError(errors.OUT_OF_SCOPE.format(code=area.code), field="code")
    if area.level != r.level:
        raise ApplicationError(
            errors.LEVEL_CHANGED.format(code=area.code, level=Level(area.level).label),
            field="level",
        )
    if area.parent_id != (parent.pk if parent else None):
        current = area.parent.code if area.parent else "—"
        raise ApplicationError(
            errors.ALREADY_ELSEWHERE.format(code=area.code, parent_code=current),
            field="parent_code",
        )
    if not area.is_active:
        raise ApplicationError(errors.INACTIVE.format(name=area.name), field="code")
    if (area.name, area.lon, area.lat) == (r.name, r.lon, r.lat):
        return None
    area.name, area.lon, area.lat = r.name, r.lon, r.lat
    return area


def _check_change(actor: Any, reason: str, *areas: Area) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(errors.REASON_REQUIRED, field="reason")
    for area in areas:
        if not path_in_scope(area.path, actor):
            raise PermissionDeniedError(errors.OUT_OF_SCOPE.format(code=area.code))
        if not area.is_active:
            raise ApplicationError(errors.INACTIVE.format(name=area.name))
    return reason


def _repath(old_prefix: str, new_prefix: str) -> int:
    """Rewrite the path of every area under ``old_prefix`` (itself included)."""
    return Area.objects.filter(path__startswith=old_prefix).update(
        path=Concat(Value(new_prefix), Substr("path", len(old_prefix) + 1))
    )


def _path_copies() -> list[tuple[type[Model], str]]:
    """Models that keep a copy of an area path in a column of their own (``scope_path_field``
    without ``__``: the action and access logs, jobs), found without this app importing them."""
    found = []
    for model in apps.get_models():
        field = getattr(model, "scope_path_field", None)
        if model is not Area and field and "__" not in field:
            found.append((model, field))
    return found


def _repath_copies(old_prefix: str, new_prefix: str) -> dict[str, int]:
    """Rewrite the stored copies of paths under ``old_prefix``: they scope their rows, so a
    stale one would keep a log or job visible to the old area and hidden from the new."""
    counts: dict[str, int] = {}
    for model, field in _path_copies():
        # A queryset update: the logs refuse save() on an existing row, not a re-path.
        n = model._base_manager.filter(**{f"{field}__startswith": old_prefix}).update(
            **{field: Concat(Value(new_prefix), Substr(field, len(old_prefix) + 1))}
        )
        if n:
            counts[model._meta.label_lower] = n
    return counts


def area_move(*, actor: Any, area: Area, new_parent: Area, reason: str) -> Area:
    """Move a grid or building (with everything under it) to another parent."""
    reason = _check_change(actor, reason, area, new_parent)
    if area.parent_id is None:
        raise ApplicationError(errors.MOVE_ROOT)
    if new_parent.level not in ALLOWED_PARENTS[area.level]:
        raise ApplicationError(
            errors.MOVE_WRONG_LEVEL.format(
                level=Level(area.level).label, parent_level=Level(new_parent.level).label
            ),
            field="new_parent",
        )
    if new_parent.path.startswith(area.path):  # unreachable with today's levels; a guard
        raise ApplicationError(errors.MOVE_INTO_ITSELF, field="new_parent")
    if new_parent.pk == area.parent_id:
        raise ApplicationError(
            errors.MOVE_SAME_PARENT.format(name=area.name, parent=new_parent.name),
            field="new_parent",
        )
    with transaction.atomic():
        area = Area.objects.select_for_update().get(pk=area.pk)
        old_parent, old_path = area.parent, area.path
        new_path = f"{new_parent.path}{area.code}/"
        moved = _repath(old_path, new_path)
        copies = _repath_copies(old_path, new_path)
        area.parent = new_parent
        area.save(update_fields=["parent", "updated_at"])
        area.refresh_from_db()
        AreaChange.objects.create(
            kind=AreaChange.Kind.MOVED,
            area=area,
            from_parent=old_parent,
            to_parent=new_parent,
            old_path=old_path,
            new_path=new_path,
            moved_descendants=moved - 1,
            reason=reason,
            actor=actor,
        )
        log_action(
            "areas.area.moved",
            actor=actor,
            obj=area,
            area_path=new_path,
            data={
                "from": old_parent.code if old_parent else None,
                "to": new_parent.code,
                "old_path": old_path,
                "reason": reason,
                "carried": moved - 1,
                "records": copies,
            },
        )
    return area


def area_merge(*, actor: Any, source: Area, target: Area, reason: str) -> Area:
    """Merge grid ``source`` into grid ``target``: its buildings and every record that points
    at it move to ``target``; ``source`` stays, inactive, for the history."""
    reason = _check_change(actor, reason, source, target)
    if source.pk == target.pk:
        raise ApplicationError(errors.MERGE_SAME, field="target")
    if source.level != Level.GRID or target.level != Level.GRID:
        raise ApplicationError(
            errors.MERGE_LEVELS.format(
                source=Level(source.level).label, target=Level(target.level).label
            ),
            field="target",
        )
    with transaction.atomic():
        source = Area.objects.select_for_update().get(pk=source.pk)
        children = list(source.children.values_list("code", "path"))
        for code, path in children:
            _repath(path, f"{target.path}{code}/")
        source.children.update(parent=target)
        # A child's new path is the target's plus its code, so one prefix covers all copies.
        copies = _repath_copies(source.path, target.path)
        repointed = _repoint_references(source, target)
        source.is_active = False
        source.merged_into = target
        source.save(update_fields=["is_active", "merged_into", "updated_at"])
        AreaChange.objects.create(
            kind=AreaChange.Kind.MERGED,
            area=source,
            from_parent=source.parent,
            to_parent=target.parent,
            merged_into=target,
            old_path=source.path,
            new_path=target.path,
            moved_descendants=len(children),
            reason=reason,
            actor=actor,
        )
        log_action(
            "areas.area.merged",
            actor=actor,
            obj=source,
            area_path=target.path,
            data={
                "into": target.code,
                "children": len(children),
                "reason": reason,
                "references": repointed,
                "records": copies,
            },
        )
    target.refresh_from_db()
    return target


def _repoint_references(source: Area, target: Area) -> dict[str, int]:
    """Point every foreign key that named ``source`` at ``target`` (users' scopes included),
    without this app knowing the models above it."""
    counts: dict[str, int] = {}
    for rel in Area._meta.related_objects:
        model = rel.related_model
        if model in (Area, AreaChange) or not rel.one_to_many or isinstance(model, str):
            continue
        name = rel.field.name
        n = model._base_manager.filter(**{name: source}).update(**{name: target})
        if n:
            counts[model._meta.label_lower] = n
    return counts


@transaction.atomic
def area_set_geometry(*, actor: Any, area: Area, geometry: Any) -> Area:
    """Set (or clear, with None) an area's outline: GeoJSON Polygon or MultiPolygon."""
    if not path_in_scope(area.path, actor):
        raise PermissionDeniedError(errors.OUT_OF_SCOPE.format(code=area.code))
    if area.level not in OUTLINED:
        raise ApplicationError(errors.GEOMETRY_LEVEL.format(code=area.code), field="geometry")
    if not area.is_active:
        raise ApplicationError(errors.GEOMETRY_INACTIVE.format(code=area.code), field="geometry")
    area.geometry = clean_geometry(geometry)
    area.save(update_fields=["geometry", "updated_at"])
    log_action(
        "areas.area.outline_set" if area.geometry else "areas.area.outline_cleared",
        actor=actor,
        obj=area,
        area_path=area.path,
    )
    return area
