"""``wushe prune-job-uploads``: fail the jobs whose worker died (deleting their uploads) and
delete the uploads of jobs finished over a day ago (what the periodic tasks do; run it from
cron where there is no Celery beat)."""

from django.core.management.base import BaseCommand

from wushe.core.jobs import job_fail_stale, job_uploads_prune


class Command(BaseCommand):
    help = (
        "Fail background jobs that stopped without finishing and delete their uploads; delete "
        "the uploaded files of jobs that finished more than a day ago."
    )

    def handle(self, *args, **options):
        stale = job_fail_stale()
        count = job_uploads_prune()
        self.stdout.write(f"{stale} stalled job(s) failed")
        self.stdout.write(f"{count} upload(s) deleted")
