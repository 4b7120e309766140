"""Travel times of a round: volunteers' modes (profile, street default), the detour factor,
and an OSRM-compatible table service -- a real HTTP server on loopback, started here."""

from __future__ import annotations

import json
import math
import re
import threading
import time
import urllib.parse
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection
from django.utils import timezone

from tests.conftest import login
from tests.factories import AreaFactory
from tests.needs.factories_needs import make_need, make_volunteer
from wushe.core.errors import ApplicationError
from wushe.dispatch import errors, services, travel
from wushe.dispatch import osrm as osrm_module
from wushe.dispatch.instance import build_instance
from wushe.dispatch.models import DispatchRound
from wushe.dispatch.osrm import OsrmError, one_to_all, table
from wushe.dispatch.travel import speeds
from wushe.needs import services as needs_services
from wushe.volunteers.models import VolunteerProfile


def seconds(a, b):
    """The fake network: 10 s per 0.001 degree of Manhattan distance, plus 1.5 s."""
    return (abs(a[0] - b[0]) + abs(a[1] - b[1])) * 10_000 + 1.5


class Table(BaseHTTPRequestHandler):
    """``/table/v1/<profile>/<lon,lat;...>?sources=..&destinations=..`` like OSRM; the
    server's ``mode`` makes it fail in the ways a real one can."""

    def log_message(self, *args):  # keep the test output quiet
        pass

    def do_GET(self):
        server = self.server
        server.requests.append(self.path)
        if server.mode == "slow":
            time.sleep(1.0)
        if server.mode == "error":
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b"boom")
            return
        url = urllib.parse.urlsplit(self.path)
        parts = url.path.split("/")  # ['', 'table', 'v1', profile, coords]
        server.profiles.append(parts[3])
        coords = [tuple(map(float, c.split(","))) for c in parts[4].split(";")]
        if len(coords) > server.max_size:
            body = {"code": "TooBig", "message": "Too many table coordinates"}
        else:
            q = urllib.parse.parse_qs(url.query)
            src = [int(i) for i in q["sources"][0].split(";")] if "sources" in q else None
            dst = [int(i) for i in q["destinations"][0].split(";")] if "destinations" in q else None
            src = src if src is not None else list(range(len(coords)))
            dst = dst if dst is not None else list(range(len(coords)))
            rows = [[seconds(coords[i], coords[j]) for j in dst] for i in src]
            if server.mode == "unreachable":
                rows[0][-1] = None
            if server.mode == "ragged" and len(src) > 1:  # an answer of the wrong shape
                rows = [[] for _ in src]
            body = {"code": "Ok", "durations": rows}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def osrm() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Table)
    server.mode = "ok"
    server.max_size = 100
    server.requests = []
    server.profiles = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()


POINTS = [(121.539, 31.225), (121.540, 31.225), (121.548, 31.226), (121.541, 31.230), (121.5, 31.2)]


def test_table_over_http_in_blocks(osrm):
    osrm.max_size = 4  # blocks of two coordinates: 3 x 3 requests for five points
    matrix = table(osrm.url, "walking", POINTS, timeout=5, max_size=4)
    for i, a in enumerate(POINTS):
        for j, b in enumerate(POINTS):
            assert matrix[i][j] == (0 if i == j else math.ceil(seconds(a, b)))
    assert len(osrm.requests) == 9 and set(osrm.profiles) == {"walking"}
    assert all(len(r.split("/")[4].split("?")[0].split(";")) <= 4 for r in osrm.requests)


def test_one_to_all_over_http_in_blocks(osrm):
    out_row, in_col = one_to_all(osrm.url, "cycling", POINTS, 2, timeout=5, max_size=3)
    for i, p in enumerate(POINTS):
        expected_out = 0 if i == 2 else math.ceil(seconds(POINTS[2], p))
        expected_in = 0 if i == 2 else math.ceil(seconds(p, POINTS[2]))
        assert out_row[i] == expected_out and in_col[i] == expected_in
    assert len(osrm.requests) == 4  # two blocks of two others, each way


@pytest.mark.parametrize("mode", ["error", "unreachable", "slow", "toobig"])
def test_table_failures_raise(osrm, mode):
    osrm.mode = mode
    if mode == "toobig":
        osrm.max_size = 2
    with pytest.raises(OsrmError):
        table(osrm.url, "walking", POINTS, timeout=0.3, max_size=100)


@pytest.mark.parametrize("mode", ["error", "unreachable", "ragged"])
def test_one_to_all_failures_raise(osrm, mode):
    # Only OsrmError is caught (the round falls back to straight lines): a malformed
    # answer must not surface as a TypeError or IndexError in the insert request.
    osrm.mode = mode
    with pytest.raises(OsrmError):
        one_to_all(osrm.url, "walking", POINTS, 2, timeout=1, max_size=100)


def test_an_unreachable_server_raises():
    with pytest.raises(OsrmError):
        table("http://127.0.0.1:9", "walking", POINTS[:2], timeout=1)


def on_shift(user, mode=""):
    VolunteerProfile.objects.filter(user=user).update(on_shift=True, travel_mode=mode)


