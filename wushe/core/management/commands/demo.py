"""``wushe demo``: build (or refresh) the demo street with one user per role."""

from django.core.management.base import BaseCommand
from django.db import transaction

from wushe.core.demo_runner import build_demo


class Command(BaseCommand):
    help = "Build a realistic demo street: areas, buildings, one user per role, app data."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2022)

    def handle(self, *args, **options):
        with transaction.atomic():
            build_demo(seed=options["seed"], out=self.stdout)
