"""``wushe areas [--level LEVEL] [--json]``: list areas (code, name, level, parent code)."""

import json

from django.core.management.base import BaseCommand, CommandError

from wushe.areas.levels import Level
from wushe.areas.selectors import area_list
from wushe.core.management.actor import command_actor


class Command(BaseCommand):
    help = "List areas for scripts: code, name, level and parent code."

    def add_arguments(self, parser):
        parser.add_argument("--level", choices=Level.values)
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--as-user", help="List what this user may see.")

    def handle(self, *args, **options):
        actor = command_actor(options["as_user"])
        rows = [
            {
                "code": a.code,
                "name": a.name,
                "level": a.level,
                "parent_code": a.parent.code if a.parent else None,
            }
            for a in area_list(actor=actor, level=options["level"])
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            raise CommandError("no areas")
        for r in rows:
            self.stdout.write(f"{r['code']}\t{r['level']}\t{r['name']}\t{r['parent_code'] or ''}")
