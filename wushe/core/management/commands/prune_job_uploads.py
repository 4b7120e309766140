"""``wushe prune-job-uploads``: delete the uploads of jobs finished over a day ago (what the
periodic task does; run it from cron where there is no Celery beat)."""

from django.core.management.base import BaseCommand

from wushe.core.jobs import job_uploads_prune


class Command(BaseCommand):
    help = "Delete the uploaded files of background jobs that finished more than a day ago."

    def handle(self, *args, **options):
        count = job_uploads_prune()
        self.stdout.write(f"{count} upload(s) deleted")