def test_modes_and_detour_in_the_snapshot(people, street, settings):
    settings.WUSHE_DISPATCH_DETOUR = 1.5
    rider = make_volunteer("rider", street.building_a1)
    on_shift(rider, "cycling")
    snap = build_instance(area=street.community_a, now=timezone.now())
    assert snap.instance["volunteers"][0]["travel_mode"] == "cycling"
    assert snap.instance["travel"]["speed_mps"] == round(speeds()["cycling"] / 1.5, 4)
    assert snap.report["travel_mode"] == "cycling" and snap.report["detour"] == 1.5

    walker = make_volunteer("walker", street.building_a2)
    on_shift(walker)  # no mode of their own: the street's default
    services.street_travel_set(
        actor=people.command, area=street.street, travel_mode="driving", detour="1.2"
    )
    snap = build_instance(area=street.community_a, now=timezone.now())
    modes = {v["id"]: v["travel_mode"] for v in snap.instance["volunteers"]}
    assert modes == {f"v{rider.pk}": "cycling", f"v{walker.pk}": "driving"}
    # Mixed modes: planned at the slowest, and the report says so.
    assert snap.report["travel_mode"] == "cycling"
    assert snap.report["travel_modes"] == {"cycling": 1, "driving": 1}
    assert snap.instance["travel"]["speed_mps"] == round(speeds()["cycling"] / 1.2, 4)


def test_street_settings_are_checked(people, street):
    with pytest.raises(ApplicationError) as exc:
        services.street_travel_set(
            actor=people.command, area=street.community_a, travel_mode="walking", detour=1.3
        )
    assert exc.value.message == errors.NOT_A_STREET
    with pytest.raises(ApplicationError) as exc:
        services.street_travel_set(
            actor=people.command, area=street.street, travel_mode="walking", detour="0.5"
        )
    assert exc.value.message == errors.DETOUR_RANGE
    with pytest.raises(ApplicationError):
        services.street_travel_set(
            actor=people.command, area=street.street, travel_mode="flying", detour="1.3"
        )


@pytest.mark.slow
def test_a_round_uses_the_network_and_falls_back_with_a_warning(
    people, street, settings, osrm, monkeypatch
):
    settings.WUSHE_OSRM_URL = osrm.url
    depths = []

    def asked(*args, **kwargs):  # how many transactions are open around the request
        depths.append(len(connection.atomic_blocks))
        return one_to_all(*args, **kwargs)

    monkeypatch.setattr(travel, "one_to_all", asked)
    vol = make_volunteer("runner", street.building_a1)
    on_shift(vol, "walking")
    for area in (street.building_a1, street.building_a2):
        needs_services.task_create(actor=people.worker_a, need=make_need(people.worker_a, area))
    rnd = services.dispatch_round_start(
        actor=people.worker_a, area=street.community_a, time_limit_s=1
    )
    assert rnd.status == DispatchRound.Status.PROPOSED
    assert rnd.report["travel_source"] == "network" and "travel_warning" not in rnd.report
    durations = rnd.instance["durations"]
    assert len(durations) == len(rnd.instance["locations"]) and osrm.profiles == ["walking"]
    # The score's travel is the network's: the sum of the route's legs in the matrix.
    (route,) = rnd.solution["routes"]
    legs = [rnd.instance["volunteers"][0]["start"]] + [
        next(t["location"] for t in rnd.instance["tasks"] if t["id"] == tid)
        for tid in route["tasks"]
    ]
    assert rnd.score_travel_s == sum(durations[a][b] for a, b in zip(legs, legs[1:], strict=False))

    # An urgent request at a building new to the round, inserted into the approved routes:
    # the matrix grows with the network's times to and from it.
    rnd = services.dispatch_round_approve(actor=people.worker_a, round=rnd)
    a3 = AreaFactory(
        code="3101159010010010003",
        name="一村3号楼",
        parent=street.grid_a1,
        lon="121.5395",
        lat="31.2262",
    )
    urgent = needs_services.task_create(
        actor=people.worker_a, need=make_need(people.worker_a, a3, medical_emergency=True)
    )
    n, before = len(rnd.instance["locations"]), len(osrm.requests)
    outer = len(connection.atomic_blocks)  # the test's own transaction
    rnd = services.dispatch_round_insert(actor=people.worker_a, round=rnd, task=urgent)
    assert depths == [outer]  # asked before the round and the task were locked
    durations = rnd.instance["durations"]
    assert len(rnd.instance["locations"]) == n + 1
    assert len(durations) == n + 1 and all(len(row) == n + 1 for row in durations)
    assert len(osrm.requests) == before + 2  # to and from the new place
    start = rnd.instance["volunteers"][0]["start"]
    expected = seconds((121.539, 31.225), (121.5395, 31.2262))  # the volunteer's building
    assert abs(durations[start][n] - math.ceil(expected)) <= 1  # lon/lat re-projected

    osrm.mode = "error"
    a4 = AreaFactory(
        code="3101159010010010004",
        name="一村4号楼",
        parent=street.grid_a1,
        lon="121.5385",
        lat="31.2255",
    )
    urgent = needs_services.task_create(
        actor=people.worker_a, need=make_need(people.worker_a, a4, medical_emergency=True)
    )
    rnd = services.dispatch_round_insert(actor=people.worker_a, round=rnd, task=urgent)
    assert len(rnd.instance["durations"]) == n + 2  # estimated from coordinates
    assert "500" in rnd.report["travel_warning"]

    for area in (street.building_a1, street.building_a2):  # two more open tasks
        needs_services.task_create(actor=people.worker_a, need=make_need(people.worker_a, area))
    rnd = services.dispatch_round_start(
        actor=people.worker_a, area=street.community_a, time_limit_s=1
    )
    assert rnd.status == DispatchRound.Status.PROPOSED and rnd.score_assigned == 2
    assert rnd.instance["durations"] is None
    assert rnd.report["travel_source"] == "coordinates" and "500" in rnd.report["travel_warning"]


