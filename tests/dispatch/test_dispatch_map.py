"""The outline on the volunteer's route map: the area's own GeoJSON when it has one (and
its communities'), else the convex hull of its buildings."""

from __future__ import annotations

from tests.areas.test_area_outline import SQUARE
from tests.factories import AreaFactory
from wushe.areas import services as area_services
from wushe.dispatch.models import DispatchRound
from wushe.dispatch.selectors import round_outline


def test_outline_is_the_hull_of_buildings_then_the_drawn_outline(people, street):
    rnd = DispatchRound.objects.create(area=street.street, created_by=people.command)
    # Three buildings with coordinates in the street: their hull, marked as not drawn.
    (feature,) = round_outline(round=rnd)["features"]
    assert feature["properties"] == {"name": street.street.name, "kind": "area", "drawn": False}
    ring = feature["geometry"]["coordinates"][0]
    corners = {
        (float(b.lon), float(b.lat))
        for b in (street.building_a1, street.building_a2, street.building_b1)
    }
    assert set(map(tuple, ring)) == corners and ring[0] == ring[-1]

    polygon = {"type": "Polygon", "coordinates": [SQUARE]}
    area_services.area_set_geometry(actor=people.command, area=street.street, geometry=polygon)
    area_services.area_set_geometry(actor=people.command, area=street.community_b, geometry=polygon)
    rnd.area.refresh_from_db()
    features = round_outline(round=rnd)["features"]
    assert [f["properties"]["kind"] for f in features] == ["area", "part"]
    assert features[0]["geometry"] == polygon and features[0]["properties"]["drawn"] is True
    assert features[1]["properties"]["name"] == street.community_b.name


def test_no_outline_without_enough_buildings(people, street):
    lonely = AreaFactory(code="310115901003", name="新村", level="community", parent=street.street)
    rnd = DispatchRound.objects.create(area=lonely, created_by=people.command)
    assert round_outline(round=rnd) is None
