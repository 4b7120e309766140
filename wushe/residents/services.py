"""Every write to the registry: residents by hand, and the canvass import. One transaction each,
audited. Protected values go in through the model fields (encrypted, blind-indexed)."""

from __future__ import annotations

import io
import multiprocessing
import os
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from wushe.areas.levels import Level
from wushe.areas.models import Area
from wushe.core.audit import log_action
from wushe.core.errors import ApplicationError, PermissionDeniedError
from wushe.core.imports import ImportReport, long_lived_frozen
from wushe.core.privacy import blind_index, fill_blind_indexes
from wushe.core.privacy.services import log_access
from wushe.core.scoping import path_in_scope
from wushe.core.tables import TableRow, raw_rows, read_table, text_row
from wushe.residents import errors as resident_errors
from wushe.residents import selectors
from wushe.residents.bulk import Writer, content_hash, fast_insert, reserve_ids
from wushe.residents.idnumbers import age_on, parse_id_number
from wushe.residents.importing import (
    COLUMNS,
    NAME_MAX,
    REQUIRED,
    ResidentRow,
)
from wushe.residents.models import Household, LegalBasis, Resident, ResidentTag, Tag
from wushe.residents.phones import parse_phone
from wushe.residents.pinyin import name_pinyin
from wushe.residents.preparing import (
    REJECT,
    SKIP,
    ImportBasis,
    Outcome,
    plain_values,
    prepare_batch,
)
from wushe.residents.search_limit import count_whole_number_search
from wushe.residents.signals import tags_changed_on_commit
from wushe.residents.tags import CRITICAL_TREATMENT, DISABLED, synonym_table
from wushe.residents.workers import init_worker, run_batch

BATCH = 2000
PREVIEW_ROWS = 20
Progress = Callable[[int], None]

IMPORT_AREA_LEVELS = (Level.STREET, Level.COMMUNITY, Level.GRID, Level.BUILDING)
AREA_NOT_ALLOWED = _("Residents can be imported into a street, community, grid or building.")
BUILDING_UNKNOWN = _("Building “{value}” was not found under {area}.")
BUILDING_AMBIGUOUS = _(
    "Building “{value}” matches several buildings under {area} ({names}): use the building code."
)
DUPLICATE_ID = _("This ID number appears again; first in row {row}.")
DUPLICATE_PERSON = _("This person (same name and phone) appears again; first in row {row}.")
CHILD_NEEDS_GUARDIAN = _(
    "A child under 14 may be registered on consent only with the consenting guardian named "
    "(监护人)."
)
CONSENT_NEEDS_PURPOSE = _("Consent needs its purpose (and the version of the text agreed to).")
REGISTERED_ELSEWHERE = _(
    "This person is already registered in an area outside yours; ask the street to move the "
    "record rather than register them twice."
)
REASON_COLUMN = "错误原因 / reason"
TAG_FIELDS = ("disability_category", "disability_grade", "treatment", "schedule", "note")
RESIDENT_FIELDS = [
    "area_id",
    "household_id",
    "name",
    "name_pinyin",
    "name_initials",
    "gender",
    "birth_date",
    "id_number",
    "phone",
    "health_notes",
    "notes",
    "emergency_contact",
    "emergency_phone",
    "guardian",
    "guardian_phone",
    "legal_basis",
    "consent_purpose",
    "consent_version",
    "consent_guardian",
    "content_hash",
    "is_active",
    "updated_at",
]


@dataclass
class ResidentImportReport(ImportReport):
    warnings: list[dict[str, Any]] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)
    area_code: str = ""

    def warn(self, row: int, message: str) -> None:
        self.warnings.append({"row": row, "warning": message})

    def as_dict(self) -> dict[str, Any]:
        data = super().as_dict()
        data["warnings"] = self.warnings
        data["preview"] = self.preview
        data["area"] = self.area_code
        return data


