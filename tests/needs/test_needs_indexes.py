"""The intake's indexes: the merge candidates every intake lists are found through one index
on (caller phone, category) or (resident, category), also while the table's statistics lag
behind a surge of requests (PostgreSQL otherwise combined the area's index, whose entries
grow with the table, with the phone's); and the indexes no query uses are gone, since every
intake writes each of them (needs_need, the action log, the idempotency keys)."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wushe.needs import selectors
from wushe.needs.models import Need

ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's planner and index operator classes"
)

SURGE = 10000  # requests in one building, not analyzed
CALLERS = 50  # callers, and residents, who asked SURGE / CALLERS / 2 times each
CATEGORIES = ["medicine", "groceries", "escort", "other"]


def _phone_index(n: int) -> str:
    return hashlib.sha256(str(n).encode()).hexdigest()  # a blind index's shape: 64 hex digits


def _indexes(table: str) -> dict[str, dict]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return {name: info for name, info in found.items() if info["index"] or info["unique"]}


def _on(table: str, *columns: str) -> list[str]:
    return [name for name, info in _indexes(table).items() if info["columns"] == list(columns)]


@pytest.mark.django_db
def test_needs_need_indexes_fit_the_queries():
    assert _on("needs_need", "caller_phone_index", "category", "id")
    assert _on("needs_need", "resident_id", "category", "id")  # the foreign key's too
    assert _on("needs_need", "status", "priority")  # every filter on status
    for alone in ("caller_phone_index", "resident_id", "status"):
        assert _on("needs_need", alone) == [], alone
    # The tracking code: its unique constraint and nothing else.
    (code,) = _on("needs_need", "tracking_code")
    assert _indexes("needs_need")[code]["unique"]


@pytest.mark.django_db
def test_action_log_and_idempotency_keys_have_one_index_per_use():
    assert len(_on("core_actionlog", "action")) == 1
    assert len(_on("core_actionlog", "area_path")) == 1
    assert _on("needs_idempotencykey", "user_id") == []  # the (user, key) constraint leads
    assert [_indexes("needs_idempotencykey")[n]["unique"] for n in _on(
        "needs_idempotencykey", "user_id", "key"
    )] == [True]  # fmt: skip


def _pattern_indexes(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
            [table, "%varchar_pattern_ops%"],
        )
        return dict(cursor.fetchall())


@ON_POSTGRESQL
@pytest.mark.django_db
def test_no_like_twins_where_nothing_searches_by_prefix():
    # Django adds a varchar_pattern_ops twin to each unique or db_index varchar on PostgreSQL.
    assert _pattern_indexes("needs_need") == {}
    assert _pattern_indexes("needs_idempotencykey") == {}
    # The action log's path is searched by prefix only (scoping): one pattern index serves it.
    (definition,) = _pattern_indexes("core_actionlog").values()
    assert "(area_path varchar_pattern_ops)" in definition


def _plan_indexes(sql: str) -> list[str]:
    """The indexes the plan of ``sql`` reads, in no particular order."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        (plan,) = cursor.fetchone()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    found, nodes = [], [plan[0]["Plan"]]
    while nodes:
        node = nodes.pop()
        if "Index Name" in node:
            found.append(node["Index Name"])
        nodes.extend(node.get("Plans", []))
    return found


def _index_columns(table: str) -> dict[str, tuple[str, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, array_agg(a.attname ORDER BY k.n) "
            "FROM pg_index i CROSS JOIN unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) "
            "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
            "WHERE i.indrelid = %s::regclass GROUP BY 1",
            [table],
        )
        return {name.split(".")[-1]: tuple(columns) for name, columns in cursor.fetchall()}


@ON_POSTGRESQL
@pytest.mark.django_db
@pytest.mark.parametrize("by", ["caller_phone_index", "resident_id"])
@pytest.mark.parametrize("caller", ["known", "new"])
def test_merge_candidates_use_one_index_of_both_columns_with_stale_statistics(
    by, caller, people, street
):
    # A table without statistics (never analyzed, as after a surge that autovacuum has not
    # caught up with): a temporary copy of needs_need with the same columns and indexes, no
    # statistics and no autovacuum, which the compiled query reads instead of the table
    # (pg_temp comes first in the search path) until the test's transaction ends.
    with connection.cursor() as cursor:
        cursor.execute(
            'CREATE TEMPORARY TABLE "needs_need" (LIKE public."needs_need" INCLUDING ALL)'
        )
        cursor.execute(
            'INSERT INTO "needs_need" (created_at, updated_at, area_id, resident_id, '
            "caller_phone_index, category, description, medical_emergency, critical_condition, "
            "channel, tracking_code, hotline_order_no, status, outcome, outcome_note, priority, "
            "priority_breakdown) "
            "SELECT now(), now(), %s, CASE WHEN g %% 2 = 0 THEN g %% %s END, "
            "CASE WHEN g %% 2 = 1 THEN encode(sha256((g %% %s)::text::bytea), 'hex') END, "
            "(%s::varchar[])[1 + g %% 4], '', false, false, "
            "'phone', lpad(g::text, 12, '0'), '', 'triaged', '', '', g %% 100, '{}' "
            "FROM generate_series(1, %s) AS g",
            [street.building_a1.pk, CALLERS, CALLERS, CATEGORIES, SURGE],
        )
    # Callers (odd rows) and residents (even rows) who asked several times each (so that the
    # statistics, once gathered, know their most common values). A new request of one who
    # asked before, or of a new caller: found through the index of all three columns, which
    # gives the latest few in order (neither the area's index nor a walk of the primary key).
    last = SURGE - 1 if by == "caller_phone_index" else SURGE
    who = last % CALLERS if caller == "known" else CALLERS + 7
    need = Need(pk=SURGE + 1, area=street.building_a1, category=CATEGORIES[last % 4])
    if by == "resident_id":
        need.resident_id = who
    else:
        need.caller_phone_index = _phone_index(who)
    expected = [
        f"{g:012d}"
        for g in range(SURGE, 0, -1)
        if g % 2 == (1 if by == "caller_phone_index" else 0)
        and g % CALLERS == who
        and g % 4 == last % 4
    ][:5]
    statements = []
    # What the intake sends (with the new request's key) and what the API answer lists.
    for read in (
        lambda: selectors.need_intake_reads(
            need, people.worker_a, area=street.building_a1.code
        ).merge_candidates,
        lambda: selectors.need_merge_candidates_recent(need, people.worker_a),
    ):
        with CaptureQueriesContext(connection) as ctx:
            assert [n.tracking_code for n in read()] == expected
        statements.append(ctx.captured_queries[-1]["sql"])
    columns = _index_columns("pg_temp.needs_need")
    for analyzed in (False, True):
        for sql in statements:
            used = [columns[name] for name in _plan_indexes(sql) if name in columns]
            assert ("area_id",) not in used and ("id",) not in used, (analyzed, used, sql)
            assert (by, "category", "id") in used, (analyzed, used, sql)
        with connection.cursor() as cursor:
            cursor.execute('ANALYZE "needs_need"')
