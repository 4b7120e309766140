"""``wushe token USERNAME [--rotate | --revoke]``: print the user's API token (created if
needed, replaced once expired), replace it, or delete it."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wushe.accounts.services import token_for, token_revoke, token_rotate
from wushe.core.errors import ApplicationError


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]  # in the language active when asked
        return _(
            "Print USERNAME's API token for scripts (Authorization: Token <key>); --rotate "
            "replaces it (the old one stops working), --revoke deletes it."
        )

    def add_arguments(self, parser):
        parser.add_argument("username")
        action = parser.add_mutually_exclusive_group()
        action.add_argument(
            "--rotate",
            action="store_true",
            help=gettext_lazy("Issue a new token; the old one stops working."),
        )
        action.add_argument(
            "--revoke",
            action="store_true",
            help=gettext_lazy("Delete the token; API calls with it fail."),
        )

    def handle(self, *args, **options):
        username = options["username"]
        try:
            if options["revoke"]:
                revoked = token_revoke(username=username)
                # Otherwise only the key is printed (for scripts); these lines are for people.
                self.stdout.write(_("token revoked") if revoked else _("no token to revoke"))
            elif options["rotate"]:
                self.stdout.write(token_rotate(username=username))
            else:
                self.stdout.write(token_for(username=username))
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
