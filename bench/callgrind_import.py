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
from typing import Any

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


def _callgrind(*options: str) -> None:
    subprocess.run(
        ["callgrind_control", *options, str(os.getpid())], check=True, stdout=subprocess.DEVNULL
    )


def measure(src: Path, path: Path) -> None:
    _django(src)
    from django.db import transaction

    from wushe.areas.demo import STREET
    from wushe.areas.models import Area
    from wushe.core.management.actor import SystemActor
    from wushe.residents.services import resident_import_file

    street = Area.objects.get(code=STREET[0])

    def run() -> Any:
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
    _callgrind("-i", "on")
    report = run()
    _callgrind("-i", "off")
    print(f"RESULT rows={report.total} created={report.created} rejected={len(report.rejected)}")


STAGES = ["read", "skip", "parse", "plain", "hash", "protect"]


def measure_stages(src: Path, path: Path) -> None:
    """The import's per-row stages that need no database, each over every row of the file
    (with the import's batch size and options), dumped separately: read (the sheet into
    TableRows), skip (``skip_reason``), parse (``parse_row``: validation), plain
    (``plain_values`` and ``tags_text``: pinyin, age), hash (the partial content hash),
    protect (``protect``: blind indexes and encryption)."""
    _django(src)
    from django.utils import timezone

    from wushe.areas.demo import STREET
    from wushe.areas.models import Area
    from wushe.core.tables import read_table
    from wushe.residents.bulk import content_hash, protect
    from wushe.residents.importing import COLUMNS, REQUIRED, parse_row, skip_reason
    from wushe.residents.models import Resident, Tag
    from wushe.residents.preparing import ImportBasis, plain_values, tags_text
    from wushe.residents.services import BATCH
    from wushe.residents.tags import CategoryReader, synonym_table

    Area.objects.get(code=STREET[0])
    tags = Tag.objects.filter(is_active=True)
    synonyms = synonym_table({"code": t.code, "name": t.name, "synonyms": t.synonyms} for t in tags)
    today = timezone.localdate()
    basis = ImportBasis(
        legal_basis="consent", consent_purpose="x", consent_version="1", consent=True
    )

    def stages(measured: bool) -> None:
        def done(stage: str) -> None:
            if measured:
                _callgrind("-d", stage)

        rows = list(read_table(path, filename=path.name, synonyms=COLUMNS, required=REQUIRED).rows)
        done("read")
        reasons = [skip_reason(row.values) for row in rows]
        assert not any(reasons)
        done("skip")
        parsed = []
        for start in range(0, len(rows), BATCH):
            reader = CategoryReader(synonyms)  # one per batch, as prepare_batch has
            parsed += [
                parse_row(r.number, r.values, synonyms, read_categories=reader, today=today)
                for r in rows[start : start + BATCH]
            ]
        done("parse")
        plains = [(plain_values(p, basis, today), tags_text(p.tags)) for p in parsed]
        done("plain")
        hashes = [content_hash([*plain.values(), tags]) for plain, tags in plains]
        done("hash")
        for plain, _tags in plains:
            protect(Resident, plain)
        done("protect")
        assert len(hashes) == len(rows)

    stages(measured=False)  # warm-up
    _callgrind("-i", "on")
    _callgrind("-z")
    stages(measured=True)
    _callgrind("-i", "off")
    print("RESULT stages")


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
    parser.add_argument(
        "--stages",
        action="store_true",
        help="instead of the import: its per-row stages that need no database, one by one",
    )
    parser.add_argument("--step", choices=["prepare", "measure", "stages"], help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    src = args.src.resolve()
    if args.step == "prepare":
        prepare(src)
        return
    if args.step == "measure":
        measure(src, args.file)
        return
    if args.step == "stages":
        measure_stages(src, args.file)
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
                "stages" if args.stages else "measure",
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
    if args.stages:
        # One dump per stage (out.<n>, the last one at exit holds nothing measured).
        dumps = sorted(out.parent.glob(out.name + ".*"), key=lambda f: int(f.suffix[1:]))
        for stage, dump in zip(STAGES, dumps, strict=False):
            found = re.search(r"^totals: (\d+)", dump.read_text(), re.MULTILINE)
            assert found, f"no totals in {dump}"
            count = int(found.group(1))
            print(f"{stage:8} {count / 1e6:9,.1f} M  {count / args.rows:9,.0f} per row")
        return
    # "summary:" in the header counts from the last zeroing; "totals:" at the end is the run.
    totals = re.search(r"^totals: (\d+)", out.read_text(), re.MULTILINE)
    assert totals, "no totals in the callgrind output"
    instructions = int(totals.group(1))
    print(f"{src}: {path.name} {result[7:]}")
    print(f"instructions: {instructions:,} ({instructions / 1e6:,.0f} M)")


if __name__ == "__main__":
    main()
