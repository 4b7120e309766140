"""The per-row work of the canvass import that needs no database: skip or validate a row,
then encrypt and blind-index its protected values. Runs in the importing process, or — for
large files — in worker processes (``prepare_batch`` takes and returns picklable data), while
the importing process does what needs the database (buildings, households, de-duplication
against the registry, writing)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import translation

from wushe.core.errors import ApplicationError
from wushe.residents.bulk import content_hash, protect
from wushe.residents.idnumbers import age_on
from wushe.residents.importing import ResidentRow, parse_row, skip_reason
from wushe.residents.pinyin import name_pinyin
from wushe.residents.tags import DERIVED, CategoryReader

SKIP, REJECT, OK = "skip", "reject", "ok"


@dataclass(frozen=True)
class ImportBasis:
    legal_basis: str
    consent_purpose: str
    consent_version: str
    consent: bool  # legal_basis is consent


@dataclass
class Outcome:
    kind: str  # SKIP | REJECT | OK
    row: int
    message: str = ""
    field: str | None = None
    parsed: ResidentRow | None = None
    prepared: dict[str, Any] | None = None  # column values, protected ones already encrypted


def plain_values(r: ResidentRow, basis: ImportBasis, today: datetime.date) -> dict[str, Any]:
    """The row's resident columns in plain text (without area, household, hash)."""
    full, initials = name_pinyin(r.name)
    child = r.birth_date is not None and age_on(r.birth_date, today) < 14
    extra = r.phones[1:]
    notes = [r.notes] if r.notes else []
    if extra:
        notes.append("其他电话：" + "、".join(extra))
    return {
        "name": r.name,
        "name_pinyin": full,
        "name_initials": initials,
        "gender": r.gender or "",
        "birth_date": r.birth_date,
        "id_number": r.id_number.number if r.id_number else None,
        "phone": r.phones[0] if r.phones else None,
        "health_notes": r.health_notes or None,
        "notes": "\n".join(notes) or None,
        "emergency_contact": r.emergency_contact,
        "emergency_phone": r.emergency_phone or None,
        "guardian": r.guardian,
        "guardian_phone": r.guardian_phone or None,
        "legal_basis": basis.legal_basis,
        "consent_purpose": basis.consent_purpose,
        "consent_version": basis.consent_version,
        "consent_guardian": r.guardian if child and basis.consent else "",
    }


def tags_text(tags: dict[str, dict[str, Any]]) -> str:
    return ";".join(
        f"{code}:" + ",".join(f"{k}={v}" for k, v in sorted(details.items()))
        for code, details in sorted(tags.items())
    )


def prepare_batch(
    rows: list[Any],
    *,
    synonyms: dict[str, str],
    basis: ImportBasis,
    today: datetime.date,
    language: str | None,
    child_needs_guardian: str,
) -> list[Outcome]:
    """Skip, reject or prepare each row (a ``TableRow``) of one batch, in order."""
    from wushe.residents.models import Resident

    outcomes: list[Outcome] = []
    read_categories = CategoryReader(synonyms)
    with translation.override(language):
        for row in rows:
            reason = skip_reason(row.values)
            if reason is not None:
                outcomes.append(Outcome(SKIP, row.number, str(reason)))
                continue
            try:
                parsed = parse_row(
                    row.number,
                    row.values,
                    synonyms,
                    read_categories=read_categories,
                    today=today,
                )
                birth = parsed.birth_date
                if basis.consent and birth is not None and age_on(birth, today) < 14:
                    if not parsed.guardian:
                        raise ApplicationError(child_needs_guardian, field="guardian")
            except ApplicationError as exc:
                outcomes.append(Outcome(REJECT, row.number, str(exc.message), exc.field))
                continue
            if birth is not None:
                # Age tags follow from the birth date when read; typed ones are not stored.
                parsed.tags = {c: d for c, d in parsed.tags.items() if c not in DERIVED}
            plain = plain_values(parsed, basis, today)
            partial = content_hash([*plain.values(), tags_text(parsed.tags)])
            prepared = protect(Resident, plain)
            prepared["content_hash"] = partial  # completed with area and household later
            outcomes.append(Outcome(OK, row.number, parsed=parsed, prepared=prepared))
    return outcomes
