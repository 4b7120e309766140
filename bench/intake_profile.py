"""CPU per intake request, in one process, without load: where ``bench/intake.py``'s time goes.

    .venv/bin/python bench/intake_profile.py [--pg postgres://postgres@127.0.0.1:5432/test]
        [-n 400] [--profile [--sort tottime] [--top 40] [--callers NAME]] [--show-sql]

Runs ``POST /api/v1/needs/`` and the floor view (``bench/intake_urls.py``) through Django's
full WSGI stack (middleware, DRF, service, idempotency) in this process against a scratch
PostgreSQL database ``wushe_bench_intake_profile``, one request at a time, and reports per
request: the web process's CPU time (``time.process_time``), the CPU time of the PostgreSQL
backend serving it (from ``/proc``), and the SQL statements sent through Django (BEGIN and
COMMIT, and the connection health check under gunicorn, come on top). CPU time moves less with the
machine's load than throughput does, but still moves: compare runs made close together.
``--profile`` prints a cProfile of the API requests in CPU time (waits for the database do not
show); ``--show-sql`` prints the statements each path sends.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]

import intake  # noqa: E402 - the benchmark's bodies, seed data and scratch database

DB_NAME = "wushe_bench_intake_profile"


def backend_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--pg", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432/test")
    )
    parser.add_argument("-n", type=int, default=400, help="requests measured per path")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key (tottime, ...)")
    parser.add_argument("--top", type=int, default=40, help="cProfile lines shown")
    parser.add_argument("--show-sql", action="store_true", help="print each path's statements")
    parser.add_argument(
        "--callers", metavar="NAME", help="with --profile: who calls the functions matching NAME"
    )
    args = parser.parse_args()
    intake.DB_NAME = DB_NAME
    url = urlunsplit(urlsplit(args.pg)._replace(path=f"/{DB_NAME}"))
    intake.recreate_database(args.pg)
    token = intake.prepare(url)
    os.environ.update(intake.django_env(url))

    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    handler = WSGIHandler()
    rng = random.Random(7)  # noqa: S311 - load shape, not crypto
    bodies = [json.dumps(intake.body(rng, i)).encode() for i in range(args.n)]

    def post(path: str, body: bytes, headers: dict[str, str]) -> str:
        environ = {
            "REQUEST_METHOD": "POST", "PATH_INFO": path, "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80", "wsgi.input": io.BytesIO(body),
            "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "application/json",
            "wsgi.url_scheme": "http", "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.errors": sys.stderr, **headers,
        }  # fmt: skip
        status: list[str] = []
        result = handler(environ, lambda s, h: status.append(s))
        b"".join(result)
        result.close()
        return status[0]

    def api(i: int) -> str:
        return post(
            "/api/v1/needs/",
            bodies[i],
            {"HTTP_AUTHORIZATION": f"Token {token}", "HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())},
        )

    def floor(i: int) -> str:
        return post("/bench/floor/", bodies[i], {})

    statements: list[str] = []

    def count(execute, sql, params, many, context):  # noqa: ANN001 - Django's signature
        statements.append(sql)
        return execute(sql, params, many, context)

    print(f"{'':<22}{'web CPU ms':>11}{'PostgreSQL CPU ms':>19}{'statements':>12}")
    for name, call in (("floor (insert one row)", floor), ("POST /api/v1/needs/", api)):
        for i in range(20):  # warm-up: connections, caches, compiled queries
            assert call(i).startswith("201"), call(i)
        statements.clear()
        with connection.execute_wrapper(count):
            call(0)
        if args.show_sql:
            print("\n\n".join(statements))
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        pg0, web0 = backend_cpu_s(pid), time.process_time()
        for i in range(args.n):
            call(i)
        pg1, web1 = backend_cpu_s(pid), time.process_time()
        print(
            f"{name:<22}{(web1 - web0) / args.n * 1000:>11.2f}"
            f"{(pg1 - pg0) / args.n * 1000:>19.2f}{len(statements):>12}"
        )
    if args.profile:
        import cProfile
        import pstats

        profile = cProfile.Profile(time.process_time)
        profile.enable()
        for i in range(args.n):
            api(i)
        profile.disable()
        stats = pstats.Stats(profile).sort_stats(args.sort)
        stats.print_stats(args.top)
        if args.callers:
            stats.print_callers(args.callers)


if __name__ == "__main__":
    main()
