"""PrecompiledQuery: the same rows and related objects as the QuerySet it was built from, one
query per call, every call reading the database afresh; shapes it cannot keep are refused."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tests.needs.factories_needs import make_need
from wushe.areas.models import Area
from wushe.core.models import ActionLog
from wushe.core.precompiled import (
    VALUES_ROWS,
    PrecompiledInsert,
    PrecompiledQuery,
    StartsWith,
    insert_together,
)
from wushe.core.privacy import ProtectedFieldsMixin
from wushe.core.privacy.keys import decrypt
from wushe.needs.models import IdempotencyKey, Need, NeedEvent, Status

TOKENS = PrecompiledQuery(
    lambda key: Token.objects.select_related("user__scope_area").filter(key=key)
)


def _fields(obj):
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_same_objects_as_the_queryset_in_one_query(people):
    for user in (people.worker_a, people.admin):  # with and without a scope area
        key = Token.objects.create(user=user).key
        expected = Token.objects.select_related("user__scope_area").get(key=key)
        with CaptureQueriesContext(connection) as ctx:
            token = TOKENS.first(key)
            area = token.user.scope_area
        assert len(ctx.captured_queries) == 1
        assert _fields(token) == _fields(expected)
        assert _fields(token.user) == _fields(expected.user)
        assert token.user.password == user.password
        if user.scope_area_id is None:
            assert area is None
        else:
            assert _fields(area) == _fields(expected.user.scope_area)
        assert token._state.db == "default" and not token._state.adding


def test_reads_afresh_and_finds_nothing_for_an_unknown_value(people, street):
    key = Token.objects.create(user=people.worker_a).key
    assert TOKENS.first("no-such-key") is None and TOKENS.all("no-such-key") == []
    # An update, not save(): deactivating through save() also deletes the token.
    type(people.worker_a).objects.filter(pk=people.worker_a.pk).update(
        scope_area=street.community_b, is_active=False
    )
    token = TOKENS.first(key)
    assert token.user.scope_area == street.community_b and not token.user.is_active


def test_values_of_its_own_stay_and_integer_arguments(street):
    by_parent = PrecompiledQuery(
        lambda level, parent: Area.objects.filter(level=level, parent_id=parent, is_active=True)
        .exclude(code="none")
        .order_by("code"),
        types=(str, int),
    )
    for parent in (street.street, street.community_a):
        expected = list(
            Area.objects.filter(level="community", parent_id=parent.pk, is_active=True)
            .exclude(code="none")
            .order_by("code")
        )
        assert by_parent.all("community", parent.pk) == expected
    assert by_parent.all("community", street.street.pk)  # two communities


def test_refuses_an_argument_that_does_not_reach_the_sql_once(db):
    twice = PrecompiledQuery(lambda code: Area.objects.filter(Q(code=code) | Q(name=code)))
    with pytest.raises(ValueError, match="each argument"):
        twice.first("310115901000")
    unused = PrecompiledQuery(lambda code: Area.objects.filter(level="street"))
    with pytest.raises(ValueError, match="each argument"):
        unused.first("310115901000")


def _stored(model, pk):
    """The row as the database holds it (encrypted columns as stored), without ids/times."""
    meta = model._meta
    cols = [f.column for f in meta.concrete_fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(cols)} FROM {meta.db_table} WHERE {meta.pk.column} = %s",  # noqa: S608 - names from the model
            [pk],
        )
        row = dict(zip(cols, cursor.fetchone(), strict=True))
    skip = {"id", "created_at", "updated_at", "at", "tracking_code", "key"}
    return {k: v for k, v in row.items() if k not in skip}


ENCRYPTED = {
    (Need, "caller_name"),
    (Need, "caller_phone"),
    (Need, "address"),
    (IdempotencyKey, "response_body"),
}


def test_insert_stores_what_save_stores(people, street):
    def need(code):
        return Need(
            area=street.building_a1, category="medicine", channel="phone",
            caller_name="王大爷", caller_phone="139 0000 1111", address="一村1号楼302",
            description="药", priority=5, priority_breakdown={"reasons": [{"code": "x"}]},
            taken_in_by=people.worker_a, tracking_code=code,
        )  # fmt: skip

    made = [
        (need("AAAA1111"), need("AAAA2222")),
        *[
            (cls(**kw), cls(**kw))
            for cls, kw in [
                (ActionLog, {"action": "a.b.c", "actor": people.worker_a, "data": {"n": [1]}}),
                (IdempotencyKey, {"user": people.worker_a, "key": "k", "scope": "s",
                                  "body_hash": "h", "status_code": 201,
                                  "response_body": {"id": 1, "ok": True}}),
            ]
        ],
    ]  # fmt: skip
    for fast, slow in made:
        model = type(fast)
        if model is IdempotencyKey:
            slow.key = "k2"
        with CaptureQueriesContext(connection) as ctx:
            assert PrecompiledInsert(model).insert(fast) is fast
        assert len(ctx.captured_queries) == 1
        slow.save(force_insert=True)
        assert fast.pk is not None and fast.pk != slow.pk and not fast._state.adding
        a, b = _stored(model, fast.pk), _stored(model, slow.pk)
        for column, value in a.items():
            if (model, column) in ENCRYPTED:
                assert decrypt(value) == decrypt(b[column])  # Fernet tokens differ per call
            else:
                assert value == b[column], column
        fresh = model.objects.get(pk=fast.pk)
        assert {f.attname: getattr(fresh, f.attname) for f in model._meta.concrete_fields} == {
            f.attname: getattr(fast, f.attname) for f in model._meta.concrete_fields
        }


def test_insert_falls_back_to_save_while_a_receiver_listens(people):
    seen = []

    def receiver(sender, instance, created, **kw):
        seen.append((instance.action, created))

    post_save.connect(receiver, sender=ActionLog)
    try:
        PrecompiledInsert(ActionLog).insert(ActionLog(action="x.y.z"))
    finally:
        post_save.disconnect(receiver, sender=ActionLog)
    assert seen == [("x.y.z", True)]
    PrecompiledInsert(ActionLog).insert(ActionLog(action="x.y.w"))
    assert seen == [("x.y.z", True)] and ActionLog.objects.filter(action="x.y.w").exists()


def test_a_build_that_holds_a_moving_value_is_refused(people):
    from django.utils import timezone

    since = PrecompiledQuery(lambda key: Token.objects.filter(key=key, created__lt=timezone.now()))
    with pytest.raises(ValueError, match="different query"):
        since.all("k")


def test_first_refuses_a_lookup_that_is_not_unique(people, street):
    by_level = PrecompiledQuery(lambda level: Area.objects.filter(level=level))
    with pytest.raises(ValueError, match="unique"):
        by_level.first("building")


def test_a_model_with_a_save_of_its_own_is_inserted_by_save(people, street, monkeypatch):
    plain = Need.save

    def save(self, *args, **kwargs):  # an override the precompiled INSERT would skip
        self.description = self.description.strip()
        plain(self, *args, **kwargs)

    monkeypatch.setattr(Need, "save", save, raising=False)
    need = Need(
        area=street.building_a1, category="medicine", channel="phone", description="  药  ",
        taken_in_by=people.worker_a, tracking_code="SAVE0001", priority=1,
    )  # fmt: skip
    PrecompiledInsert(Need, plain_saves=(ProtectedFieldsMixin,)).insert(need)
    assert Need.objects.get(pk=need.pk).description == "药"


def test_a_failed_insert_marks_the_atomic_block_for_rollback_as_save_does(people):
    def attempt(insert) -> str:
        with transaction.atomic():
            dup = IdempotencyKey(user=people.worker_a, key="dup", scope="s", body_hash="h")
            with pytest.raises(IntegrityError):
                insert(dup)
            try:
                IdempotencyKey.objects.count()
            except DatabaseError as exc:
                return type(exc).__name__
            return "carried on"

    IdempotencyKey.objects.create(user=people.worker_a, key="dup", scope="s", body_hash="h")
    by_save = attempt(lambda obj: obj.save(force_insert=True))
    by_insert = attempt(PrecompiledInsert(IdempotencyKey).insert)
    assert by_insert == by_save == "TransactionManagementError"


def test_a_startswith_argument_gives_the_rows_of_the_queryset_escaped_for_like(street):
    under = PrecompiledQuery(
        lambda level, prefix: Area.objects.filter(level=level, path__startswith=prefix).order_by(
            "path"
        ),
        types=(str, StartsWith),
    )
    for level, prefix in [
        ("building", street.community_a.path),
        ("building", street.street.path),
        ("grid", street.community_b.path),
        ("building", "/no-such/"),
    ]:
        expected = list(Area.objects.filter(level=level, path__startswith=prefix).order_by("path"))
        assert under.all(level, prefix) == expected
    # LIKE wildcards in the value are matched literally, as Django's lookup does.
    wild = street.community_a.path[:-2] + "_/"
    assert not Area.objects.filter(path__startswith=wild).exists()
    assert under.all("building", wild) == [] and under.all("building", "%") == []


def test_a_startswith_position_must_reach_the_sql_as_a_prefix(db):
    equal = PrecompiledQuery(lambda path: Area.objects.filter(path=path), types=(StartsWith,))
    with pytest.raises(ValueError, match="each argument"):
        equal.all("/310115000000/")


def test_insert_together_stores_the_rows_of_separate_inserts_in_one_statement(people, street):
    need = make_need(people.worker_a, street.building_a1)
    events = [
        NeedEvent(need=need, action=f"e{i}", actor=people.worker_a, at=timezone.now())
        for i in range(3)
    ]
    log = ActionLog(action="a.b.together", actor=people.worker_a, data={"n": 1})
    event_insert = PrecompiledInsert(NeedEvent)
    with CaptureQueriesContext(connection) as ctx:
        insert_together((event_insert, events), (PrecompiledInsert(ActionLog), [log]))
    assert len(ctx.captured_queries) == (1 if connection.vendor == "postgresql" else 4)
    # Keys set on the objects, in the order given (the history's order among equal times).
    assert all(e.pk for e in events) and [e.pk for e in events] == sorted(e.pk for e in events)
    stored = NeedEvent.objects.filter(need=need, action__startswith="e").order_by("id")
    assert [(e.pk, e.action) for e in stored] == [(e.pk, e.action) for e in events]
    alone = ActionLog(action="a.b.alone", actor=people.worker_a, data={"n": 1})
    PrecompiledInsert(ActionLog).insert(alone)
    assert _stored(ActionLog, log.pk) == {**_stored(ActionLog, alone.pk), "action": "a.b.together"}
    assert not log._state.adding and all(not e._state.adding for e in events)
    again = [NeedEvent(need=need, action=f"f{i}", at=timezone.now()) for i in range(3)]
    insert_together((event_insert, again))  # the multi-row statement compiled above, reused
    stored = NeedEvent.objects.filter(need=need, action__startswith="f").order_by("id")
    assert [(e.pk, e.action, e.actor_id) for e in stored] == [(e.pk, e.action, None) for e in again]


def test_insert_together_is_one_statement_a_failure_stores_nothing(people):
    PrecompiledInsert(IdempotencyKey).insert(
        IdempotencyKey(user=people.worker_a, key="dup", scope="s", body_hash="h")
    )
    before = ActionLog.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_together(
            (PrecompiledInsert(ActionLog), [ActionLog(action="a.b.c")]),
            (
                PrecompiledInsert(IdempotencyKey),
                [IdempotencyKey(user=people.worker_a, key="dup", scope="s", body_hash="h")],
            ),
        )
    assert ActionLog.objects.count() == before


def test_insert_together_saves_one_by_one_while_a_receiver_listens(people):
    seen = []

    def receiver(sender, instance, created, **kw):
        seen.append(instance.action)

    post_save.connect(receiver, sender=ActionLog)
    try:
        insert_together(
            (PrecompiledInsert(ActionLog), [ActionLog(action="x.1"), ActionLog(action="x.2")])
        )
    finally:
        post_save.disconnect(receiver, sender=ActionLog)
    assert seen == ["x.1", "x.2"]


POSTGRES = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="keys taken beforehand come from sequences"
)


@POSTGRES
def test_read_after_next_key_gives_the_rows_of_all_and_a_key_no_insert_takes(street):
    from wushe.core.precompiled import read_after_next_key

    codes = PrecompiledQuery(
        lambda prefix: Area.objects.filter(path__startswith=prefix).order_by("-path"),
        types=(StartsWith,),
    )
    key, [found] = read_after_next_key(Need, codes.bind(street.community_a.path, many=True))
    assert [a.pk for a in found] == [a.pk for a in codes.all(street.community_a.path)]
    assert len(found) > 1 and all(a.path for a in found)  # objects as all() builds them
    again, [none] = read_after_next_key(Need, codes.bind("/nowhere/", many=True))
    assert none == [] and again > key
    need = make_need(None, street.building_a1)
    assert need.pk not in (key, again) and need.pk > again


@POSTGRES
def test_read_after_next_key_reads_lookups_once_beside_the_rows_of_one_query(street):
    from wushe.core.precompiled import read_after_next_key

    codes = PrecompiledQuery(
        lambda prefix: Area.objects.filter(path__startswith=prefix).order_by("-path"),
        types=(StartsWith,),
    )
    by_code = PrecompiledQuery(lambda code: Area.objects.select_related("parent").filter(code=code))
    prefix, code = street.community_a.path, street.building_a1.code
    expected = [a.pk for a in codes.all(prefix)]
    assert len(expected) > 2
    # Whatever the order of the parts: each part's own rows, in its own order, and the
    # lookup's one object (with its related row) once, not once per row of the other part.
    key, (rows, [area]) = read_after_next_key(
        Need, codes.bind(prefix, many=True), by_code.bind(code)
    )
    again, (missing, rows_again) = read_after_next_key(
        Need, by_code.bind("NO-SUCH-CODE"), codes.bind(prefix, many=True)
    )
    assert [a.pk for a in rows] == [a.pk for a in rows_again] == expected
    assert area.pk == street.building_a1.pk and area.parent.pk == street.building_a1.parent_id
    assert missing == [] and again > key
    # Nothing found by the part of several rows: the lookup is still read.
    _, (no_rows, [found]) = read_after_next_key(
        Need, codes.bind("/nowhere/", many=True), by_code.bind(code)
    )
    assert no_rows == [] and found.pk == street.building_a1.pk
    # A lookup that finds several rows is refused, as first() refuses it; so are two parts of
    # several rows (their rows would multiply).
    with pytest.raises(ValueError, match="several rows"):
        read_after_next_key(Need, codes.bind(prefix))
    with pytest.raises(ValueError, match="at most one part"):
        read_after_next_key(Need, codes.bind(prefix, many=True), codes.bind(prefix, many=True))


@POSTGRES
def test_read_after_next_key_runs_a_lookup_once_whatever_the_rows_of_the_other_part(street):
    import json

    from django.test.utils import CaptureQueriesContext

    from wushe.core.precompiled import read_after_next_key

    codes = PrecompiledQuery(
        lambda prefix: Area.objects.filter(path__startswith=prefix).order_by("-path"),
        types=(StartsWith,),
    )
    by_name = PrecompiledQuery(lambda name: Area.objects.filter(name=name).order_by())
    with CaptureQueriesContext(connection) as ctx:
        _, (rows, [found]) = read_after_next_key(
            Need, codes.bind(street.community_a.path, many=True), by_name.bind(street.street.name)
        )
    assert len(rows) > 2 and found.pk == street.street.pk
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {ctx.captured_queries[-1]['sql']}")
        plan = cursor.fetchone()[0]
    plan = plan if isinstance(plan, list) else json.loads(plan)

    def scans(node):
        yield node
        for child in node.get("Plans", []):
            yield from scans(child)

    # The lookup by name (no index: a scan of the table that filters on the name) runs once,
    # not once per row found by the other part.
    [lookup] = [
        n for n in scans(plan[0]["Plan"]) if "name" in n.get("Filter", "") and n.get("Actual Loops")
    ]
    assert lookup["Actual Loops"] == 1, lookup


@POSTGRES
def test_a_row_with_its_key_taken_beforehand_is_stored_as_save_stores_it(people, street):
    from wushe.core.precompiled import read_after_next_key

    fast, slow = (
        ActionLog(action="a.b.c", actor=people.worker_a, data={"n": [1]}) for _ in range(2)
    )
    fast.pk, _ = read_after_next_key(ActionLog)
    with CaptureQueriesContext(connection) as ctx:
        PrecompiledInsert(ActionLog).insert(fast)
    assert len(ctx.captured_queries) == 1 and '"id"' in ctx.captured_queries[0]["sql"]
    slow.save(force_insert=True)
    assert ActionLog.objects.filter(pk=fast.pk).exists() and not fast._state.adding
    assert _stored(ActionLog, fast.pk) == _stored(ActionLog, slow.pk)
    unkeyed = ActionLog(action="a.b.d")
    PrecompiledInsert(ActionLog).insert(unkeyed)  # the statement without the key, as before
    assert unkeyed.pk > fast.pk


@POSTGRES
def test_pending_rows_are_prepared_when_added_and_written_in_one_statement(people, street):
    from wushe.core.precompiled import PendingInserts, read_after_next_key

    need = Need(
        area=street.building_a1, category="medicine", channel="phone", caller_phone="13900001111",
        tracking_code="PEND0001", taken_in_by=people.worker_a,
    )  # fmt: skip
    need.pk, _ = read_after_next_key(Need)
    events = [NeedEvent(need=need, action=f"e{i}", at=timezone.now()) for i in range(2)]
    pending = PendingInserts()
    with CaptureQueriesContext(connection) as ctx:
        pending.add(PrecompiledInsert(Need, plain_saves=(ProtectedFieldsMixin,)), [need])
        pending.add(PrecompiledInsert(NeedEvent), events)
    assert ctx.captured_queries == []  # nothing written yet ...
    assert need.created_at is not None and need.caller_phone_index  # ... but prepared
    log = ActionLog(action="a.b.pending", object_id=str(need.pk))
    with CaptureQueriesContext(connection) as ctx:
        pending.write((PrecompiledInsert(ActionLog), [log]))
    assert len(ctx.captured_queries) == 1
    stored = Need.objects.get(pk=need.pk)
    assert stored.created_at == need.created_at  # the answer shows what was stored
    assert stored.caller_phone_index == need.caller_phone_index
    assert [e.pk for e in stored.events.order_by("id")] == [e.pk for e in events]
    assert log.pk and ActionLog.objects.get(pk=log.pk).object_id == str(need.pk)


@pytest.mark.django_db(transaction=True)
def test_rows_saved_one_by_one_outside_a_transaction_are_stored_all_or_none(people):
    def receiver(sender, instance, created, **kw):
        pass

    PrecompiledInsert(IdempotencyKey).insert(
        IdempotencyKey(user=people.worker_a, key="dup", scope="s", body_hash="h")
    )
    post_save.connect(receiver, sender=ActionLog)  # the rows are saved one by one
    try:
        with pytest.raises(IntegrityError):
            insert_together(
                (PrecompiledInsert(ActionLog), [ActionLog(action="a.b.first")]),
                (
                    PrecompiledInsert(IdempotencyKey),
                    [IdempotencyKey(user=people.worker_a, key="dup", scope="s", body_hash="h")],
                ),
            )
    finally:
        post_save.disconnect(receiver, sender=ActionLog)
    assert not ActionLog.objects.filter(action="a.b.first").exists()


@POSTGRES
def test_a_long_statement_of_insert_together_is_parsed_once(people, street):
    from psycopg import _queries

    need = make_need(people.worker_a, street.building_a1)

    def rows(n):
        new = Need(
            area=street.building_a1,
            category="medicine",
            channel="phone",
            caller_phone="13900001111",
            tracking_code=f"LONG000{n}",
        )
        return (
            (PrecompiledInsert(Need, plain_saves=(ProtectedFieldsMixin,)), [new]),
            (PrecompiledInsert(NeedEvent), [NeedEvent(need=need, action="e", at=timezone.now())]),
            (PrecompiledInsert(ActionLog), [ActionLog(action="a.b.c")]),
            (PrecompiledInsert(IdempotencyKey), [IdempotencyKey(user=people.worker_a,
                                                                key=f"long-{n}", body_hash="h")]),
        )  # fmt: skip

    def hits():
        caches = (_queries._query2pg, _queries._query2pg_client)
        return sum(cache.cache_info().hits for cache in caches)

    insert_together(*rows(1))  # 51 parameters: over psycopg's own limit of 50
    before = hits()
    with CaptureQueriesContext(connection) as ctx:
        insert_together(*rows(2))
    assert len(ctx.captured_queries) == 1
    assert hits() > before


def test_values_not_of_the_fields_own_type_are_prepared_by_the_field_as_save_does(people, street):
    deadline = timezone.now()

    def need(code):
        return Need(
            area=street.building_a1, category="medicine", channel="phone", caller_name="王",
            days_medicine_left="3", medical_emergency=1, deadline=deadline,
            status=Status.TRIAGED,
            tracking_code=code, taken_in_by_id=str(people.worker_a.pk),
        )  # fmt: skip

    fast, slow = need("TYPE0001"), need("TYPE0002")
    PrecompiledInsert(Need, plain_saves=(ProtectedFieldsMixin,)).insert(fast)
    slow.save(force_insert=True)
    a, b = _stored(Need, fast.pk), _stored(Need, slow.pk)
    assert a["days_medicine_left"] == b["days_medicine_left"] == 3
    assert a["status"] == b["status"] == "triaged"  # a TextChoices member, as its value
    assert a["medical_emergency"] is b["medical_emergency"] is True
    assert a["taken_in_by_id"] == b["taken_in_by_id"] == people.worker_a.pk
    assert a["deadline"] == b["deadline"]
    assert Need.objects.get(pk=fast.pk).deadline == deadline


def test_a_row_holding_an_expression_is_saved_by_save(people, street):
    from django.db.models.functions import Now

    rows = [ActionLog(action="a.b.expr", created_at=Now()), ActionLog(action="a.b.expr")]
    insert_together((PrecompiledInsert(ActionLog), rows))
    PrecompiledInsert(ActionLog).insert(ActionLog(action="a.b.expr", data={"one": 1}))
    assert ActionLog.objects.filter(action="a.b.expr").count() == 3


@POSTGRES
def test_integer_values_go_with_the_type_django_gives_them(people, street):
    insert = PrecompiledInsert(Need, plain_saves=(ProtectedFieldsMixin,))
    need = Need(area=street.building_a1, category="medicine", channel="phone",
                caller_name="王", tracking_code="INTS0001", priority=5, days_food_left=4)  # fmt: skip
    c, values = insert._prepare(need)
    sent = dict(zip([f.attname for f in c.fields], values, strict=True))
    for name, value in (("priority", 5), ("days_food_left", 4)):
        django_sends = Need._meta.get_field(name).get_db_prep_save(value, connection)
        assert type(sent[name]) is type(django_sends) and sent[name] == value, name
    assert type(sent["area_id"]) is int  # a key to an auto field: a plain int, as Django sends


@pytest.mark.skipif(connection.vendor != "postgresql", reason="one statement on PostgreSQL only")
@pytest.mark.parametrize("rows", [2, VALUES_ROWS, VALUES_ROWS + 1])
def test_a_few_rows_go_as_values_rows_more_as_django_compiles_them(people, street, rows):
    """A short multi-row INSERT is one VALUES row per row, not UNNEST's arrays (prepared once
    per connection, UNNEST's lighter planning is not paid per call; its arrays are); more
    rows are compiled as bulk_create compiles them. Either way the same rows are stored."""
    need = make_need(people.worker_a, street.building_a1)
    at = timezone.now()
    events = [
        NeedEvent(need=need, action=f"v{i}", actor=people.worker_a if i % 2 else None, at=at)
        for i in range(rows)
    ]
    with CaptureQueriesContext(connection) as ctx:
        insert_together((PrecompiledInsert(NeedEvent), events))
    [query] = ctx.captured_queries
    if rows <= VALUES_ROWS:
        assert "UNNEST" not in query["sql"] and query["sql"].count("), (") == rows - 1
    else:
        assert "UNNEST" in query["sql"]
    stored = NeedEvent.objects.filter(need=need, action__startswith="v").order_by("id")
    assert [(e.pk, e.action, e.actor_id, e.at) for e in stored] == [
        (e.pk, e.action, e.actor_id, at) for e in events
    ]
