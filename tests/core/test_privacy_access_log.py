"""Reveal writes the access log; supervisors read it within their scope (selector, page, admin)."""

import pytest
from django.utils import timezone

from tests.conftest import login
from tests.core.privacy_testapp.models import Person
from tests.factories import AreaFactory, UserFactory
from wushe.accounts.roles import Role
from wushe.areas.levels import Level
from wushe.core.errors import ApplicationError, PermissionDeniedError
from wushe.core.models import AccessLog
from wushe.core.privacy import reveal
from wushe.core.privacy.selectors import access_log_list
from wushe.core.privacy.services import REVEAL_NOT_ALLOWED, REVEAL_REASON_REQUIRED

ID = "31011519900101123X"
PHONE = "13812345678"


@pytest.fixture
def person(street):
    return Person.objects.create(
        area=street.building_a1, name="张三", id_number=ID, phone=PHONE, health_note="透析"
    )


@pytest.fixture
def other(street):
    return Person.objects.create(
        area=street.building_b1, name="李四", id_number="310115198001011111"
    )


@pytest.fixture
def outsider(street):
    elsewhere = AreaFactory(
        code="310115902000", name="其他街道", level=Level.STREET, parent=street.district
    )
    return UserFactory(username="outsider", role=Role.STREET_COMMAND, scope_area=elsewhere)


def test_reveal_returns_full_value_and_logs_who_whose_what_when_why(people, person, street):
    before = timezone.now()
    assert reveal(people.worker_a, person, "id_number", reason="核对身份，登记药品代取") == ID
    entry = AccessLog.objects.get()
    assert entry.actor == people.worker_a
    assert entry.actor_role == Role.COMMUNITY_WORKER
    assert entry.actor_scope_path == street.community_a.path
    assert (entry.object_type, entry.object_id) == ("privacy_testapp.person", str(person.pk))
    assert entry.field == "id_number"
    assert entry.reason == "核对身份，登记药品代取"
    assert entry.area_path == street.building_a1.path
    assert entry.created_at >= before


@pytest.mark.parametrize(
    ("who", "field"),
    [
        ("volunteer", "id_number"),
        ("volunteer", "phone"),
        ("volunteer", "health_note"),
        ("org", "id_number"),
        ("org", "phone"),
        ("district", "id_number"),
        ("admin", "health_note"),
    ],
)
def test_reveal_refused_for_roles_that_may_not(people, person, who, field):
    with pytest.raises(PermissionDeniedError) as exc:
        reveal(getattr(people, who), person, field, reason="想看看")
    assert exc.value.message == REVEAL_NOT_ALLOWED
    assert not AccessLog.objects.exists()


def test_reveal_refused_outside_the_actors_scope(people, other):
    with pytest.raises(PermissionDeniedError):
        reveal(people.worker_a, other, "id_number", reason="核对")
    assert reveal(people.worker_b, other, "id_number", reason="核对") == "310115198001011111"


def test_reveal_needs_a_reason(people, person):
    with pytest.raises(ApplicationError) as exc:
        reveal(people.command, person, "phone", reason="  ")
    assert exc.value.message == REVEAL_REASON_REQUIRED and exc.value.field == "reason"
    assert not AccessLog.objects.exists()


def test_volunteer_on_an_active_task_may_reveal_the_phone_only(people, person):
    active = {"assigned_active": True}
    assert reveal(people.volunteer, person, "phone", reason="送药上门", context=active) == PHONE
    with pytest.raises(PermissionDeniedError):
        reveal(people.volunteer, person, "id_number", reason="送药上门", context=active)
    assert AccessLog.objects.get().actor == people.volunteer


def test_access_log_is_append_only(people, person):
    reveal(people.command, person, "phone", reason="回访")
    entry = AccessLog.objects.get()
    entry.reason = "改写"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()


@pytest.fixture
def entries(people, person, other):
    reveal(people.worker_a, person, "id_number", reason="核对 A")
    reveal(people.worker_b, other, "phone", reason="回访 B")


def reasons(qs):
    return sorted(e.reason for e in qs)


def test_selector_scoping_owner_colleague_outsider(people, entries, outsider):
    # Supervisors of the street see both; a community-scoped admin only their community's.
    assert reasons(access_log_list(actor=people.command)) == ["回访 B", "核对 A"]
    assert reasons(access_log_list(actor=people.social)) == ["回访 B", "核对 A"]
    assert reasons(access_log_list(actor=people.admin)) == ["回访 B", "核对 A"]
    assert reasons(access_log_list(actor=people.scoped_admin)) == ["核对 A"]
    assert reasons(access_log_list(actor=outsider)) == []
    # Workers, volunteers and the rest are not supervisors, not even of their own reveals.
    for who in ("worker_a", "worker_b", "volunteer", "org", "district"):
        with pytest.raises(PermissionDeniedError):
            access_log_list(actor=getattr(people, who))


def test_selector_filters_by_record(people, entries, person):
    qs = access_log_list(
        actor=people.command, object_type="privacy_testapp.person", object_id=str(person.pk)
    )
    assert reasons(qs) == ["核对 A"]


def test_page_is_scoped_and_for_supervisors_only(client, people, entries, outsider):
    login(client, people.command)
    body = client.get("/privacy/access-log/").content.decode()
    assert "核对 A" in body and "回访 B" in body
    login(client, people.scoped_admin)
    body = client.get("/privacy/access-log/").content.decode()
    assert "核对 A" in body and "回访 B" not in body
    login(client, outsider)
    body = client.get("/privacy/access-log/").content.decode()
    assert "核对 A" not in body and "回访 B" not in body
    for who in ("worker_a", "volunteer"):
        login(client, getattr(people, who))
        assert client.get("/privacy/access-log/").status_code == 403
    client.logout()
    assert client.get("/privacy/access-log/").status_code == 302


def test_page_never_shows_the_revealed_value(client, people, entries):
    login(client, people.command)
    body = client.get("/privacy/access-log/").content.decode()
    assert ID not in body


def test_page_query_count_does_not_grow_with_entries(
    client, people, person, django_assert_max_num_queries
):
    for n in range(20):
        reveal(people.command, person, "phone", reason=f"回访 {n}")
    login(client, people.command)
    with django_assert_max_num_queries(8):
        assert client.get("/privacy/access-log/").status_code == 200


def test_admin_is_read_only_and_scoped(client, people, entries):
    login(client, people.scoped_admin)
    body = client.get("/admin/core/accesslog/").content.decode()
    assert "privacy_testapp.person" in body
    mine = AccessLog.objects.get(reason="核对 A")
    theirs = AccessLog.objects.get(reason="回访 B")
    assert client.get(f"/admin/core/accesslog/{mine.pk}/change/").status_code == 200
    assert client.get(f"/admin/core/accesslog/{theirs.pk}/change/").status_code == 302
    assert client.get("/admin/core/accesslog/add/").status_code == 403
    assert client.post(f"/admin/core/accesslog/{mine.pk}/delete/").status_code == 403
    login(client, people.admin)
    body = client.get("/admin/core/accesslog/").content.decode()
    assert body.count("privacy_testapp.person") >= 2
