"""Benchmark of the canvass import (issue #3), not a test.

Generates a 200,000-row canvass .xlsx and a 1,000,000-row .csv (kept in var/bench/residents/),
then for SQLite and PostgreSQL measures, each in a fresh child process and database:

- wushe: ``resident_import_file`` end to end (parse, validate, encrypt, blind-index, write);
- the peer, django-import-export 4.4 (``ModelResource`` with ``use_bulk``, ``skip_diff``, the
  ID's blind index as ``import_id_fields``) importing the same rows into the same model — on a
  slice of the file, because it runs one lookup query per row: its rows/s is what it sustains;
- the floor: PostgreSQL ``COPY`` of the already-validated rows (the table wushe wrote, dumped
  with COPY TO, truncated and loaded again; text format, then binary format, which the import
  itself writes); for SQLite the same rows with ``executemany``;
- peak memory: ru_maxrss of the child that imports the 1,000,000-row CSV, taken right after
  the import (before the floor step reads the table back), and of its largest worker process.

    .venv/bin/python bench/import_residents.py --quick      # 20,000 / 50,000 rows, fast check
    .venv/bin/python bench/import_residents.py              # 200,000 xlsx and 1,000,000 csv

PostgreSQL: ``--pg postgres://postgres@127.0.0.1:5432/test``; a scratch database ``wushe_bench``
is created on that server and dropped at the end.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "var" / "bench" / "residents"
HEADER = [
    "序号",
    "姓名",
    "性别",
    "身份证号码",
    "联系电话",
    "楼号",
    "单元",
    "门牌号",
    "人员类别",
    "紧急联系人",
    "备注",
]
PLACES = ["310115", "310104", "310110", "320102", "330106", "340104", "420106", "510104"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华建国玉红梅志海燕凤淑珍文辉晓东德春云"
CATEGORIES = [
    "",
    "",
    "",
    "",
    "独居老人",
    "空巢",
    "低保",
    "慢性病、高血压",
    "肢体残疾二级",
    "透析（周二四六）",
    "孕妇",
    "滞留人员",
    "医护家属",
]
MOBILE = ["30", "33", "35", "36", "37", "38", "39", "50", "58", "59", "86", "88", "89"]


# --- data ------------------------------------------------------------------------------------


def _rows(count: int, buildings: list[str]):
    sys.path.insert(0, str(ROOT))
    from stdnum.cn import ric

    base = datetime.date(1930, 1, 1)
    for i in range(count):
        place, j = PLACES[i % 8], i // 8
        birth = base + datetime.timedelta(days=j % 30000)
        body = f"{place}{birth:%Y%m%d}{j // 30000 % 1000:03d}"
        id_number = body + ric.calc_check_digit(body + "0")
        name = (
            SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] + GIVEN[(i * 13) % len(GIVEN)]
        )
        phone = f"1{MOBILE[i % len(MOBILE)]}{(i * 7919) % 100_000_000:08d}"
        yield [
            i + 1,
            name,
            "男" if int(body[16]) % 2 else "女",
            id_number,
            phone,
            buildings[i % len(buildings)],
            str(1 + i % 6),
            f"{1 + i % 18}0{1 + i % 4}",
            CATEGORIES[i % len(CATEGORIES)],
            "",
            "",
        ]


def demo_buildings() -> list[str]:
    # The demo street's 200 building codes (wushe/areas/demo.py), without Django.
    codes = []
    for community in range(1, 5):
        c = f"31011590100{community}"
        for b in range(1, 51):
            grid = 1 + (b - 1) * 3 // 50
            codes.append(f"{c}{grid:03d}{b:04d}")
    return codes


def make_csv(count: int) -> Path:
    path = DATA / f"canvass-{count}.csv"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        with open(path.with_suffix(".tmp"), "w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(["明珠街道重点人群摸排表"])
            writer.writerow(HEADER)
            writer.writerows(_rows(count, demo_buildings()))
        path.with_suffix(".tmp").rename(path)
    return path


def make_xlsx(count: int) -> Path:
    path = DATA / f"canvass-{count}.xlsx"
    if not path.exists():
        from openpyxl import Workbook

        DATA.mkdir(parents=True, exist_ok=True)
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("摸排表")
        sheet.append(["明珠街道重点人群摸排表（2022年4月）"])
        sheet.append(HEADER)
        for row in _rows(count, demo_buildings()):
            sheet.append(row)
        workbook.save(path.with_suffix(".tmp.xlsx"))
        path.with_suffix(".tmp.xlsx").rename(path)
    return path


# --- child: one measurement in a fresh process -----------------------------------------------


def child(args: argparse.Namespace) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "wushe.settings.dev"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    import io
    import random

    from wushe.areas import demo as areas_demo
    from wushe.core.demo_runner import DemoContext

    context = DemoContext(rng=random.Random(2022), out=io.StringIO())
    areas_demo.build(context)
    street = context.data["street"]
    result: dict[str, object] = {"vendor": connection.vendor}
    path = Path(args.file)
    if args.what == "wushe":
        from wushe.core.management.actor import SystemActor
        from wushe.residents.services import resident_import_file

        start = time.perf_counter()
        report = resident_import_file(
            actor=SystemActor(),
            source=path,
            filename=path.name,
            area=street,
            workers=int(args.workers),
        )
        seconds = time.perf_counter() - start
        result.update(
            workers=int(args.workers),
            rows=report.total,
            created=report.created,
            rejected=len(report.rejected),
            seconds=seconds,
            rows_per_s=report.total / seconds,
        )
        # Peak memory of the import itself, before the floor step loads the table again.
        result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        result["worker_peak_rss_mib"] = children
        if args.floor:
            result.update(floor(connection))
    elif args.what == "peer":
        result.update(peer(path, args.limit, street))
    result.setdefault("peak_rss_mib", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print("RESULT " + json.dumps(result))


def floor(connection) -> dict[str, object]:
    """Load the rows wushe wrote (validated, encrypted, indexed) again in the fastest way."""
    from wushe.residents.models import Resident

    table = Resident._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            seconds = _copy_again(connection, cursor, table, "")
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - table name from model metadata
            rows = cursor.fetchone()[0]
            # The same rows in COPY's binary format too (the import writes binary COPY).
            binary_seconds = _copy_again(connection, cursor, table, " (FORMAT BINARY)")
            return {
                "floor": "COPY",
                "floor_rows": rows,
                "floor_seconds": seconds,
                "floor_rows_per_s": rows / seconds,
                "floor_binary_rows_per_s": rows / binary_seconds,
            }
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - table name from model metadata
        data = cursor.fetchall()
        columns = [c[0] for c in cursor.description]
        cursor.execute("DELETE FROM residents_residenttag")
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - table name from model metadata
        marks = ", ".join(["%s"] * len(columns))
        start = time.perf_counter()
        with django_atomic():
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", data)  # noqa: S608 - table name from model metadata
        seconds = time.perf_counter() - start
        return {
            "floor": "executemany",
            "floor_rows": len(data),
            "floor_seconds": seconds,
            "floor_rows_per_s": len(data) / seconds,
        }


def _copy_again(connection, cursor, table: str, options: str) -> float:
    """Dump ``table`` with COPY TO, empty it, and time COPY FROM of the dump (seconds)."""
    buffer = bytearray()
    with cursor.cursor.copy(f"COPY {table} TO STDOUT{options}") as copy:
        for data in copy:
            buffer += data
    cursor.execute(f"TRUNCATE {table} CASCADE")
    start = time.perf_counter()
    with cursor.cursor.copy(f"COPY {table} FROM STDIN{options}") as copy:
        copy.write(bytes(buffer))
    connection.commit() if not connection.get_autocommit() else None
    return time.perf_counter() - start


def django_atomic():
    from django.db import transaction

    return transaction.atomic()


def peer(path: Path, limit: int, street) -> dict[str, object]:
    """django-import-export importing the first ``limit`` rows of the same file."""
    import tablib
    from import_export import fields, resources, widgets

    from wushe.areas.models import Area
    from wushe.core.privacy import blind_index
    from wushe.residents.models import Resident

    class ResidentResource(resources.ModelResource):
        name = fields.Field(attribute="name", column_name="姓名")
        id_number = fields.Field(attribute="id_number", column_name="身份证号码")
        id_number_index = fields.Field(attribute="id_number_index", column_name="id_number_index")
        phone = fields.Field(attribute="phone", column_name="联系电话")
        area = fields.Field(
            attribute="area", column_name="楼号", widget=widgets.ForeignKeyWidget(Area, "code")
        )

        class Meta:
            model = Resident
            fields = ("name", "id_number", "id_number_index", "phone", "area")
            import_id_fields = ("id_number_index",)
            use_bulk = True
            batch_size = 1000
            skip_diff = True

        def before_import_row(self, row, **kwargs):
            row["id_number_index"] = blind_index("id_number", row["身份证号码"])

    with open(path, encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        next(reader)  # title row
        header = next(reader)
        data = tablib.Dataset(headers=header)
        for n, row in enumerate(reader):
            if n >= limit:
                break
            data.append(row)
    start = time.perf_counter()
    outcome = ResidentResource().import_data(data, dry_run=False, use_transactions=True)
    seconds = time.perf_counter() - start
    return {
        "peer": "django-import-export 4.4.3",
        "rows": len(data),
        "created": outcome.totals.get("new", 0),
        "errors": len(outcome.row_errors()),
        "seconds": seconds,
        "rows_per_s": len(data) / seconds,
    }


# --- parent ----------------------------------------------------------------------------------


def _binary(figures: dict) -> str:
    binary = figures.get("floor_binary_rows_per_s")
    return f", binary COPY {binary:,.0f} rows/s" if binary else ""


def run_child(
    database_url: str,
    what: str,
    path: Path,
    *,
    limit: int = 0,
    with_floor: bool = False,
    workers: int = 1,
) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "WUSHE_LOG_LEVEL": "WARNING"}
    command = [
        sys.executable,
        __file__,
        "--child",
        what,
        "--file",
        str(path),
        "--limit",
        str(limit),
    ]
    command += ["--workers", str(workers)]
    if with_floor:
        command.append("--floor")
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"child {what} failed:\n{out.stderr[-3000:]}")
    line = next(line for line in out.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line[7:])


def databases(args: argparse.Namespace):
    scratch = Path(tempfile.mkdtemp(prefix="wushe-bench-"))
    counter = 0
    if not args.no_sqlite:

        def sqlite_url() -> str:
            nonlocal counter
            counter += 1
            return f"sqlite:///{scratch}/bench-{counter}.sqlite3"

        yield "SQLite", sqlite_url
    if args.pg:
        import psycopg

        admin = args.pg
        name = "wushe_bench"

        def pg_url() -> str:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name}")
                conn.execute(f"CREATE DATABASE {name}")
            return admin.rsplit("/", 1)[0] + "/" + name

        try:
            yield "PostgreSQL", pg_url
        finally:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="20,000-row xlsx, 50,000-row csv")
    parser.add_argument("--xlsx-rows", type=int)
    parser.add_argument("--csv-rows", type=int)
    parser.add_argument("--peer-rows", type=int, help="rows given to django-import-export")
    parser.add_argument(
        "--pg", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432/test")
    )
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--child", choices=["wushe", "peer"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--floor", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--workers",
        default="1,2",
        help="wushe's worker processes for the CSV runs, comma-separated (default 1,2); "
        "the xlsx runs use the first",
    )
    args = parser.parse_args()
    if args.child:
        args.what = args.child
        child(args)
        return
    if args.no_pg:
        args.pg = None
    worker_counts = [int(w) for w in str(args.workers).split(",")]
    xlsx_rows = args.xlsx_rows or (20_000 if args.quick else 200_000)
    csv_rows = args.csv_rows or (50_000 if args.quick else 1_000_000)
    peer_rows = args.peer_rows or (2_000 if args.quick else 20_000)
    t = time.perf_counter()
    xlsx, big = make_xlsx(xlsx_rows), make_csv(csv_rows)
    print(
        f"data: {xlsx.name}, {big.name} ready in {time.perf_counter() - t:.0f} s (cached in {DATA})"
    )
    figures: dict[str, dict] = {}
    for label, url in databases(args):
        f: dict[str, dict] = {}
        f["xlsx"] = run_child(url(), "wushe", xlsx, with_floor=True, workers=worker_counts[0])
        print(
            f"{label:10} wushe  xlsx {xlsx_rows:>9,} rows {f['xlsx']['seconds']:7.1f} s {f['xlsx']['rows_per_s']:9,.0f} rows/s  workers {worker_counts[0]}  (floor {f['xlsx']['floor']} {f['xlsx']['floor_rows_per_s']:,.0f} rows/s{_binary(f['xlsx'])})"
        )
        for workers in worker_counts:
            key = f"csv/{workers}"
            f[key] = run_child(url(), "wushe", big, with_floor=True, workers=workers)
            print(
                f"{label:10} wushe  csv  {csv_rows:>9,} rows {f[key]['seconds']:7.1f} s {f[key]['rows_per_s']:9,.0f} rows/s  workers {workers}  peak RSS {f[key]['peak_rss_mib']:,.0f} MiB (worker {f[key]['worker_peak_rss_mib']:,.0f} MiB)  (floor {f[key]['floor']} {f[key]['floor_rows_per_s']:,.0f} rows/s{_binary(f[key])})"
            )
        f["peer"] = run_child(url(), "peer", big, limit=peer_rows)
        print(
            f"{label:10} peer   csv  {f['peer']['rows']:>9,} rows {f['peer']['seconds']:7.1f} s {f['peer']['rows_per_s']:9,.0f} rows/s  (django-import-export, {f['peer']['errors']} errors)"
        )
        figures[label] = f
    print()
    print(
        "| database | file | workers | rows | wushe rows/s | peer rows/s | × peer "
        "| floor rows/s | floor ÷ wushe | binary COPY rows/s | ÷ wushe | peak RSS |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, f in figures.items():
        for kind in [k for k in f if k != "peer"]:
            w, p = f[kind], f["peer"]
            print(
                f"| {label} | {kind.split('/')[0]} | {w['workers']} | {w['rows']:,} "
                f"| {w['rows_per_s']:,.0f} | {p['rows_per_s']:,.0f} "
                f"| {w['rows_per_s'] / p['rows_per_s']:.1f}× "
                f"| {w['floor_rows_per_s']:,.0f} ({w['floor']}) "
                f"| {w['floor_rows_per_s'] / w['rows_per_s']:.1f}× "
                f"| {w.get('floor_binary_rows_per_s', 0):,.0f} "
                f"| {w.get('floor_binary_rows_per_s', 0) / w['rows_per_s']:.1f}× "
                f"| {w['peak_rss_mib']:,.0f} MiB |"
            )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
