"""``wushe rotate-data-key``: re-encrypt all protected values with the first WUSHE_DATA_KEY.

Put the new key first and keep the old ones after it (``WUSHE_DATA_KEY=new,old``), restart,
run this, then drop the old key. Safe to re-run; exits non-zero if any value could not be
decrypted with any key (nothing is written for those).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from wushe.core.privacy.rotation import FieldReport, rotate_data_key


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field with the first key in WUSHE_DATA_KEY."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        def show(r: FieldReport) -> None:
            self.stdout.write(
                f"{r.label}: {r.rows} rows, {r.rewritten} re-encrypted, "
                f"{r.unchanged} already current, {r.empty} empty, {len(r.failed)} unreadable"
            )

        reports = rotate_data_key(batch_size=options["batch_size"], progress=show)
        failed = {r.label: r.failed for r in reports if r.failed}
        total = sum(r.rewritten for r in reports)
        self.stdout.write(f"Done: {total} values re-encrypted in {len(reports)} fields.")
        if failed:
            detail = "; ".join(f"{k} pk {', '.join(v[:20])}" for k, v in failed.items())
            raise CommandError(f"Values no configured key can decrypt: {detail}")