@dataclass(frozen=True)
class Basis:
    legal_basis: str = LegalBasis.PUBLIC_HEALTH_EMERGENCY
    consent_purpose: str = ""
    consent_version: str = ""

    def check(self) -> None:
        if self.legal_basis not in LegalBasis.values:
            raise ApplicationError(CONSENT_NEEDS_PURPOSE, field="legal_basis")
        if self.legal_basis == LegalBasis.CONSENT and not self.consent_purpose.strip():
            raise ApplicationError(CONSENT_NEEDS_PURPOSE, field="consent_purpose")


# --- buildings -----------------------------------------------------------------------------


class BuildingFinder:
    """Finds the building a row names, among the active buildings under the import area."""

    def __init__(self, area: Area):
        self.area = area
        self.by_key: dict[str, list[Area]] = {}
        buildings = Area.objects.filter(
            level=Level.BUILDING, is_active=True, path__startswith=area.path
        ).only("id", "code", "name", "path", "level")  # level: a room is a household
        for building in buildings:
            keys = {building.code, _norm(building.name)}
            number = re.search(r"(\d+)\s*(?:号楼|号|幢|栋|楼)?$", building.name)
            if number:
                keys.add(number.group(1))
            for key in keys:
                self.by_key.setdefault(key, []).append(building)

    def find(self, value: str | None, label: str = "") -> Area:
        if not value:
            return self.area
        matches = self.by_key.get(value) or self.by_key.get(_norm(value)) or []
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise ApplicationError(
                BUILDING_UNKNOWN.format(value=label or value, area=self.area.name),
                field="building",
            )
        raise ApplicationError(
            BUILDING_AMBIGUOUS.format(
                value=label or value,
                area=self.area.name,
                names="、".join(b.name for b in matches[:5]),
            ),
            field="building",
        )


def _norm(text: str) -> str:
    return "".join(str(text).split())


# --- the canvass import --------------------------------------------------------------------


def resident_import_file(
    *,
    actor: Any,
    source: Any,
    filename: str,
    area: Area,
    dry_run: bool = False,
    basis: Basis | None = None,
    progress: Progress | None = None,
    workers: int = 1,
) -> ResidentImportReport:
    """Import a canvass sheet (.xlsx or .csv, a path or a binary file) into ``area``."""
    table = read_table(source, filename=filename, synonyms=COLUMNS, required=REQUIRED)
    report = ResidentImportReport(
        header_row=table.header_row, unknown_columns=table.unknown_columns
    )
    return resident_import(
        actor=actor,
        rows=table.rows,
        area=area,
        dry_run=dry_run,
        basis=basis,
        report=report,
        progress=progress,
        workers=workers,
    )


def resident_import(
    *,
    actor: Any,
    rows: Iterable[TableRow],
    area: Area,
    dry_run: bool = False,
    basis: Basis | None = None,
    report: ResidentImportReport | None = None,
    progress: Progress | None = None,
    workers: int = 1,
) -> ResidentImportReport:
    """Create or update residents from canvass rows; every row ends in the report exactly once.

    ``workers`` > 1 validates and encrypts in that many worker processes (large files).

    Same ID number (or, without one, same name and phone) means the same person: updated,
    never created twice. The whole import is one transaction; ``dry_run`` rolls it back, so a
    preview reports exactly what the import will do.
    """
    basis = basis or Basis()
    basis.check()
    if area.level not in IMPORT_AREA_LEVELS or not area.is_active:
        raise ApplicationError(AREA_NOT_ALLOWED, field="area")
    if not path_in_scope(area.path, actor):
        raise PermissionDeniedError()
    report = report or ResidentImportReport()
    report.dry_run = dry_run
    report.area_code = area.code
    with long_lived_frozen(), transaction.atomic():
        with Writer(check_now=[Resident, ResidentTag]) as writer:
            importer = _Importer(actor=actor, area=area, basis=basis, report=report, writer=writer)
            done = 0
            # Batch n is applied once batch n+1 has been prepared and its registry lookup sent
            # to the writer, so that the lookup runs while this process applies batch n.
            waiting: tuple[_Placed, Future[_Found], int] | None = None
            for outcomes in _prepared_batches(rows, importer, workers):
                placed = importer.place(importer.accept(outcomes))
                lookup = importer.look_up(placed)
                if waiting is not None:
                    done += _apply(importer, waiting, progress, done)
                waiting = (placed, lookup, len(outcomes))
                if not writer.threaded:  # the lookup ran at once: apply before the next one
                    done += _apply(importer, waiting, progress, done)
                    waiting = None
            if waiting is not None:
                _apply(importer, waiting, progress, done)
        if dry_run:
            transaction.set_rollback(True)
        else:
            summary = {k: v for k, v in report.as_dict().items() if k not in _BULKY}
            summary["legal_basis"] = basis.legal_basis
            log_action("residents.import.completed", actor=actor, area_path=area.path, data=summary)
            if basis.legal_basis == LegalBasis.PUBLIC_HEALTH_EMERGENCY and (
                report.created or report.updated
            ):
                log_action(
                    "residents.import.emergency_basis",
                    actor=actor,
                    area_path=area.path,
                    data={"created": report.created, "updated": report.updated},
                )
    return report


