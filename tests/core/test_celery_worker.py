"""A real Celery worker against the local Redis runs an area import end to end.

Skipped when Redis is not reachable, unless WUSHE_REQUIRE_SERVICES=1 (CI) makes that a failure.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import pytest
from celery.result import EagerResult
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from tests.factories import AreaFactory, UserFactory
from wushe.accounts.roles import Role
from wushe.areas.levels import Level
from wushe.areas.models import Area
from wushe.areas.tasks import JOB_KIND, import_areas_job
from wushe.celery import app
from wushe.core.jobs import job_create
from wushe.core.models import Job

REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
pytestmark = [pytest.mark.slow, pytest.mark.redis]


def _redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def _database_url() -> str:
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker_queue():
    if not _redis_available():
        if os.environ.get("WUSHE_REQUIRE_SERVICES") == "1":
            pytest.fail(f"Redis is required (WUSHE_REQUIRE_SERVICES=1) but {REDIS_URL} is down")
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "wushe.settings.test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
    }
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "wushe",
            "worker",
            "-Q",
            queue,
            "--pool",
            "solo",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "warning",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    # The app reads Django settings under the CELERY_ namespace, so its keys carry the prefix.
    saved = app.conf.CELERY_TASK_ALWAYS_EAGER
    app.conf.CELERY_TASK_ALWAYS_EAGER = False
    try:
        yield queue
    finally:
        app.conf.CELERY_TASK_ALWAYS_EAGER = saved
        worker.terminate()
        try:
            output, _ = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
        print(output.decode(errors="replace"))  # noqa: T201 - pytest shows it on failure


@pytest.mark.django_db(transaction=True)
def test_area_import_runs_on_a_real_worker(worker_queue):
    street = AreaFactory(
        code="310115901000", name="明珠街道", level=Level.STREET, path="/310115901000/"
    )
    AreaFactory(code="310115901001", name="明珠一村", level=Level.COMMUNITY, parent=street)
    user = UserFactory(username="command", role=Role.STREET_COMMAND, scope_area=street)
    rows = ["代码,名称,层级", "310115901001001,一村第1网格,网格"]
    rows += [f"310115901001001{n:04d},一村{n}号楼,楼栋" for n in range(1, 301)]
    upload = SimpleUploadedFile("buildings.csv", "\n".join(rows).encode("utf-8"))
    job = job_create(
        actor=user, kind=JOB_KIND, upload=upload, params={"dry_run": False}, area_path=street.path
    )

    # An explicit connection: the app's own broker setting may already have been read as
    # "none configured" by earlier tests in this process.
    with app.connection_for_write(REDIS_URL) as broker:
        sent = import_areas_job.apply_async(args=[job.pk], queue=worker_queue, connection=broker)
    assert not isinstance(sent, EagerResult)  # it went through Redis; only the worker can run it

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in (Job.Status.DONE, Job.Status.FAILED):
            break
        time.sleep(0.2)
    assert job.status == Job.Status.DONE, job.error
    assert job.result["created"] == 301 and job.result["rejected"] == []
    assert Area.objects.filter(level=Level.BUILDING).count() == 300
