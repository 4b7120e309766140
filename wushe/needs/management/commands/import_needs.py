"""``wushe import-needs FILE --area CODE``: import a 12345 hotline work-order sheet."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wushe.areas.models import Area
from wushe.core.errors import ApplicationError
from wushe.core.management.actor import command_actor
from wushe.core.management.import_summary import add_import_arguments, write_import_summary
from wushe.needs.importing import need_import_hotline


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]  # in the language active when asked
        return _(
            "Import hotline work orders (12345 工单, .xlsx or .csv) as requests; every row is "
            "accounted for, and a work order imported twice stays one request."
        )

    def add_arguments(self, parser):
        add_import_arguments(parser)
        parser.add_argument(
            "--area", required=True, help=gettext_lazy("Code of the street or community.")
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("{path}: no such file").format(path=path))
        area = Area.objects.filter(code=options["area"]).first()
        if area is None:
            raise CommandError(_("No area with code {code}.").format(code=options["area"]))
        try:
            report = need_import_hotline(
                actor=command_actor(options["as_user"]),
                source=path,
                filename=path.name,
                area=area,
                dry_run=options["dry_run"],
            )
        except ApplicationError as exc:
            raise CommandError(f"{path}: {exc.message}") from exc
        summary = report.as_dict()
        write_import_summary(
            self.stdout, summary, dry_run=options["dry_run"], as_json=options["json"]
        )
