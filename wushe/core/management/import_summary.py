"""What every import command shares: its arguments (the file, --dry-run, --json, --as-user),
and how it prints its report: JSON for scripts (the keys stay English), or a line a person
reads, in the product's language, followed by each rejected row; a rejected row makes the
command exit 1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def add_import_arguments(parser: Any) -> None:
    """The file and the options every import command takes; a command adds its own after."""
    parser.add_argument("file", type=Path)
    parser.add_argument(
        "--dry-run", action="store_true", help=gettext_lazy("Check every row, change nothing.")
    )
    parser.add_argument(
        "--json", action="store_true", help=gettext_lazy("Print the report as JSON.")
    )
    parser.add_argument(
        "--as-user",
        help=gettext_lazy("Act as this user (scope and audit); default: the system."),
    )


def write_import_summary(
    out: Any, summary: dict[str, Any], *, dry_run: bool, as_json: bool, omit: tuple[str, ...] = ()
) -> None:
    if as_json:
        shown = {k: v for k, v in summary.items() if k not in omit}
        out.write(json.dumps(shown, ensure_ascii=False, indent=2))
    else:
        if dry_run:
            line = _(
                "Dry run: {created} created, {updated} updated, {unchanged} unchanged, "
                "{skipped} skipped, {rejected} rejected ({rows} rows)"
            )
        else:
            line = _(
                "Imported: {created} created, {updated} updated, {unchanged} unchanged, "
                "{skipped} skipped, {rejected} rejected ({rows} rows)"
            )
        out.write(line.format(**{**summary, "rejected": len(summary["rejected"])}))
        for item in summary["rejected"]:
            out.write("  " + _("row {row}: {reason}").format(**item))
        for item in summary.get("warnings", ()):
            out.write("  " + _("row {row} (warning): {warning}").format(**item))
    if summary["rejected"]:
        raise SystemExit(1)