_BULKY = {"skipped_rows", "preview", "warnings"}


def _apply(
    importer: _Importer,
    waiting: tuple[_Placed, Future[_Found], int],
    progress: Progress | None,
    done: int,
) -> int:
    placed, lookup, count = waiting
    importer.apply(placed, importer.writer.result(lookup))
    if progress:
        progress(done + count)
    return count


PARALLEL_FROM_BYTES = 4 * 1024 * 1024


def import_workers(size: int | None) -> int:
    """How many worker processes an import of a file of ``size`` bytes should use: one (none)
    for ordinary sheets; for large files, one per CPU up to four."""
    if not size or size < PARALLEL_FROM_BYTES:
        return 1
    return max(1, min(4, os.cpu_count() or 1))


def _chunks(rows: Iterable[TableRow]) -> Iterator[list[TableRow]]:
    chunk: list[TableRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= BATCH:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _prepared_batches(
    rows: Iterable[TableRow], importer: _Importer, workers: int
) -> Iterator[list[Outcome]]:
    """Batches of outcomes, in file order: prepared here, or by ``workers`` processes."""
    options: dict[str, Any] = {
        "synonyms": importer.synonyms,
        "basis": importer.import_basis,
        "today": importer.today,
        "language": translation.get_language(),
        "child_needs_guardian": str(CHILD_NEEDS_GUARDIAN),
    }
    if workers <= 1 or multiprocessing.current_process().daemon:
        for chunk in _chunks(rows):
            yield prepare_batch(chunk, **options)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=init_worker) as pool:
        pending: deque[Future[list[Outcome]]] = deque()
        for chunk in _chunks(rows):
            pending.append(pool.submit(run_batch, chunk, **options))
            if len(pending) > workers * 2:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


