"""``wushe escalate-overdue``: flag open requests past their SLA (what the periodic task does)."""

from django.core.management.base import BaseCommand

from wushe.needs.services import needs_escalate_overdue


class Command(BaseCommand):
    help = "Escalate every open request past its SLA (top of the queue, flagged for supervisors)."

    def handle(self, *args, **options):
        count = needs_escalate_overdue()
        self.stdout.write(f"{count} request(s) escalated")
