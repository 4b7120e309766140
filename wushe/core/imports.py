"""The account every import gives of its rows: created, updated, unchanged, skipped, rejected.

Every row of a file ends in exactly one of these; ``total`` lets a test (and a user) check
that nothing was lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    dry_run: bool = False
    header_row: int | None = None
    unknown_columns: list[str] = field(default_factory=list)

    def reject(self, row: int, reason: Any, field_name: str | None = None) -> None:
        entry: dict[str, Any] = {"row": row, "reason": str(reason)}
        if field_name:
            entry["field"] = field_name
        self.rejected.append(entry)

    def skip(self, row: int, reason: Any) -> None:
        self.skipped.append({"row": row, "reason": str(reason)})

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + len(self.skipped) + len(self.rejected)

    def as_dict(self) -> dict[str, Any]:
        self.rejected.sort(key=lambda r: r["row"])
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": len(self.skipped),
            "skipped_rows": self.skipped,
            "rejected": self.rejected,
            "rows": self.total,
            "dry_run": self.dry_run,
            "header_row": self.header_row,
            "unknown_columns": self.unknown_columns,
        }
