"""The merge candidates listed in every intake answer come from a query compiled once per
way of matching and kind of scope: for every role they are exactly the latest few of
``need_merge_candidates`` (the ORM query through ``scoped``), never another community's."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.needs.factories_needs import make_need
from tests.residents.factories_residents import HouseholdFactory, ResidentFactory
from wushe.needs import selectors, services
from wushe.needs.models import Need, Outcome

PHONE = "13900001111"


def _orm(need, actor):
    rows = selectors.need_merge_candidates(need, actor).order_by("-id")
    return [n.pk for n in rows[: selectors.MERGE_CANDIDATES_SHOWN]]


def _recent(need, actor):
    return [n.pk for n in selectors.need_merge_candidates_recent(need, actor)]


def _roles(people):
    return [
        people.command, people.worker_a, people.worker_b, people.social, people.volunteer,
        people.org, people.district, people.admin, people.scoped_admin,
    ]  # fmt: skip


def _setting(people, street):
    """Requests of one phone and of one resident in both communities, some the volunteer's,
    closed ones, another category; returns a new request of each way of matching."""
    resident = ResidentFactory(
        area=street.building_a1, household=HouseholdFactory(building=street.building_a1)
    )
    a, b = people.worker_a, people.worker_b
    for actor, area in [(a, street.building_a1), (b, street.building_b1), (a, street.building_a2)]:
        make_need(actor, area, category="medicine", caller_phone=PHONE)
        make_need(actor, area, category="groceries", caller_phone=PHONE)
        make_need(a, street.building_a1, category="medicine", resident=resident)
    theirs = make_need(a, street.building_a1, category="medicine", resident=resident)
    closed = make_need(a, street.building_a1, category="medicine", caller_phone=PHONE)
    services.need_close(actor=a, need=closed, outcome=Outcome.NOT_NEEDED, note="好了")
    # Taken in by someone who now serves elsewhere (here: a volunteer), in community B, where
    # the resident moved: having taken it in gives no access to it.
    Need.objects.filter(pk=theirs.pk).update(taken_in_by=people.volunteer, area=street.building_b1)
    by_phone = make_need(a, street.building_a1, category="medicine", caller_phone=PHONE)
    by_resident = make_need(a, street.building_a1, category="medicine", resident=resident)
    return by_phone, by_resident, theirs


def test_every_role_gets_the_orm_querys_candidates_in_one_query(people, street):
    by_phone, by_resident, theirs = _setting(people, street)
    for need in (by_phone, by_resident):
        seen = set()
        for actor in _roles(people):
            expected = _orm(need, actor)
            with CaptureQueriesContext(connection) as ctx:
                assert _recent(need, actor) == expected, actor.username
            # A volunteer sees no requests at all: nothing to ask the database.
            assert len(ctx.captured_queries) == (0 if actor is people.volunteer else 1)
            seen.add(tuple(expected))
        assert len(seen) >= 3  # the roles see different candidates: the scopes are exercised
    assert _recent(by_resident, people.volunteer) == []
    assert _recent(by_phone, people.volunteer) == []


def test_another_community_is_never_listed(people, street):
    by_phone, by_resident, theirs = _setting(people, street)
    b_rows = set(Need.objects.filter(area__path__startswith=street.community_b.path).values_list(
        "pk", flat=True
    ))  # fmt: skip
    for need in (by_phone, by_resident):
        listed = _recent(need, people.worker_a)
        assert listed and not b_rows & set(listed)
        assert not set(_recent(need, people.scoped_admin)) & b_rows
        street_wide = _recent(need, people.command)
        assert b_rows & set(street_wide)  # the street sees both communities
    mine = make_need(people.worker_b, street.building_b1, category="medicine", caller_phone=PHONE)
    assert set(_recent(mine, people.worker_b)) <= b_rows and theirs.pk not in _recent(
        mine, people.worker_b
    )


def test_inactive_anonymous_and_no_match_see_nothing(people, street):
    by_phone, by_resident, _theirs = _setting(people, street)
    people.worker_a.is_active = False
    for actor in (people.worker_a, AnonymousUser(), None):
        with CaptureQueriesContext(connection) as ctx:
            assert selectors.need_merge_candidates_recent(by_phone, actor) == []
        assert not ctx.captured_queries
    people.worker_a.is_active = True
    anonymous_caller = make_need(people.worker_a, street.building_a1, caller_phone="")
    assert selectors.need_merge_candidates_recent(anonymous_caller, people.worker_a) == []


def test_only_the_latest_few_with_their_fields(people, street):
    made = [
        make_need(people.worker_a, street.building_a1, category="medicine", caller_phone=PHONE)
        for _ in range(selectors.MERGE_CANDIDATES_SHOWN + 2)
    ]
    found = selectors.need_merge_candidates_recent(made[-1], people.worker_a)
    assert [n.pk for n in found] == [n.pk for n in reversed(made[1:-1])]
    for row in found:
        full = Need.objects.get(pk=row.pk)
        assert (row.tracking_code, row.status, row.created_at) == (
            full.tracking_code, full.status, full.created_at,
        )  # fmt: skip
