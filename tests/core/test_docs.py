"""What README.md and docs/operations.md tell a reader to run exists and is enough."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]


def _block_after(text: str, heading: str) -> str:
    """The first ```sh block after ``heading``."""
    rest = text[text.index(heading) :]
    return rest.split("```sh\n", 1)[1].split("```", 1)[0]


def test_readme_commands_are_commands():
    block = _block_after((ROOT / "README.md").read_text(encoding="utf-8"), "Command line")
    named = set()
    for line in block.splitlines():
        # "wushe rotate-data-key | rebuild-blind-index" names two commands
        for part in line.split("#", 1)[0].split("|"):
            words = part.split()
            if words and words[0] == "wushe":
                words = words[1:]
            if words and not words[0].startswith(("-", "[")) and words[0].islower():
                named.add(words[0].replace("-", "_"))
    commands = get_commands()
    ours = {name for name, app in commands.items() if app.startswith("wushe.")}
    assert named <= set(commands)
    assert ours <= named, f"project commands the README does not name: {sorted(ours - named)}"


def test_production_recipe_sets_every_required_setting_and_runs_beat():
    """Following docs/operations.md step by step must not stop at ``wushe migrate`` with
    "… must be set", and the periodic jobs (escalation, lapsed offers) need a beat."""
    recipe = _block_after(
        (ROOT / "docs" / "operations.md").read_text(encoding="utf-8"), "## Running on PostgreSQL"
    )
    exported = {
        name.removesuffix("_FILE")
        for line in recipe.splitlines()
        if line.startswith("export ")
        for name in re.findall(r"([A-Z][A-Z0-9_]*)=", line)
    }
    production = (ROOT / "wushe" / "settings" / "production.py").read_text(encoding="utf-8")
    required = set(re.findall(r'env_required\("([A-Z0-9_]+)"\)', production))
    assert required, "production settings read no required variable?"
    assert required <= exported, f"not set in the recipe: {sorted(required - exported)}"
    assert settings.CELERY_BEAT_SCHEDULE
    assert re.search(r"^celery -A wushe beat\b", recipe, re.M)


MAKE = shutil.which("make")


@pytest.mark.skipif(MAKE is None, reason="make is not installed")
def test_make_run_takes_another_port():
    done = subprocess.run(
        [str(MAKE), "-n", "run", "PORT=8123"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "runserver 127.0.0.1:8123" in done.stdout