class _Importer:
    def __init__(
        self,
        *,
        actor: Any,
        area: Area,
        basis: Basis,
        report: ResidentImportReport,
        writer: Writer,
    ):
        self.writer = writer  # writes the new rows while the next batch is prepared
        self.actor = actor if getattr(actor, "pk", None) else None
        self.actor_for_scope = actor
        self.area = area
        self.basis = basis
        self.report = report
        self.buildings = BuildingFinder(area)
        tags = list(Tag.objects.filter(is_active=True))
        self.tag_ids = {t.code: t.pk for t in tags}
        self.synonyms = synonym_table(
            {"code": t.code, "name": t.name, "synonyms": t.synonyms} for t in tags
        )
        self.seen_ids: dict[str, int] = {}
        self.seen_people: dict[tuple[str, str], int] = {}
        self.households: dict[tuple[int, str, str], int] = {}
        self.today = timezone.localdate()
        self.import_basis = ImportBasis(
            legal_basis=basis.legal_basis,
            consent_purpose=basis.consent_purpose,
            consent_version=basis.consent_version,
            consent=basis.legal_basis == LegalBasis.CONSENT,
        )

    def accept(self, outcomes: list[Outcome]) -> list[tuple[ResidentRow, dict[str, Any]]]:
        """Account for skipped and rejected rows."""
        accepted = []
        for o in outcomes:
            if o.kind == SKIP:
                self.report.skip(o.row, o.message)
                continue
            if o.kind == REJECT or o.parsed is None or o.prepared is None:
                self.report.reject(o.row, o.message, o.field)
                continue
            accepted.append((o.parsed, o.prepared))
        return accepted

    def place(self, batch: list[tuple[ResidentRow, dict[str, Any]]]) -> _Placed:
        """The building of each row (rows naming no known building are rejected); then
        de-duplicate within the file. A person counts as seen only once their row is placed,
        so that a row rejected for its building does not make a good row of the same person
        its duplicate."""
        placed: _Placed = []
        find = self.buildings.find
        for r, prepared in batch:
            try:
                building = find(r.building, r.building_label)
            except ApplicationError as exc:
                self.report.reject(r.row, exc.message, exc.field)
                continue
            if r.id_number is not None:
                first = self.seen_ids.setdefault(r.id_number.number, r.row)
                if first != r.row:
                    self.report.reject(r.row, DUPLICATE_ID.format(row=first), "id_number")
                    continue
            else:
                first = self.seen_people.setdefault((r.name, r.phones[0]), r.row)
                if first != r.row:
                    self.report.reject(r.row, DUPLICATE_PERSON.format(row=first), "name")
                    continue
            for warning in r.warnings:
                self.report.warn(r.row, warning)
            placed.append((r, prepared, building))
        return placed

    def look_up(self, placed: _Placed) -> Future[_Found]:
        """Send the registry lookup of ``placed`` to the writer: the residents already
        registered under the rows' identities, and (PostgreSQL) ids for the rest.

        It may run before the rows of earlier batches are written: a row cannot be one of
        them, because a second row of the same person in the file is rejected in ``place``.
        """
        by_index = {p["id_number_index"]: r for r, p, _b in placed if r.id_number is not None}
        # Without an ID number a person is their name and phone: one phone may be a family's.
        no_id: dict[str, list[ResidentRow]] = {}
        for r, p, _b in placed:
            if r.id_number is None:
                no_id.setdefault(p["phone_index"], []).append(r)
        names = {r.name for rows in no_id.values() for r in rows}
        queries = _lookup_queries(list(by_index), list(no_id), names)
        threaded = self.writer.threaded

        def job(cursor: Any) -> _Found:
            found: dict[tuple[str, str], tuple[int, str, str]] = {}
            for with_id, (sql, params) in queries:
                cursor.execute(sql, params)
                for pk, index, name, content, path in cursor.fetchall():
                    index = index.strip()  # char(n): padded
                    if with_id:
                        matches = [by_index[index]] if index in by_index else []
                    else:
                        matches = [r for r in no_id.get(index, ()) if r.name == name]
                    for r in matches:
                        found[_identity(r)] = (pk, content, path)
            new = len(placed) - len(found)  # each identity found is one row of ``placed``
            ids = reserve_ids(Resident, new, cursor) if threaded else None
            return found, ids

        return self.writer.run(job)

    def apply(self, placed: _Placed, looked_up: _Found) -> None:
        existing, ids = looked_up
        spots = [self._spot(r, building) for r, _p, building in placed]
        self._households(spots)
        to_create: list[tuple[ResidentRow, dict[str, Any]]] = []
        to_update: list[tuple[ResidentRow, dict[str, Any]]] = []
        created_by = getattr(self.actor, "pk", None)
        for (r, prepared, building), (area_id, home) in zip(placed, spots, strict=True):
            household_id = self.households.get(home) if home is not None else None
            digest = content_hash([prepared["content_hash"], area_id, household_id])
            match = existing.get(_identity(r)) if existing else None
            if match is not None and not path_in_scope(match[2], self.actor_for_scope):
                self.report.reject(r.row, REGISTERED_ELSEWHERE, "id_number")
                continue
            if match is None:
                values = prepared  # this row's own dict: completed in place, not copied
                values["area_id"] = area_id
                values["household_id"] = household_id
                values["content_hash"] = digest
                values["created_by_id"] = created_by
                values["is_active"] = True
                to_create.append((r, values))
                action = "create"
            elif match[1] == digest:
                self.report.unchanged += 1
                action = "unchanged"
            else:
                values = {
                    **plain_values(r, self.import_basis, self.today),
                    "area_id": area_id,
                    "household_id": household_id,
                    "content_hash": digest,
                    "id": match[0],
                }
                to_update.append((r, values))
                action = "update"
            if len(self.report.preview) < PREVIEW_ROWS:
                self.report.preview.append(
                    {
                        "row": r.row,
                        "action": action,
                        "name": r.name,
                        "address": _address(building, r),
                        "tags": sorted(r.tags),
                    }
                )
        if to_create:
            rows = [v for _r, v in to_create]
            ids = fast_insert(
                Resident, rows, return_ids=True, protected=True, writer=self.writer, ids=ids
            )
            for values, pk in zip(rows, ids, strict=True):
                values["id"] = pk
            self.report.created += len(to_create)
        if to_update:
            now = timezone.now()
            objs = [Resident(**values, is_active=True, updated_at=now) for _r, values in to_update]
            index_fields: list[str] = []
            for obj in objs:
                index_fields = fill_blind_indexes(obj)
            Resident.objects.bulk_update(objs, [*RESIDENT_FIELDS, *index_fields], batch_size=500)
            stored = ResidentTag.objects.filter(resident_id__in=[o.pk for o in objs])
            stored.filter(source=ResidentTag.Source.IMPORT).delete()
            # A tag a worker entered by hand stays as it is when the sheet lists it too.
            kept = set(stored.values_list("resident_id", "tag_id"))
            self.report.updated += len(to_update)
            tags_changed_on_commit(o.pk for o in objs)
        else:
            kept = set()
        links = [
            _tag_link(values["id"], self.tag_ids[code], details)
            for r, values in (*to_create, *to_update)
            for code, details in r.tags.items()
            if code in self.tag_ids and (values["id"], self.tag_ids[code]) not in kept
        ]
        fast_insert(ResidentTag, links, writer=self.writer)

    def _spot(self, r: ResidentRow, area: Area) -> tuple[int, tuple[int, str, str] | None]:
        """(area id, household key) of a row: a room in a building is a household."""
        is_room = r.room and area.level == Level.BUILDING
        return area.id, ((area.id, r.unit, r.room) if is_room else None)

    def _households(self, spots: list[tuple[int, tuple[int, str, str] | None]]) -> None:
        known = self.households
        wanted = {home for _area, home in spots if home is not None and home not in known}
        if not wanted:
            return
        building_ids = {k[0] for k in wanted}
        rooms = {k[2] for k in wanted}
        for pk, building_id, unit, room in Household.objects.filter(
            building_id__in=building_ids, room__in=rooms
        ).values_list("pk", "building_id", "unit", "room"):
            self.households[(building_id, unit, room)] = pk
        missing = [k for k in wanted if k not in self.households]
        created = Household.objects.bulk_create(
            [Household(building_id=b, unit=u, room=r) for b, u, r in missing], batch_size=BATCH
        )
        for household in created:
            key = (household.building_id, household.unit, household.room)
            self.households[key] = household.pk


