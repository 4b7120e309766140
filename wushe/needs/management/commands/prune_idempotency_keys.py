"""``wushe prune-idempotency-keys``: forget the stored ``Idempotency-Key`` answers older than
two days (what the daily periodic task does; run it from cron where there is no Celery beat,
else the answers, which hold personal data, pile up for ever)."""

from django.core.management.base import BaseCommand

from wushe.needs.services import idempotency_keys_prune


class Command(BaseCommand):
    help = "Delete the stored Idempotency-Key answers older than two days."

    def handle(self, *args, **options):
        count = idempotency_keys_prune()
        self.stdout.write(f"{count} idempotency key(s) deleted")
