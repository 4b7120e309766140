"""Demo data: ``wushe demo`` calls the ``build(context)`` of every app's ``demo`` module.

Apps are visited in INSTALLED_APPS order (lower apps first), so an app can rely on what the
apps below it have put into ``context`` (the areas, the users of each role, ...). Every
``build`` must be idempotent: running the demo twice leaves one copy of everything.
"""

from __future__ import annotations

import importlib
import importlib.util
import random
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps


@dataclass
class DemoContext:
    rng: random.Random
    out: Any  # a writable with .write(str), e.g. the command's stdout
    data: dict[str, Any] = field(default_factory=dict)


def build_demo(*, seed: int = 2022, out: Any) -> DemoContext:
    context = DemoContext(rng=random.Random(seed), out=out)  # noqa: S311 - demo data, not crypto
    for config in apps.get_app_configs():
        if not config.name.startswith("wushe."):
            continue
        module_name = f"{config.name}.demo"
        if importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        module.build(context)
    return context
