"""The street an area lies in (one lookup for dispatch travel settings and the rest)."""

from __future__ import annotations

from wushe.areas.selectors import street_of


def test_street_of(street):
    assert street_of(street.street) == street.street
    assert street_of(street.community_a) == street.street
    assert street_of(street.building_a1) == street.street
    assert street_of(street.street.parent) is None  # the district is above streets
