"""Instructions executed by one residents import (issue #3), counted with callgrind: a
load-independent figure for comparing two versions of the code on a busy machine.

    .venv/bin/python bench/callgrind_import.py                      # this checkout, 4,000-row xlsx
    .venv/bin/python bench/callgrind_import.py --src /tmp/base      # another checkout (git archive)
    .venv/bin/python bench/callgrind_import.py --rows 4000 --keep out.callgrind

A scratch PostgreSQL database (``--pg``, default ``wushe_callgrind`` on the benchmark's server)
is created, migrated and given the demo street's areas outside valgrind. Under
``valgrind --tool=callgrind --instr-atstart=no`` a child process then imports the generated
.xlsx (``bench/import_residents.py``'s rows) once inside a transaction that is rolled back (the
warm-up: imports, caches, compiled statements), switches instrumentation on
(``callgrind_control -i on``), imports the same file again with ``resident_import_file``
(``workers=1``), and switches it off. The total counts every thread of the importing process
(the COPY writer thread included); the PostgreSQL server is another process and is not counted.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _django(src: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "wushe.settings.dev"
    sys.path.insert(0, str(src))
    import django

    django.setup()
    import wushe

    assert Path(wushe.__file__).resolve().is_relative_to(src.resolve()), wushe.__file__


def prepare(src: Path) -> None:
    _django(src)
    import io
    import random

    from django.core.management import call_command

    from wushe.areas import demo as areas_demo
    from wushe.core.demo_runner import DemoContext

    call_command("migrate", verbosity=0)
    areas_demo.build(DemoContext(rng=random.Random(2022), out=io.StringIO()))


def _callgrind(switch: str) -> None:
    subprocess.run(
        ["callgrind_control", "-i", switch, str(os.getpid())],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def measure(src: Path, path: Path) -> None:
    _django(src)
    from django.db import transaction

    from wushe.areas.demo import STREET
    from wushe.areas.models import Area
    from wushe.core.management.actor import SystemActor
    from wushe.residents.services import resident_import_file

    street = Area.objects.get(code=STREET[0])

    def run() -> object:
        return resident_import_file(
            actor=SystemActor(), source=path, filename=path.name, area=street, workers=1
        )

    class RollbackError(Exception):
        pass

    try:
        with transaction.atomic():
            run()
            raise RollbackError
    except RollbackError:
        pass
    _callgrind("on")
    report = run()
    _callgrind("off")
    print(f"RESULT rows={report.total} created={report.created} rejected={len(report.rejected)}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--src", type=Path, default=ROOT, help="checkout whose wushe is measured")
    parser.add_argument("--rows", type=int, default=4000)
    parser.add_argument(
        "--pg",
        default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432/test"),
        help="admin URL of the server; the scratch database is created beside it",
    )
    parser.add_argument("--name", default="wushe_callgrind", help="scratch database name")
    parser.add_argument("--keep", type=Path, help="keep the callgrind output file here")
    parser.add_argument("--step", choices=["prepare", "measure"], help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    src = args.src.resolve()
    if args.step == "prepare":
        prepare(src)
        return
    if args.step == "measure":
        measure(src, args.file)
        return

    import psycopg

    sys.path.insert(0, str(ROOT / "bench"))
    from import_residents import make_xlsx

    path = make_xlsx(args.rows)
    url = args.pg.rsplit("/", 1)[0] + "/" + args.name
    env = {**os.environ, "DATABASE_URL": url, "WUSHE_LOG_LEVEL": "WARNING"}
    me = [sys.executable, str(Path(__file__).resolve()), "--src", str(src)]
    with psycopg.connect(args.pg, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {args.name}")
        conn.execute(f"CREATE DATABASE {args.name}")
    out = args.keep or Path(tempfile.mkdtemp(prefix="wushe-callgrind-")) / "callgrind.out"
    try:
        subprocess.run([*me, "--step", "prepare"], env=env, check=True)
        done = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={out}",
                *me,
                "--step",
                "measure",
                "--file",
                str(path),
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        with psycopg.connect(args.pg, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {args.name}")
    result = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    # "summary:" in the header counts from the last zeroing; "totals:" at the end is the run.
    totals = re.search(r"^totals: (\d+)", out.read_text(), re.MULTILINE)
    assert totals, "no totals in the callgrind output"
    instructions = int(totals.group(1))
    print(f"{src}: {path.name} {result[7:]}")
    print(f"instructions: {instructions:,} ({instructions / 1e6:,.0f} M)")


if __name__ == "__main__":
    main()
