"""Factories and helpers for residents tests: valid ID numbers, residents, canvass sheets."""

from __future__ import annotations

import datetime

import factory

from wushe.residents.idnumbers import make_id_number
from wushe.residents.models import Household, Resident
from wushe.residents.pinyin import name_pinyin


def post_canvass(client, path, area, **fields):
    """Upload the canvass sheet at ``path`` on the import page for ``area`` (the preview)."""
    with open(path, "rb") as handle:
        return client.post(
            "/residents/import/",
            {"file": handle, "area": area.code, "legal_basis": "public_health_emergency", **fields},
        )


def id_for(birth: datetime.date, sequence: int = 1, place: str = "310115") -> str:
    return make_id_number(place, birth, sequence)


def years_ago(years: int, days: int = 10) -> datetime.date:
    today = datetime.date.today()  # noqa: DTZ011 - a calendar date for test data
    return today.replace(year=today.year - years) - datetime.timedelta(days=days)


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    unit = "1"
    room = factory.Sequence(lambda n: str(101 + n))


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident

    name = factory.Sequence(lambda n: f"居民{n}")
    name_pinyin = factory.LazyAttribute(lambda o: name_pinyin(o.name)[0])
    name_initials = factory.LazyAttribute(lambda o: name_pinyin(o.name)[1])
    birth_date = datetime.date(1950, 3, 4)
    id_number = factory.Sequence(lambda n: id_for(datetime.date(1950, 3, 4), n))
    phone = factory.Sequence(lambda n: f"+86138{n:08d}")
    gender = "male"
