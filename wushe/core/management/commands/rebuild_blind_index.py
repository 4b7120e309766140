"""``wushe rebuild-blind-index``: recompute every blind index from the decrypted values.

Run it after changing WUSHE_BLIND_INDEX_KEY (there is only one index key at a time, so
exact-value lookups miss until it finishes: do it in a maintenance window) or a normaliser.
Safe to re-run: only rows whose hashes change are written.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from wushe.core.privacy.rotation import FieldReport, rebuild_blind_indexes


class Command(BaseCommand):
    help = "Recompute every blind-index column with the current WUSHE_BLIND_INDEX_KEY."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        def show(r: FieldReport) -> None:
            self.stdout.write(
                f"{r.label}: {r.rows} rows, {r.rewritten} rewritten, {r.unchanged} unchanged"
            )

        reports = rebuild_blind_indexes(batch_size=options["batch_size"], progress=show)
        total = sum(r.rewritten for r in reports)
        self.stdout.write(f"Done: {total} rows rewritten in {len(reports)} models.")
