"""Intake benchmark: ``POST /api/v1/needs/`` under gunicorn on PostgreSQL, driven from a
second process on loopback, with client retries that reuse Idempotency-Key; and, in the same
run, a minimal Django view inserting one row of the same table (the stack's floor).

    .venv/bin/python bench/intake.py [--pg postgres://postgres@127.0.0.1:5432/test]
        [--seconds 10] [--concurrency 16] [--workers 2] [--worker-class gthread]
        [--threads 4] [--client wrk|python]

A scratch database ``wushe_bench_intake`` is dropped and created on that server. The load
client is ``wrk`` (Debian package ``wrk``; a C client, far cheaper in CPU than Python on the
same cores) with ``bench/intake.lua``, or, with ``--client python`` or when wrk is missing, a
bounded Python client (threads with keep-alive connections, in two processes). About 10 % of
requests are sent twice with the same key and body (a client retry). Reported: accepted
requests/s, p50/p99 latency, and the count check: rows stored == distinct keys the client saw
accepted (zero lost, zero duplicated). Loopback only, bounded in time and count.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "wushe_bench_intake"
AREA = "3101159010010010001"
CATEGORIES = ["medicine", "groceries", "escort", "psychological", "antigen", "other"]
MAX_REQUESTS = 200_000  # hard bound per phase, whatever the duration


def scratch_url(base: str) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{DB_NAME}"))


def recreate_database(base: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(base)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


SEED = """
import django; django.setup()
from rest_framework.authtoken.models import Token
from wushe.accounts.models import User
from wushe.areas.models import Area
s = Area.objects.create(code="310115901000", name="明珠街道", level="street", path="/310115901000/")
c = Area.objects.create(code="310115901001", name="明珠一村", level="community", parent=s,
                        path=s.path + "310115901001/")
Area.objects.create(code="AREA_CODE", name="一村1号楼", level="building", parent=c,
                    path=c.path + "AREA_CODE/")
