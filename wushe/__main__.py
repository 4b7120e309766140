"""The ``wushe`` console script: Django's management commands under the project's name.

``wushe import-areas FILE`` is the same as ``wushe import_areas FILE``: hyphens in the
command name are accepted so that commands read like ordinary CLI tools.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wushe.settings.dev")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "wushe"
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