_Placed = list[tuple[ResidentRow, dict[str, Any], Area]]
# identity -> (pk, content hash, area path) of residents already registered; ids reserved for
# the rest (None: fast_insert reserves them)
_Found = tuple[dict[tuple[str, str], tuple[int, str, str]], list[int] | None]


def _lookup_queries(
    id_indexes: list[str], phone_indexes: list[str], names: set[str]
) -> list[tuple[bool, tuple[str, list[Any]]]]:
    """(by ID number?, (SQL, parameters)) selecting pk, blind index, name, content hash and
    area path of the residents with these ID-number indexes, and of those without an ID
    number with these phone indexes and names."""
    quote = connection.ops.quote_name
    resident = quote(Resident._meta.db_table)
    area = quote(Area._meta.db_table)

    columns = {f.name: f.column for f in Resident._meta.concrete_fields}

    def column(name: str) -> str:
        return f"r.{quote(columns[name])}"

    def one_of(name: str, values: list[str]) -> tuple[str, list[Any]]:
        if connection.vendor == "postgresql":
            return f"{column(name)} = ANY(%s)", [values]
        return f"{column(name)} IN ({', '.join(['%s'] * len(values))})", values

    def select(index: str) -> str:
        return (
            f"SELECT {column('id')}, {column(index)}, {column('name')}, "  # noqa: S608 - names from model metadata
            f"{column('content_hash')}, a.{quote(Area._meta.get_field('path').column)} "
            f"FROM {resident} r JOIN {area} a ON a.{quote(Area._meta.pk.column)} = "
            f"{column('area')} WHERE "
        )

    queries: list[tuple[bool, tuple[str, list[Any]]]] = []
    if id_indexes:
        where, params = one_of("id_number_index", id_indexes)
        queries.append((True, (select("id_number_index") + where, params)))
    if phone_indexes:
        phones, phone_params = one_of("phone_index", phone_indexes)
        named, name_params = one_of("name", sorted(names))
        sql = f"{select('phone_index')}{column('id_number_index')} IS NULL AND {phones} AND {named}"
        queries.append((False, (sql, [*phone_params, *name_params])))
    return queries


