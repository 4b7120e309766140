"""How every import command prints its report: JSON for scripts, or a line a person reads
followed by each rejected row; a rejected row makes the command exit 1."""

from __future__ import annotations

import json
from typing import Any


def write_import_summary(
    out: Any, summary: dict[str, Any], *, dry_run: bool, as_json: bool, omit: tuple[str, ...] = ()
) -> None:
    if as_json:
        shown = {k: v for k, v in summary.items() if k not in omit}
        out.write(json.dumps(shown, ensure_ascii=False, indent=2))
    else:
        out.write(
            "{verb}: {created} created, {updated} updated, {unchanged} unchanged, "
            "{skipped} skipped, {n} rejected ({rows} rows)".format(
                verb="Dry run" if dry_run else "Imported", n=len(summary["rejected"]), **summary
            )
        )
        for item in summary["rejected"]:
            out.write(f"  row {item['row']}: {item['reason']}")
        for item in summary.get("warnings", ()):
            out.write(f"  row {item['row']} (warning): {item['warning']}")
    if summary["rejected"]:
        raise SystemExit(1)
