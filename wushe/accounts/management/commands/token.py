"""``wushe token USERNAME``: print the user's API token, creating it if needed."""

from django.core.management.base import BaseCommand, CommandError

from wushe.accounts.services import token_for
from wushe.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Print USERNAME's API token for scripts (Authorization: Token <key>)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, **options):
        try:
            self.stdout.write(token_for(username=options["username"]))
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
