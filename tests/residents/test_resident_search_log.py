"""A search by a whole ID number or phone confirms the number when it finds someone: each
resident found is written to the access log, from the list page, the API and the export alike.
Searches by name, pinyin or a last four, and whole-number searches that find nobody, are not."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from tests.conftest import login
from tests.residents.factories_residents import ResidentFactory, id_for
from wushe.core.models import AccessLog
from wushe.core.privacy.selectors import access_log_list

ID_A = id_for(datetime.date(1941, 5, 6), 123)
ID_MISS = id_for(datetime.date(1950, 1, 2), 456)
PHONE = "13812345678"


def _page(client, q):
    assert client.get("/residents/", {"q": q}).status_code == 200


def _api(client, q):
    assert client.get("/api/v1/residents/", {"q": q}).status_code == 200


def _export(client, q):
    assert client.get("/residents/export.xlsx", {"q": q}).status_code == 200


ENTRY_POINTS = [("page", _page), ("api", _api), ("export", _export)]


@pytest.fixture
def pair(street):
    """Two residents sharing a landline-like mobile (a couple), one with an ID number."""
    zhang = ResidentFactory(
        name="张三", area=street.building_a1, id_number=ID_A, phone=f"+86{PHONE}"
    )
    wife = ResidentFactory(name="刘梅", area=street.building_a2, phone=f"+86{PHONE}")
    return zhang, wife


def _client(entry, client, api):
    return api if entry == "api" else client


@pytest.mark.parametrize(("entry", "search"), ENTRY_POINTS)
def test_a_whole_id_number_that_finds_someone_is_logged(client, api, people, pair, entry, search):
    zhang, _wife = pair
    http = _client(entry, client, api)
    login(http, people.worker_a)
    with translation.override("zh-hans"):
        search(http, ID_A)
    [log] = AccessLog.objects.all()
    assert (log.actor, log.object_type, log.object_id) == (
        people.worker_a,
        "residents.resident",
        str(zhang.pk),
    )
    assert (log.field, log.actor_role, log.area_path) == (
        "id_number",
        people.worker_a.role,
        zhang.area.path,
    )
    assert log.reason and ID_A not in log.reason
    assert log.created_at is not None


@pytest.mark.parametrize(("entry", "search"), ENTRY_POINTS)
def test_a_whole_phone_logs_each_resident_found(client, api, people, pair, entry, search):
    http = _client(entry, client, api)
    login(http, people.worker_a)
    search(http, "138 1234 5678")
    logged = AccessLog.objects.values_list("object_id", "field")
    assert sorted(logged) == sorted((str(r.pk), "phone") for r in pair)


@pytest.mark.parametrize(("entry", "search"), ENTRY_POINTS)
@pytest.mark.parametrize("q", [ID_MISS, "13900009999", "张三", "zhangsan", "zs", "5678"])
def test_a_miss_or_a_name_or_tail_search_is_not_logged(client, api, people, pair, entry, search, q):
    http = _client(entry, client, api)
    login(http, people.worker_a)
    search(http, q)
    assert not AccessLog.objects.exists()


def test_only_residents_in_scope_and_filters_are_logged(api, people, pair, street):
    zhang, wife = pair
    login(api, people.worker_b)  # another community: finds neither
    assert api.get("/api/v1/residents/", {"q": PHONE}).json()["count"] == 0
    assert not AccessLog.objects.exists()
    login(api, people.worker_a)
    area = {"q": PHONE, "area": street.building_a2.code}
    assert api.get("/api/v1/residents/", area).json()["count"] == 1
    assert list(AccessLog.objects.values_list("object_id", flat=True)) == [str(wife.pk)]


def test_a_role_that_may_not_search_by_whole_number_leaves_no_entry(api, people, pair):
    login(api, people.district)  # finds nobody by a whole number (selectors._may_match)
    assert api.get("/api/v1/residents/", {"q": PHONE}).json()["count"] == 0
    assert not AccessLog.objects.exists()


def test_supervisors_read_the_search_entries(api, people, pair):
    zhang, _wife = pair
    login(api, people.worker_a)
    api.get("/api/v1/residents/", {"q": ID_A})
    entries = access_log_list(actor=people.command, object_id=str(zhang.pk))
    assert [e.field for e in entries] == ["id_number"]
    assert not access_log_list(actor=people.social, object_id=str(zhang.pk)).filter(field="phone")


def test_the_reason_is_translated(api, people, pair):
    login(api, people.worker_a)
    with translation.override("zh-hans"):
        api.get("/api/v1/residents/", {"q": ID_A}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    reason = AccessLog.objects.get().reason
    assert reason != "search by whole number"
