"""``wushe import-areas FILE``: import areas and buildings from .csv or .xlsx."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from wushe.areas.services import area_import_file
from wushe.core.errors import ApplicationError
from wushe.core.management.actor import command_actor
from wushe.core.management.import_summary import add_import_arguments, write_import_summary


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]  # in the language active when asked
        return _(
            "Import areas and buildings from a .csv or .xlsx file; every row is accounted for."
        )

    def add_arguments(self, parser):
        add_import_arguments(parser)

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("{path}: no such file").format(path=path))
        actor = command_actor(options["as_user"])
        try:
            report = area_import_file(
                actor=actor, source=path, filename=path.name, dry_run=options["dry_run"]
            )
        except ApplicationError as exc:
            raise CommandError(f"{path}: {exc.message}") from exc
        summary = report.as_dict()
        write_import_summary(
            self.stdout, summary, dry_run=options["dry_run"], as_json=options["json"]
        )