def _identity(r: ResidentRow) -> tuple[str, str]:
    if r.id_number is not None:
        return ("id", r.id_number.number)
    return ("person", f"{r.name}\x00{r.phones[0]}")


def _address(building: Area, r: ResidentRow) -> str:
    parts = [building.name]
    if r.unit:
        parts.append(f"{r.unit}单元")
    if r.room:
        parts.append(f"{r.room}室")
    return "".join(parts)


def _tag_link(resident_id: int, tag_id: int, details: dict[str, Any]) -> dict[str, Any]:
    return {
        "resident_id": resident_id,
        "tag_id": tag_id,
        "source": ResidentTag.Source.IMPORT,
        "disability_category": details.get("category", ""),
        "disability_grade": details.get("grade"),
        "treatment": details.get("treatment") or "",
        "schedule": (details.get("schedule") or "")[:200] or None,
        "note": (details.get("note") or "")[:200] or None,
    }


# --- the error workbook ----------------------------------------------------------------------


def resident_error_workbook(
    *, source: Any, filename: str, report: ImportReport | dict[str, Any]
) -> bytes:
    """The rows that were rejected, with all their original columns and a reason column, as
    an .xlsx to correct and upload again. The header row is copied above them."""
    from openpyxl import Workbook

    data = report if isinstance(report, dict) else report.as_dict()
    reasons: dict[int, list[str]] = {}
    for item in data["rejected"]:
        reasons.setdefault(int(item["row"]), []).append(str(item["reason"]))
    header_row = data.get("header_row") or 1
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("rejected")
    for number, cells in _rows_of(source, filename):
        if number == header_row:
            sheet.append(
                text_row(sheet, [*(_cell(c) for c in cells), REASON_COLUMN, "原行号 / row"])
            )
        elif number in reasons:
            sheet.append(
                text_row(sheet, [*(_cell(c) for c in cells), "；".join(reasons[number]), number])
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rows_of(source: Any, filename: str) -> Iterator[tuple[int, list[Any]]]:
    return raw_rows(source, filename=filename)


def _cell(value: Any) -> Any:
    # Written as text so that ID numbers keep their digits when the sheet comes back.
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value) if not isinstance(value, str) else value


# --- residents by hand -----------------------------------------------------------------------

ALREADY_REGISTERED = _("A resident with this ID number is already registered.")
EDITABLE = (
    "name",
    "id_number",
    "phone",
    "health_notes",
    "notes",
    "emergency_contact",
    "emergency_phone",
    "guardian",
    "guardian_phone",
    "legal_basis",
    "consent_purpose",
    "consent_version",
    "consent_guardian",
)


