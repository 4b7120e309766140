"""``wushe lapse-offers``: round offers unanswered past the timeout lapse and are
re-dispatched (what the periodic task does; run it from cron where there is no Celery beat,
e.g. every minute)."""

from django.core.management.base import BaseCommand

from wushe.dispatch.services import dispatch_offers_lapse


class Command(BaseCommand):
    help = (
        "Lapse the offers from approved dispatch rounds left unanswered for "
        "WUSHE_DISPATCH_OFFER_TIMEOUT_S and re-dispatch their tasks."
    )

    def handle(self, *args, **options):
        count = dispatch_offers_lapse()
        self.stdout.write(f"{count} offer(s) lapsed")
