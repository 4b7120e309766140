"""``wushe demo``: build (or refresh) the demo street with one user per role.

Demo data is for a development machine: with DEBUG off (production settings) the command
refuses unless given ``--force``. Even then it never changes an account it did not create
(see ``wushe.accounts.demo``)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wushe.core.demo_runner import build_demo


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]  # in the language active when asked
        return _(
            "Build a realistic demo street: areas, buildings, one user per role, app data. "
            "Only with DEBUG on (a development machine) unless --force is given."
        )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2022)
        parser.add_argument(
            "--force",
            action="store_true",
            help=gettext_lazy(
                "Run even with DEBUG off: adds thousands of fictitious residents and requests "
                "to this database."
            ),
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                _(
                    "DEBUG is off, so this looks like a production database: the demo would "
                    "add thousands of fictitious residents and requests and accounts with a "
                    "published password. Nothing was changed. Run it with development "
                    "settings, or add --force if this database is only for a demo."
                )
            )
        with transaction.atomic():
            build_demo(seed=options["seed"], out=self.stdout)
