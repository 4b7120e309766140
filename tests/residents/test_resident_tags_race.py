"""Two saves of a resident's tags at once (a double tap on Save): both succeed, the tag is
stored once. Threads with their own connections, released by a barrier; only meaningful
on PostgreSQL (SQLite serialises writers anyway)."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection, connections

from tests.residents.factories_residents import HouseholdFactory, ResidentFactory
from wushe.residents.models import Resident, Tag
from wushe.residents.services import resident_set_tags

RACERS = 4

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a real race needs concurrent writers: run with DATABASE_URL=postgres://…",
    ),
]


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_store_each_tag_once(people, street):
    # A transactional test before this one may have flushed the tags the migrations load.
    Tag.objects.get_or_create(code="living_alone", defaults={"name": "独居"})
    Tag.objects.get_or_create(code="disabled", defaults={"name": "残疾人", "sensitive": True})
    household = HouseholdFactory(building=street.building_a1)
    resident = ResidentFactory(
        area=street.building_a1, household=household, birth_date=datetime.date(1975, 6, 1)
    )
    barrier = threading.Barrier(RACERS)
    errors: list[str] = []
    lock = threading.Lock()

    def save():
        try:
            barrier.wait()
            try:
                resident_set_tags(
                    actor=people.worker_a,
                    resident=Resident.objects.get(pk=resident.pk),
                    tags={"living_alone": {}, "disabled": {"disability_grade": 2}},
                )
            except Exception as exc:  # noqa: BLE001 (the race's loser is the finding)
                with lock:
                    errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save) for _ in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert sorted(resident.tag_links.values_list("tag__code", flat=True)) == [
        "disabled",
        "living_alone",
    ]