def _clean_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise the editable fields present in ``data``."""

    clean: dict[str, Any] = {}
    for key, value in data.items():
        if key not in EDITABLE:
            continue
        text = value.strip() if isinstance(value, str) else value
        if key == "name":
            if not text:
                raise ApplicationError(resident_errors.NAME_REQUIRED, field="name")
            if len(text) > NAME_MAX:
                raise ApplicationError(
                    resident_errors.NAME_TOO_LONG.format(value=text, limit=NAME_MAX), field="name"
                )
            clean["name"] = text
            clean["name_pinyin"], clean["name_initials"] = name_pinyin(text)
        elif key == "id_number":
            if text:
                parsed = parse_id_number(text)
                clean.update(
                    id_number=parsed.number, birth_date=parsed.birth_date, gender=parsed.gender
                )
            else:
                clean["id_number"] = None
        elif key in ("phone", "emergency_phone", "guardian_phone"):
            clean[key] = parse_phone(text, field=key) if text else None
        elif key in ("health_notes", "notes"):
            clean[key] = text or None
        else:
            clean[key] = text or ""
    return clean


def _check_resident(actor: Any, resident: Resident) -> None:
    Basis(
        legal_basis=resident.legal_basis,
        consent_purpose=resident.consent_purpose,
        consent_version=resident.consent_version,
    ).check()
    if not resident.id_number and not resident.phone:
        raise ApplicationError(resident_errors.ID_OR_PHONE_REQUIRED, field="id_number")
    today = timezone.localdate()
    if (
        resident.legal_basis == LegalBasis.CONSENT
        and resident.birth_date is not None
        and age_on(resident.birth_date, today) < 14
        and not (resident.consent_guardian or resident.guardian)
    ):
        raise ApplicationError(CHILD_NEEDS_GUARDIAN, field="consent_guardian")
    if resident.id_number:
        index = blind_index("id_number", resident.id_number)
        clash = Resident.objects.filter(id_number_index=index).exclude(pk=resident.pk)
        if clash.exists():
            raise ApplicationError(ALREADY_REGISTERED, field="id_number")


def resident_create(*, actor: Any, area: Area, **data: Any) -> Resident:
    """Register one resident by hand in ``area`` (a building, grid, community or street)."""
    if not path_in_scope(area.path, actor):
        raise PermissionDeniedError()
    if area.level not in IMPORT_AREA_LEVELS or not area.is_active:
        raise ApplicationError(AREA_NOT_ALLOWED, field="area")
    data.setdefault("name", "")
    resident = Resident(area=area, created_by=actor if getattr(actor, "pk", None) else None)
    for key, value in _clean_fields(data).items():
        setattr(resident, key, value)
    _check_resident(actor, resident)
    with transaction.atomic():
        resident.save()
        _log_change("residents.resident.created", actor, resident, sorted(data))
    return resident


def resident_update(*, actor: Any, resident: Resident, **data: Any) -> Resident:
    """Change the given fields of a resident the actor may see (the caller fetched it scoped)."""
    if not path_in_scope(resident.area.path, actor):
        raise PermissionDeniedError()
    clean = _clean_fields(data)
    for key, value in clean.items():
        setattr(resident, key, value)
    _check_resident(actor, resident)
    resident.content_hash = ""  # edited by hand: the next import compares afresh
    with transaction.atomic():
        resident.save(update_fields=[*clean, "content_hash", "updated_at"])
        _log_change("residents.resident.updated", actor, resident, sorted(data))
        if "birth_date" in clean:  # the age tags (60+, 80+, under 14) follow it
            tags_changed_on_commit([resident.pk])
    return resident


SEARCH_BY_WHOLE_NUMBER = _("search by whole number")


def resident_search(
    *,
    actor: Any,
    search: str | None = None,
    tag: str | None = None,
    area_code: str | None = None,
) -> QuerySet[Resident]:
    """``selectors.resident_list`` for a user's search (list page, API, export). A search by a
    whole ID number or phone that finds residents is logged, one access-log entry per resident
    found: a hit confirms a guessed number, like a reveal. Such searches are capped per user
    and hour (``search_limit``), found or not."""
    field = selectors.whole_number_field(search, actor=actor) if search else None
    if field:
        count_whole_number_search(actor)
    qs = selectors.resident_list(actor=actor, search=search, tag=tag, area_code=area_code)
    if field:
        hits = qs.values_list("pk", "area__path").order_by()
        log_access(actor, Resident, hits, field=field, reason=str(SEARCH_BY_WHOLE_NUMBER))
    return qs


def resident_set_tags(
    *, actor: Any, resident: Resident, tags: dict[str, dict[str, Any]]
) -> Resident:
    """Make ``tags`` (code -> details) the resident's stored key-population tags.

    Tags no longer listed are removed whatever their source; new ones are recorded as entered
    by hand, so that a later re-import of the canvass sheet does not drop them. Age tags follow
    the birth date and cannot be set. The open requests of the resident are re-ranked."""
    if not path_in_scope(resident.area.path, actor):
        raise PermissionDeniedError()
    known = {t.code: t for t in Tag.objects.filter(is_active=True)}
    wanted: dict[str, dict[str, Any]] = {}
    for code, details in tags.items():
        tag = known.get(code)
        if tag is None:
            raise ApplicationError(resident_errors.TAG_UNKNOWN.format(value=code), field="tags")
        if tag.derived:
            raise ApplicationError(resident_errors.TAG_DERIVED.format(value=tag.name), field="tags")
        wanted[code] = _tag_details(tag, details or {})
    with transaction.atomic():
        # One edit of a resident's tags at a time (a double tap on Save, two workers): the
        # second reads the first's links instead of adding the same tag twice.
        list(Resident.objects.select_for_update().filter(pk=resident.pk).values_list("pk"))
        links = {link.tag.code: link for link in resident.tag_links.select_related("tag")}
        removed = [code for code in links if code not in wanted]
        added = [code for code in wanted if code not in links]
        changed = [
            code
            for code in wanted
            if code in links and any(getattr(links[code], k) != v for k, v in wanted[code].items())
        ]
        if removed:
            ResidentTag.objects.filter(pk__in=[links[c].pk for c in removed]).delete()
        for code in added:
            ResidentTag.objects.create(
                resident=resident,
                tag=known[code],
                source=ResidentTag.Source.MANUAL,
                **wanted[code],
            )
        for code in changed:
            link = links[code]
            for key, value in wanted[code].items():
                setattr(link, key, value)
            link.save(update_fields=list(wanted[code]))
        if removed or added or changed:
            resident.content_hash = ""
            resident.save(update_fields=["content_hash", "updated_at"])
            log_action(
                "residents.resident.tags_changed",
                actor=actor,
                obj=resident,
                area_path=resident.area.path,
                data={"added": added, "removed": removed, "changed": changed},
            )
            tags_changed_on_commit([resident.pk])
    return resident


def _tag_details(tag: Tag, details: dict[str, Any]) -> dict[str, Any]:
    """The stored details of one tag, validated; details that do not apply to it are empty."""
    category = details.get("disability_category") or ""
    grade = details.get("disability_grade")
    treatment = details.get("treatment") or ""
    if tag.code == DISABLED:
        if category and category not in ResidentTag.DisabilityCategory.values:
            raise ApplicationError(
                resident_errors.TAG_DETAIL_INVALID.format(value=category),
                field="disability_category",
            )
        if grade is not None and grade != "":
            if str(grade) not in ("1", "2", "3", "4"):
                raise ApplicationError(resident_errors.DISABILITY_GRADE, field="disability_grade")
            grade = int(grade)
        else:
            grade = None
    else:
        category, grade = "", None
    if tag.code == CRITICAL_TREATMENT:
        if treatment and treatment not in ResidentTag.Treatment.values:
            raise ApplicationError(
                resident_errors.TAG_DETAIL_INVALID.format(value=treatment), field="treatment"
            )
        schedule = str(details.get("schedule") or "").strip()[:200]
    else:
        treatment, schedule = "", ""
    return {
        "disability_category": category,
        "disability_grade": grade,
        "treatment": treatment,
        "schedule": schedule or None,
        "note": str(details.get("note") or "").strip()[:200] or None,
    }


def _log_change(action: str, actor: Any, resident: Resident, fields: list[str]) -> None:
    # The log names the fields changed, never their values (they may be protected).
    log_action(
        action,
        actor=actor,
        obj=resident,
        area_path=resident.area.path,
        data={"fields": fields, "legal_basis": resident.legal_basis},
    )
    if resident.legal_basis == LegalBasis.PUBLIC_HEALTH_EMERGENCY:
        log_action(
            "residents.resident.emergency_basis",
            actor=actor,
            obj=resident,
            area_path=resident.area.path,
        )
