"""DB_PREPARED_STATEMENTS (docs/operations.md): on PostgreSQL, server-side binding with
statements prepared from their second run on a connection; Django's client-side cursor when
off; SQLite ignores it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.db.backends.postgresql.base import Cursor as ClientSideCursor
from django.db.backends.postgresql.base import ServerBindingCursor

POSTGRES_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)

# What the settings make of the variable, read in a fresh process.
READ_OPTIONS = (
    "import json; from django.conf import settings; "
    "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {}), default=str))"
)
# A fresh process's connection to the test database: which side binds the parameters (a
# psycopg ClientCursor binds them in Python), the cursor class and the threshold.
READ_CONNECTION = (
    "import django, psycopg; django.setup(); from django.db import connection; "
    "connection.settings_dict['NAME'] = NAME; connection.ensure_connection(); "
    "c = connection.connection.cursor(); "
    "print('client' if isinstance(c, psycopg.ClientCursor) else 'server', "
    "type(c).__module__ + '.' + type(c).__name__, connection.connection.prepare_threshold)"
)


def run(code: str, **env: str) -> str:
    """``code``'s output in a fresh process with dev settings and ``env`` (an empty value
    unsets the variable)."""
    base = {k: v for k, v in os.environ.items() if k not in env}
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**base, "DJANGO_SETTINGS_MODULE": "wushe.settings.dev"}
        | {k: v for k, v in env.items() if v},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def options(database_url: str, prepared: str) -> dict:
    return json.loads(run(READ_OPTIONS, DATABASE_URL=database_url, DB_PREPARED_STATEMENTS=prepared))


def test_on_by_default_on_postgresql_beside_the_url_s_options():
    assert options("postgres://wushe@db.example:5432/wushe?sslmode=require", "") == {
        "sslmode": "require",
        "server_side_binding": True,
        "prepare_threshold": 1,
    }


def test_off_leaves_django_s_client_side_binding():
    url = "postgres://wushe@db.example:5432/wushe"
    assert options(url, "0") == {}


def test_sqlite_ignores_it():
    got = options("sqlite:////tmp/wushe-prepared.sqlite3", "1")
    assert "server_side_binding" not in got
    assert "prepare_threshold" not in got


@POSTGRES_ONLY
@pytest.mark.django_db
def test_the_setting_reaches_the_connection():
    """This run's setting (on unless DB_PREPARED_STATEMENTS=0): the cursor class, the
    threshold, and a statement run twice is prepared on the server."""
    connection.ensure_connection()
    raw = connection.connection
    on = settings.DB_PREPARED_STATEMENTS
    assert connection.features.uses_server_side_binding is on
    with connection.cursor() as cursor:
        assert type(cursor.cursor) is (ServerBindingCursor if on else ClientSideCursor)
        assert isinstance(cursor.cursor, psycopg.ClientCursor) is not on
        assert raw.prepare_threshold == (1 if on else None)
        sql = "SELECT count(*) FROM django_migrations WHERE app = %s"
        for app in ("needs", "areas"):
            cursor.execute(sql, [app])
            cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%FROM django_migrations WHERE app = $1%"],
        )
        assert cursor.fetchone()[0] == (1 if on else 0)


@POSTGRES_ONLY
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", "server django.db.backends.postgresql.base.ServerBindingCursor 1"),
        ("0", "client django.db.backends.postgresql.base.Cursor None"),
    ],
)
def test_each_value_on_a_live_connection(value, expected):
    """Both values, whatever this run's: a fresh process connected to the test database."""
    code = f"NAME = {connection.settings_dict['NAME']!r}; {READ_CONNECTION}"
    assert run(code, DB_PREPARED_STATEMENTS=value) == expected
