"""Shared fixtures: a small street with two communities, and a user of every role."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from tests.factories import AreaFactory, UserFactory
from wushe.accounts.roles import Role
from wushe.areas.levels import Level
from wushe.areas.models import Area

PASSWORD = "correct-horse-battery"


@dataclass
class Street:
    district: Area
    street: Area
    community_a: Area
    community_b: Area
    grid_a1: Area
    grid_a2: Area
    grid_b1: Area
    building_a1: Area
    building_a2: Area
    building_b1: Area


@pytest.fixture
def street(db) -> Street:
    district = AreaFactory(code="310115000000", name="浦东新区", level=Level.DISTRICT)
    street = AreaFactory(code="310115901000", name="明珠街道", level=Level.STREET, parent=district)
    a = AreaFactory(code="310115901001", name="明珠一村", level=Level.COMMUNITY, parent=street)
    b = AreaFactory(code="310115901002", name="东园", level=Level.COMMUNITY, parent=street)
    a1 = AreaFactory(code="310115901001001", name="一村1格", level=Level.GRID, parent=a)
    a2 = AreaFactory(code="310115901001002", name="一村2格", level=Level.GRID, parent=a)
    b1 = AreaFactory(code="310115901002001", name="东园1格", level=Level.GRID, parent=b)
    return Street(
        district=district,
        street=street,
        community_a=a,
        community_b=b,
        grid_a1=a1,
        grid_a2=a2,
        grid_b1=b1,
        building_a1=AreaFactory(
            code="3101159010010010001", name="一村1号楼", parent=a1, lon="121.539", lat="31.225"
        ),
        building_a2=AreaFactory(
            code="3101159010010020002", name="一村2号楼", parent=a2, lon="121.540", lat="31.225"
        ),
        building_b1=AreaFactory(
            code="3101159010020010001", name="东园1号楼", parent=b1, lon="121.548", lat="31.226"
        ),
    )


@dataclass
class People:
    command: object
    worker_a: object
    worker_b: object
    social: object
    volunteer: object
    org: object
    district: object
    admin: object
    scoped_admin: object


@pytest.fixture
def people(street: Street) -> People:
    return People(
        command=UserFactory(username="command", role=Role.STREET_COMMAND, scope_area=street.street),
        worker_a=UserFactory(
            username="worker_a", role=Role.COMMUNITY_WORKER, scope_area=street.community_a
        ),
        worker_b=UserFactory(
            username="worker_b", role=Role.COMMUNITY_WORKER, scope_area=street.community_b
        ),
        social=UserFactory(username="social", role=Role.SOCIAL_WORKER, scope_area=street.street),
        volunteer=UserFactory(
            username="volunteer", role=Role.VOLUNTEER, scope_area=street.community_a
        ),
        org=UserFactory(username="org", role=Role.ORG_ADMIN, scope_area=street.street),
        district=UserFactory(
            username="district", role=Role.DISTRICT_CIVIL_AFFAIRS, scope_area=street.district
        ),
        admin=UserFactory(username="admin", role=Role.SYSTEM_ADMIN, scope_area=None, is_staff=True),
        scoped_admin=UserFactory(
            username="admin_a", role=Role.SYSTEM_ADMIN, scope_area=street.community_a, is_staff=True
        ),
    )


@pytest.fixture
def api():
    return APIClient()


def login(client, user) -> None:
    assert client.login(username=user.username, password=PASSWORD)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (sign-in throttle counts, rate limits)."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Messages raised outside a request (services called directly) come out in English, so
    tests can match them; pages still get the product's default language (Chinese)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Run live-server tests with the other transactional tests, after all the rest.

    A transactional test empties every table when it ends, rows that data migrations load
    (default tags …) included. pytest-django already runs transactional tests last, but it
    does not count a live server requested through another fixture as transactional; saying
    so here keeps such tests from wiping data under the ordinary tests that follow them.
    Transactional tests that need migration-loaded rows load them themselves."""
    for item in items:
        if "live_server" in item.fixturenames and "transactional_db" not in item.fixturenames:
            item.fixturenames.append("transactional_db")