u = User.objects.create_user("intake", role="community_worker", scope_area=c)
print("TOKEN", Token.objects.create(user=u).key)
""".replace("AREA_CODE", AREA)


def django_env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "intake_settings",
        "PYTHONPATH": f"{ROOT / 'bench'}{os.pathsep}{ROOT}",
        "LOG_LEVEL": "WARNING",
    }


def prepare(database_url: str) -> str:
    env = django_env(database_url)
    run = [sys.executable, "-m", "wushe", "migrate", "-v0"]
    subprocess.run(run, env=env, check=True, cwd=ROOT)
    out = subprocess.run(
        [sys.executable, "-c", SEED], env=env, check=True, capture_output=True, text=True, cwd=ROOT
    )
    return next(line.split()[1] for line in out.stdout.splitlines() if line.startswith("TOKEN"))


def cpu_seconds(server_pid: int) -> tuple[float, float]:
    """CPU seconds (user + system) used so far by the gunicorn processes (the master and its
    workers) and by all PostgreSQL processes on this machine (the scratch database's
    backends, and the server's own writers): sampled around a run, divided by the answers,
    the CPU each path costs under load, steadier than throughput on a shared machine."""
    tick = os.sysconf("SC_CLK_TCK")
    web = database = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat.rsplit(")", 1)[1].split()
        used = (int(fields[11]) + int(fields[12])) / tick
        if int(entry.name) == server_pid or int(fields[1]) == server_pid:
            web += used
        elif name.startswith("postgres"):
            database += used
    return web, database


def measured(load, server_pid: int, *args) -> dict:  # noqa: ANN001 - drive or drive_wrk
    before = cpu_seconds(server_pid)
    result = load(*args)
    after = cpu_seconds(server_pid)
    answered = max(result["sent"] - result.get("errors", 0), 1)
    result["web_cpu_ms"] = (after[0] - before[0]) / answered * 1000
    result["db_cpu_ms"] = (after[1] - before[1]) / answered * 1000
    return result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(
    database_url: str, port: int, workers: int, worker_class: str, threads: int
) -> subprocess.Popen:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    proc = subprocess.Popen(
        [
            str(gunicorn),
            "wushe.wsgi",
            "-w",
            str(workers),
            "-k",
            worker_class,
            "--threads",
            str(threads),
            "-b",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
            "--log-level",
            "warning",
        ],  # fmt: skip
        env=django_env(database_url),
        cwd=ROOT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def body(rng: random.Random, n: int) -> dict:
    return {
        "area": AREA,
        "category": rng.choice(CATEGORIES),
        "caller_name": rng.choice("王李张刘陈杨") + rng.choice(["大爷", "阿姨", "先生"]),
        "caller_phone": f"139{rng.randint(0, 99_999_999):08d}",
        "address": f"一村1号楼{rng.randint(1, 6)}0{rng.randint(1, 4)}",
        "description": f"第{n}号求助：需要帮忙",
        "days_medicine_left": rng.choice([None, 1, 3, 7]),
        "days_food_left": rng.choice([None, 0, 2, 5]),
        "medical_emergency": rng.random() < 0.02,
    }


def client_worker(args: tuple) -> dict:
    """One load process: ``threads`` keep-alive connections for ``seconds``."""
    port, path, token, seconds, threads, seed = args
    stop_at = time.monotonic() + seconds
    latencies: list[float] = []
    accepted_keys: set[str] = set()
    lock = threading.Lock()
    counts = {"sent": 0, "retries": 0, "errors": 0, "replayed": 0}

    def loop(tid: int) -> None:
        rng = random.Random(seed * 1000 + tid)  # noqa: S311 - load shape, not crypto
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        n = 0
        while time.monotonic() < stop_at and counts["sent"] < MAX_REQUESTS:
            n += 1
            key = str(uuid.uuid4())
            payload = json.dumps(body(rng, n)).encode()
            tries = 2 if rng.random() < 0.1 else 1
            for attempt in range(tries):
                headers = {"Content-Type": "application/json", "Idempotency-Key": key}
                if token:
                    headers["Authorization"] = f"Token {token}"
                started = time.perf_counter()
                try:
                    conn.request("POST", path, body=payload, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    status = response.status
                    replayed = response.getheader("Idempotent-Replayed") == "true"
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    status, replayed = 0, False
                elapsed = time.perf_counter() - started
                with lock:
                    counts["sent"] += 1
                    counts["retries"] += attempt
                    if status == 201:
                        latencies.append(elapsed)
                        accepted_keys.add(key)
                        counts["replayed"] += replayed
                    else:
                        counts["errors"] += 1

    workers = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return {"latencies": latencies, "keys": sorted(accepted_keys), **counts}


def drive(port: int, path: str, token: str, seconds: float, concurrency: int) -> dict:
    """A second process (two, with threads each) drives the server on loopback."""
    procs = 2
    jobs = [(port, path, token, seconds, concurrency // procs, i + 1) for i in range(procs)]
    started = time.monotonic()
    with multiprocessing.get_context("spawn").Pool(procs) as pool:
        parts = pool.map(client_worker, jobs)
    wall = time.monotonic() - started
    lat = sorted(x for p in parts for x in p["latencies"])
    keys = {k for p in parts for k in p["keys"]}

    def pct(q: float) -> float:
        return lat[min(len(lat) - 1, int(q * len(lat)))] * 1000 if lat else float("nan")

    return {
        "accepted": len(lat),
        "accepted_per_s": len(lat) / wall,
        "p50_ms": pct(0.5),
        "p99_ms": pct(0.99),
        "distinct_keys": len(keys),
        "sent": sum(p["sent"] for p in parts),
        "retries": sum(p["retries"] for p in parts),
        "replayed": sum(p["replayed"] for p in parts),
        "errors": sum(p["errors"] for p in parts),
        "seconds": wall,
    }


def drive_wrk(port: int, path: str, token: str, seconds: float, concurrency: int) -> dict:
    """wrk on loopback, one connection per thread (see ``bench/intake.lua``)."""
    with tempfile.TemporaryDirectory(prefix="intake-wrk-") as out:
        seed = str(random.randint(1, 10**6))  # noqa: S311 - load shape, not crypto
        cmd = [
            "wrk", "-t", str(concurrency), "-c", str(concurrency), "-d", f"{seconds:g}s",
            "--timeout", "30s", "-s", str(ROOT / "bench" / "intake.lua"),
            f"http://127.0.0.1:{port}{path}", "--", token or "-", out, seed, AREA,
        ]  # fmt: skip
        done = subprocess.run(cmd, check=True, capture_output=True, text=True)
        line = next((x for x in done.stdout.splitlines() if x.startswith("WRK ")), None)
        if line is None:
            raise SystemExit(f"wrk gave no result:\n{done.stdout}\n{done.stderr}")
        r = json.loads(line[4:])
        keys: set[str] = set()
        for name in os.listdir(out):
            keys.update(Path(out, name).read_text().split())
    wall = r["us"] / 1e6
    return {
        "accepted": r["accepted"],
        "accepted_per_s": r["accepted"] / wall,
        "p50_ms": r["p50_us"] / 1000,
        "p99_ms": r["p99_us"] / 1000,
        "distinct_keys": len(keys),
        "sent": r["sent"],
        "retries": r["retries"],
        "replayed": r["replayed"],
        "errors": r["failed"] + r["socket_errors"],
        "seconds": wall,
        "inflight": r["inflight"],
        "keys": keys,
    }


def count_rows(database_url: str) -> int:
    import psycopg

    # Requests the client stopped waiting for may still be written: count once the number
    # has held for a second (bounded).
    with psycopg.connect(
        database_url.replace("postgres://", "postgresql://", 1), autocommit=True
    ) as conn:
        last = -1
        for _ in range(30):
            now = conn.execute("SELECT count(*) FROM needs_need").fetchone()[0]
            if now == last:
                return now
            last = now
            time.sleep(1)
        return last


def stored_keys(database_url: str, keys: list[str]) -> set[str]:
    """Which of ``keys`` (in flight when wrk stopped) the server stored after all."""
    import psycopg

    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as conn:
        sql = "SELECT key FROM needs_idempotencykey WHERE key = ANY(%s)"
        return {row[0] for row in conn.execute(sql, (keys,))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--pg", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432/test")
    )
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--worker-class", default="gthread", choices=["gthread", "sync"])
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--client", choices=["wrk", "python"], default="wrk")
    args = parser.parse_args()
    load = drive_wrk
    if args.client == "wrk" and shutil.which("wrk") is None:
        print(
            "wrk is not installed (apt-get install -y wrk): falling back to the Python load "
            "client, which takes a large share of the same CPU cores",
            file=sys.stderr,
        )
        args.client = "python"
    if args.client == "python":
        load = drive
    database_url = scratch_url(args.pg)
    recreate_database(args.pg)
    token = prepare(database_url)
    port = free_port()
    server = start_gunicorn(database_url, port, args.workers, args.worker_class, args.threads)
    try:
        load(port, "/bench/floor/", "", 2, args.concurrency)  # warm-up (connections, caches)
        before = count_rows(database_url)
        floor = measured(
            load, server.pid, port, "/bench/floor/", "", args.seconds, args.concurrency
        )
        floor_rows = count_rows(database_url) - before
        before = count_rows(database_url)
        api = measured(
            load, server.pid, port, "/api/v1/needs/", token, args.seconds, args.concurrency
        )
        api_rows = count_rows(database_url) - before
    finally:
        server.terminate()
        server.wait(timeout=30)
    cores = os.cpu_count()
    kind = (
        f"{args.worker_class} × {args.threads} threads"
        if args.worker_class == "gthread"
        else "sync"
    )
    print(f"intake on PostgreSQL, gunicorn {args.workers} {kind} workers, {cores} cores, "
          f"{args.client} client, {args.concurrency} connections, {args.seconds:.0f} s per run")  # fmt: skip
    print(
        f"{'':<26}{'accepted/s':>11}{'p50 ms':>9}{'p99 ms':>9}{'sent':>8}{'errors':>8}"
        f"{'web CPU ms':>12}{'PG CPU ms':>11}"
    )
    # The floor has no idempotency: each of its retries is a second row, so its count check
    # is rows == accepted answers.
    for name, r in (("POST /api/v1/needs/", api), ("floor (insert one row)", floor)):
        print(
            f"{name:<26}{r['accepted_per_s']:>11.0f}{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}"
            f"{r['sent']:>8}{r['errors']:>8}{r['web_cpu_ms']:>12.2f}{r['db_cpu_ms']:>11.2f}"
        )
    print(f"API vs floor throughput: {api['accepted_per_s'] / floor['accepted_per_s']:.0%}")
    # A request still in flight when the client stopped may have been stored; its key is then
    # in the server's key table (never a key the client did not send).
    late = stored_keys(database_url, api.get("inflight", [])) - set(api.get("keys", ()))
    lost_or_dup = api_rows - api["distinct_keys"] - len(late)
    print(
        f"count check (API): rows stored {api_rows} == distinct accepted keys "
        f"{api['distinct_keys']} + {len(late)} stored after the client stopped waiting "
        f"({len(api.get('inflight', []))} in flight) -> "
        f"{'OK' if lost_or_dup == 0 else 'MISMATCH'} "
        f"(retries sent {api['retries']}, answered from the stored key {api['replayed']})"
    )
    floor_inflight = len(floor.get("inflight", []))
    floor_ok = floor["accepted"] <= floor_rows <= floor["accepted"] + floor_inflight
    print(f"floor rows {floor_rows} == accepted {floor['accepted']} (+ up to {floor_inflight} "
          f"in flight) -> {'OK' if floor_ok else 'MISMATCH'}")  # fmt: skip
    brief = {k: v for k, v in api.items() if k not in ("keys", "inflight")}
    floor_brief = {k: v for k, v in floor.items() if k not in ("keys", "inflight")}
    print("RESULT " + json.dumps({"api": brief, "floor": floor_brief, "api_rows": api_rows}))
    if lost_or_dup or not floor_ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
