"""Area outlines (GeoJSON) for route maps: checked, set and cleared through the service, the
page and the API; the convex hull of buildings when an area has none."""

from __future__ import annotations

import html
import json

import pytest

from tests.conftest import login
from wushe.areas import errors, services
from wushe.areas.geometry import clean_geometry, convex_hull
from wushe.areas.models import Area
from wushe.core.audit import ActionLog
from wushe.core.errors import ApplicationError

SQUARE = [[121.53, 31.22], [121.55, 31.22], [121.55, 31.23], [121.53, 31.23], [121.53, 31.22]]


def test_clean_geometry_accepts_polygons_and_features():
    polygon = {"type": "Polygon", "coordinates": [SQUARE]}
    assert clean_geometry(polygon) == polygon
    feature = {"type": "Feature", "properties": {}, "geometry": polygon}
    assert clean_geometry(feature) == polygon
    multi = {"type": "MultiPolygon", "coordinates": [[SQUARE], [SQUARE]]}
    assert clean_geometry(multi)["type"] == "MultiPolygon"
    assert clean_geometry(None) is None and clean_geometry("") is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"type": "Point", "coordinates": [121.5, 31.2]}, errors.GEOMETRY_TYPE),
        ({"type": "Polygon", "coordinates": [SQUARE[:3]]}, errors.GEOMETRY_RING),
        ({"type": "Polygon", "coordinates": [SQUARE[:-1] + [[121.0, 31.0]]]}, errors.GEOMETRY_RING),
        (
            {"type": "Polygon", "coordinates": [[[200, 31.2], *SQUARE[1:-1], [200, 31.2]]]},
            errors.GEOMETRY_POINT,
        ),
        (
            {"type": "Polygon", "coordinates": [[["a", 1], *SQUARE[1:-1], ["a", 1]]]},
            errors.GEOMETRY_POINT,
        ),
        ({"type": "MultiPolygon", "coordinates": []}, errors.GEOMETRY_RING),
    ],
)
def test_clean_geometry_refuses(value, message):
    with pytest.raises(ApplicationError) as exc:
        clean_geometry(value)
    assert exc.value.message == message


def test_convex_hull():
    points = [(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0), (1.0, 1.0), (1.0, 0.0)]
    hull = convex_hull(points)
    ring = hull["coordinates"][0]
    assert ring[0] == ring[-1]
    assert sorted(map(tuple, ring[:-1])) == [(0.0, 0.0), (0.0, 2.0), (2.0, 0.0), (2.0, 2.0)]
    assert convex_hull([(0.0, 0.0), (1.0, 1.0), (2.0, 2.0)]) is None  # all on a line
    assert convex_hull([(0.0, 0.0), (0.0, 0.0), (1.0, 1.0)]) is None


def test_service_page_and_api(client, api, people, street):
    polygon = {"type": "Polygon", "coordinates": [SQUARE]}
    services.area_set_geometry(actor=people.command, area=street.community_a, geometry=polygon)
    street.community_a.refresh_from_db()
    assert street.community_a.geometry == polygon
    assert ActionLog.objects.filter(action="areas.area.outline_set").exists()
    with pytest.raises(ApplicationError):  # outside the actor's scope
        services.area_set_geometry(actor=people.worker_b, area=street.community_a, geometry=None)

    login(client, people.command)
    page = client.get(f"/areas/{street.street.code}/").content.decode()
    assert 'id="id_geometry"' in page
    r = client.post(f"/areas/{street.street.code}/outline/", {"geometry": "{not json"})
    assert r.status_code == 400
    r = client.post(
        f"/areas/{street.street.code}/outline/",
        {"geometry": json.dumps({"type": "Feature", "geometry": polygon})},
    )
    assert r.status_code == 302
    street.street.refresh_from_db()
    assert street.street.geometry == polygon
    client.post(f"/areas/{street.street.code}/outline/", {"geometry": ""})
    street.street.refresh_from_db()
    assert street.street.geometry is None

    login(api, people.command)
    url = f"/api/v1/areas/{street.grid_a1.code}/outline/"
    r = api.post(url, {"geometry": polygon}, format="json")
    assert r.status_code == 200 and r.data["geometry"] == polygon
    assert api.get(f"/api/v1/areas/{street.grid_a1.code}/").data["has_outline"] is True
    r = api.post(url, {"geometry": {"type": "Point", "coordinates": [1, 2]}}, format="json")
    assert r.status_code == 400
    api.logout()
    login(api, people.worker_a)  # a community worker does not change boundaries
    assert api.post(url, {"geometry": None}, format="json").status_code == 403


def test_a_deeply_nested_outline_is_refused_in_words(client, api, people, street):
    login(client, people.command)
    deep = "[" * 100_000 + "]" * 100_000
    r = client.post(f"/areas/{street.street.code}/outline/", {"geometry": deep})
    assert r.status_code == 400
    page = r.content.decode()
    message = html.escape(str(errors.GEOMETRY_TOO_DEEP))
    assert f'<ul class="errorlist" id="id_geometry_error" role="alert"><li>{message}</li>' in page
    assert 'aria-describedby="id_geometry_help id_geometry_error" aria-invalid="true"' in page
    # Through the API: a clear 400 on the field too, not a server error.
    login(api, people.command)
    body = '{"geometry": ' + deep + "}"
    r = api.post(
        f"/api/v1/areas/{street.street.code}/outline/", body, content_type="application/json"
    )
    assert r.status_code == 400 and r.data["field"] == "geometry"
    page = client.get(f"/areas/{street.street.code}/").content.decode()
    assert 'aria-describedby="id_geometry_help"' in page and "aria-invalid" not in page


def test_buildings_and_merged_areas_take_no_outline(people, street):
    polygon = {"type": "Polygon", "coordinates": [SQUARE]}
    with pytest.raises(ApplicationError) as exc:
        services.area_set_geometry(actor=people.command, area=street.building_a1, geometry=polygon)
    assert exc.value.message == errors.GEOMETRY_LEVEL.format(code=street.building_a1.code)
    Area.objects.filter(pk=street.grid_a1.pk).update(is_active=False)
    street.grid_a1.refresh_from_db()
    with pytest.raises(ApplicationError) as exc:
        services.area_set_geometry(actor=people.command, area=street.grid_a1, geometry=polygon)
    assert exc.value.message == errors.GEOMETRY_INACTIVE.format(code=street.grid_a1.code)
    assert Area.objects.get(pk=street.grid_a1.pk).geometry is None
