"""``wushe dispatch solve|check``: the engine's command line under the project's name.

The engine parses its own arguments (it is a pure library with its own CLI), so this command
hands the raw arguments over instead of declaring them again, and keeps its exit codes
(0 done, 1 a solution breaks a rule, 2 unusable input).
"""

import argparse
import sys

from django.core.management.base import BaseCommand, CommandError

from wushe.dispatch.engine.cli import main


class Command(BaseCommand):
    help = (
        "Batch dispatch: 'solve INSTANCE.json [--time-limit S] [--seed N] [-o SOLUTION.json]' "
        "or 'check INSTANCE.json SOLUTION.json'."
    )

    def add_arguments(self, parser):
        parser.add_argument("engine_args", nargs=argparse.REMAINDER)

    def run_from_argv(self, argv: list[str]) -> None:
        # argv is ["wushe", "dispatch", ...]: everything after the command is the engine's.
        sys.exit(main(argv[2:]))

    def handle(self, *args, **options):
        code = main(list(options["engine_args"]), out=self.stdout, err=self.stderr)
        if code:
            raise CommandError(f"wushe dispatch exited with status {code}", returncode=code)
