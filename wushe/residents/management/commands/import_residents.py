"""``wushe import-residents FILE --area CODE``: import a canvass sheet (摸排表)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wushe.areas.models import Area
from wushe.core.errors import ApplicationError
from wushe.core.management.actor import command_actor
from wushe.core.management.import_summary import add_import_arguments, write_import_summary
from wushe.residents.models import LegalBasis
from wushe.residents.services import (
    Basis,
    import_workers,
    resident_error_workbook,
    resident_import_file,
)


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]  # in the language active when asked
        return _(
            "Import residents from a canvass sheet (.xlsx or .csv) into an area; every row is "
            "accounted for as created, updated, unchanged, skipped or rejected."
        )

    def add_arguments(self, parser):
        add_import_arguments(parser)
        parser.add_argument(
            "--area",
            required=True,
            help=gettext_lazy("Code of the street, community, grid or building."),
        )
        parser.add_argument(
            "--errors", type=Path, help=gettext_lazy("Write the rejected rows to this .xlsx.")
        )
        parser.add_argument(
            "--basis",
            choices=LegalBasis.values,
            default=LegalBasis.PUBLIC_HEALTH_EMERGENCY,
            help=gettext_lazy(
                "Legal basis (PIPL): consent, or the public-health emergency (Art. 13, audited)."
            ),
        )
        parser.add_argument(
            "--workers",
            type=int,
            help=gettext_lazy(
                "Worker processes for validation and encryption (default: by file size)."
            ),
        )
        parser.add_argument("--consent-purpose", default="")
        parser.add_argument("--consent-version", default="")

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("{path}: no such file").format(path=path))
        area = Area.objects.filter(code=options["area"]).first()
        if area is None:
            raise CommandError(_("No area with code {code}.").format(code=options["area"]))
        actor = command_actor(options["as_user"])
        basis = Basis(
            legal_basis=options["basis"],
            consent_purpose=options["consent_purpose"],
            consent_version=options["consent_version"],
        )
        try:
            report = resident_import_file(
                actor=actor,
                source=path,
                filename=path.name,
                area=area,
                dry_run=options["dry_run"],
                basis=basis,
                workers=options["workers"] or import_workers(path.stat().st_size),
            )
        except ApplicationError as exc:
            raise CommandError(f"{path}: {exc.message}") from exc
        summary = report.as_dict()
        if options["errors"] and summary["rejected"]:
            options["errors"].write_bytes(
                resident_error_workbook(source=path, filename=path.name, report=summary)
            )
        write_import_summary(
            self.stdout,
            summary,
            dry_run=options["dry_run"],
            as_json=options["json"],
            omit=("preview",),
        )
