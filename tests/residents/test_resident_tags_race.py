"""Two saves of a resident's tags at once (a double tap on Save): both succeed, the tag is
stored once. Threads with their own connections, released by a barrier; only meaningful
on PostgreSQL (SQLite serialises writers anyway)."""

from __future__ import annotations

import datetime

import pytest

from tests.races import POSTGRES_RACE, run_at_once
from tests.residents.factories_residents import HouseholdFactory, ResidentFactory
from wushe.residents.models import Resident, Tag
from wushe.residents.services import resident_set_tags

RACERS = 4

pytestmark = POSTGRES_RACE


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_store_each_tag_once(people, street):
    # A transactional test before this one may have flushed the tags the migrations load.
    Tag.objects.get_or_create(code="living_alone", defaults={"name": "独居"})
    Tag.objects.get_or_create(code="disabled", defaults={"name": "残疾人", "sensitive": True})
    household = HouseholdFactory(building=street.building_a1)
    resident = ResidentFactory(
        area=street.building_a1, household=household, birth_date=datetime.date(1975, 6, 1)
    )

    def save():
        resident_set_tags(
            actor=people.worker_a,
            resident=Resident.objects.get(pk=resident.pk),
            tags={"living_alone": {}, "disabled": {"disability_grade": 2}},
        )

    errors = [repr(r) for r in run_at_once([save] * RACERS) if r is not None]
    assert errors == []
    assert sorted(resident.tag_links.values_list("tag__code", flat=True)) == [
        "disabled",
        "living_alone",
    ]