def test_pages_and_api(client, api, people, street):
    vol = make_volunteer("rider", street.building_a1)
    login(client, vol)
    r = client.post("/dispatch/my-route/", {"travel_mode": "cycling"})
    assert r.status_code == 302
    assert VolunteerProfile.objects.get(user=vol).travel_mode == "cycling"
    assert 'data-testid="travel-mode"' in client.get("/dispatch/my-route/").content.decode()
    login(api, vol)
    assert api.get("/api/v1/dispatch/my-travel/").data == {"travel_mode": "cycling"}
    r = api.post("/api/v1/dispatch/my-travel/", {"travel_mode": ""}, format="json")
    assert r.status_code == 200 and VolunteerProfile.objects.get(user=vol).travel_mode == ""
    assert (
        api.post("/api/v1/dispatch/my-travel/", {"travel_mode": "x"}, format="json").status_code
        == 400
    )
    api.logout()

    login(client, people.command)
    r = client.post(
        "/dispatch/travel/",
        {"area": street.street.code, "travel_mode": "cycling", "detour": "1.4"},
    )
    assert r.status_code == 302
    page = client.get("/dispatch/travel/").content.decode()
    assert 'data-testid="street-travel"' in page and "1.40" in page
    login(api, people.command)
    (row,) = api.get("/api/v1/dispatch/travel/").data
    assert row == {
        "area": street.street.code,
        "name": street.street.name,
        "travel_mode": "cycling",
        "detour": 1.4,
    }
    r = api.post(
        "/api/v1/dispatch/travel/",
        {"area": street.street.code, "travel_mode": "driving", "detour": "1.25"},
        format="json",
    )
    assert r.status_code == 200 and r.data["travel_mode"] == "driving"
    api.logout()
    login(api, people.worker_a)  # a community worker reads their street's settings
    assert api.get("/api/v1/dispatch/travel/").data[0]["detour"] == 1.25
    r = api.post(
        "/api/v1/dispatch/travel/",
        {"area": street.street.code, "travel_mode": "walking", "detour": "1.3"},
        format="json",
    )
    assert r.status_code == 404  # the street is outside a community worker's scope
    api.logout()
    login(api, vol)
    assert api.get("/api/v1/dispatch/travel/").status_code == 403


def test_the_travel_page_can_save_any_stored_detour(client, people, street):
    # The API and the service keep two decimals; the page's number field must accept the
    # stored value as it is, else the browser refuses to send a change of the mode alone.
    services.street_travel_set(
        actor=people.command, area=street.street, travel_mode="walking", detour="1.33"
    )
    login(client, people.command)
    page = client.get("/dispatch/travel/").content.decode()
    field = re.search(r'<input type="number" name="detour"[^>]*>', page).group(0)
    attrs = dict(re.findall(r'(\w+)="([^"]*)"', field))
    steps = (Decimal(attrs["value"]) - Decimal(attrs["min"])) / Decimal(attrs["step"])
    assert attrs["value"] == "1.33" and steps == steps.to_integral_value()


def test_a_large_table_has_an_overall_time_budget(osrm, monkeypatch):
    clock = iter(range(100))  # each look at the clock: one second later
    monkeypatch.setattr(osrm_module, "monotonic", lambda: float(next(clock)))
    osrm.max_size = 4  # nine requests for five points
    with pytest.raises(OsrmError, match="time allowed"):
        table(osrm.url, "walking", POINTS, timeout=5, max_size=4, budget_s=2.5)
    assert len(osrm.requests) == 2  # the third would start past the budget


def test_a_round_over_the_budget_falls_back_to_straight_lines(osrm, settings):
    settings.WUSHE_OSRM_URL = osrm.url
    settings.WUSHE_OSRM_BUDGET_S = 0
    instance = {"locations": [[0.0, 0.0], [100.0, 0.0]], "durations": None}
    report = {"centre": [121.54, 31.225], "travel_mode": "walking"}
    travel.add_network_durations(instance, report)
    assert instance["durations"] is None and osrm.requests == []
    assert report["travel_source"] == "coordinates" and "time allowed" in report["travel_warning"]
