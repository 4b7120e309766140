"""Shifts: the volunteer goes on and off shift in one tap, a dispatcher does it for the
volunteers of their area (and no other), every shift is in the ledger with who and when, the
hours this week add up; the toggle on My tasks and My route, and the API."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import login
from tests.factories import UserFactory
from tests.needs.factories_needs import make_need, make_volunteer
from wushe.accounts.roles import Role
from wushe.core.errors import ApplicationError, PermissionDeniedError
from wushe.core.models import ActionLog
from wushe.needs import services as needs_services
from wushe.volunteers import errors, selectors, services
from wushe.volunteers.models import Shift, VolunteerProfile

SHIFT_LOGGED = "volunteers.profile.shift_changed"


@pytest.fixture
def vol_a(street):
    return make_volunteer("vol_a", street.community_a)


@pytest.fixture
def vol_b(street):
    return make_volunteer("vol_b", street.community_b)


def _profile(user) -> VolunteerProfile:
    return VolunteerProfile.objects.get(user=user)


def test_self_start_and_end_are_recorded_with_who(vol_a):
    p = services.volunteer_set_shift(actor=vol_a, profile=_profile(vol_a), on_shift=True)
    assert p.on_shift
    shift = Shift.objects.get(volunteer=p)
    assert shift.started_by == vol_a and shift.ended_at is None
    services.volunteer_set_shift(actor=vol_a, profile=p, on_shift=False)
    shift.refresh_from_db()
    assert shift.ended_by == vol_a and shift.ended_at >= shift.started_at
    assert not _profile(vol_a).on_shift
    assert ActionLog.objects.filter(action=SHIFT_LOGGED).count() == 2


def test_same_state_again_changes_nothing(vol_a):
    for _ in range(3):
        services.volunteer_set_shift(actor=vol_a, profile=_profile(vol_a), on_shift=True)
    assert Shift.objects.filter(volunteer__user=vol_a).count() == 1
    assert ActionLog.objects.filter(action=SHIFT_LOGGED).count() == 1
    services.volunteer_set_shift(actor=vol_a, profile=_profile(vol_a), on_shift=False)
    services.volunteer_set_shift(actor=vol_a, profile=_profile(vol_a), on_shift=False)
    assert ActionLog.objects.filter(action=SHIFT_LOGGED).count() == 2


def test_dispatcher_in_area_only(people, vol_a, vol_b):
    services.volunteer_set_shift(actor=people.worker_a, profile=_profile(vol_a), on_shift=True)
    assert Shift.objects.get(volunteer__user=vol_a).started_by == people.worker_a
    for outsider, target in [
        (people.worker_b, vol_a),  # another community's dispatcher
        (people.worker_a, vol_b),
        (people.social, vol_a),  # in scope, but does not run dispatch
        (people.district, vol_a),
        (vol_b, vol_a),  # another volunteer
    ]:
        with pytest.raises(PermissionDeniedError) as exc:
            services.volunteer_set_shift(actor=outsider, profile=_profile(target), on_shift=False)
        assert exc.value.message == errors.SHIFT_NOT_YOURS
    assert _profile(vol_a).on_shift and not _profile(vol_b).on_shift


def test_paused_profile_cannot_start(vol_a):
    VolunteerProfile.objects.filter(user=vol_a).update(is_active=False)
    with pytest.raises(ApplicationError) as exc:
        services.volunteer_set_shift(actor=vol_a, profile=_profile(vol_a), on_shift=True)
    assert exc.value.message == errors.PROFILE_PAUSED
    assert not Shift.objects.exists()


def test_upsert_keeps_the_ledger(street):
    user = UserFactory(username="vol_u", role=Role.VOLUNTEER, scope_area=street.community_a)
    p = services.volunteer_profile_upsert(
        actor=None, user=user, home_area=street.grid_a1, skills=[], on_shift=True
    )
    assert Shift.objects.get(volunteer=p).ended_at is None
    services.volunteer_profile_upsert(actor=None, user=user, home_area=street.grid_a1, skills=[])
    assert Shift.objects.get(volunteer=p).ended_at is not None


def test_hours_this_week_add_up(vol_a):
    p = _profile(vol_a)
    monday = selectors.week_start(datetime(2026, 11, 25, 15, tzinfo=ZoneInfo("Asia/Shanghai")))
    assert timezone.localtime(monday).weekday() == 0 and timezone.localtime(monday).hour == 0
    now = monday + timedelta(days=2, hours=12)
    Shift.objects.bulk_create(
        [
            # Sunday night into Monday: only the hour after midnight counts.
            Shift(volunteer=p, started_at=monday - timedelta(hours=2), ended_at=monday + timedelta(hours=1)),
            Shift(volunteer=p, started_at=monday + timedelta(days=1), ended_at=monday + timedelta(days=1, hours=2, minutes=30)),
            # Still open: counts up to now.
            Shift(volunteer=p, started_at=now - timedelta(hours=3)),
            Shift(volunteer=p, started_at=monday - timedelta(days=3), ended_at=monday - timedelta(days=2)),
        ]
    )  # fmt: skip
    assert selectors.hours_since([p], monday, now=now) == {p.pk: 6.5}


def test_volunteers_page_scoped_and_dispatcher_toggles(client, people, vol_a, vol_b):
    login(client, people.worker_a)
    page = client.get("/volunteers/").content.decode()
    assert f'id="volunteer-{_profile(vol_a).pk}"' in page
    assert f'id="volunteer-{_profile(vol_b).pk}"' not in page

    r = client.post("/volunteers/", {"volunteer": _profile(vol_a).pk, "on_shift": "1"})
    assert r.status_code == 302 and _profile(vol_a).on_shift
    assert Shift.objects.get(volunteer__user=vol_a).started_by == people.worker_a

    # Another community's volunteer: not found, and nothing changes.
    r = client.post("/volunteers/", {"volunteer": _profile(vol_b).pk, "on_shift": "1"})
    assert r.status_code == 404 and not _profile(vol_b).on_shift

    login(client, people.worker_b)
    assert (
        client.post("/volunteers/", {"volunteer": _profile(vol_a).pk, "on_shift": "0"}).status_code
        == 404
    )
    assert _profile(vol_a).on_shift

    login(client, people.command)  # the whole street: both
    page = client.get("/volunteers/").content.decode()
    assert f'id="volunteer-{_profile(vol_b).pk}"' in page


def test_volunteers_page_who_may(client, people, vol_a):
    login(client, vol_a)
    assert client.get("/volunteers/").status_code == 403
    login(client, people.social)  # reads no volunteer list, sets no shift
    assert client.get("/volunteers/").status_code == 403
    assert (
        client.post("/volunteers/", {"volunteer": _profile(vol_a).pk, "on_shift": "1"}).status_code
        == 403
    )
    assert not _profile(vol_a).on_shift


def test_volunteers_page_query_count(client, people, street):
    login(client, people.command)
    make_volunteer("v1", street.community_a)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/volunteers/").status_code == 200
    for i in range(2, 8):
        v = make_volunteer(f"v{i}", street.community_b)
        services.volunteer_set_shift(actor=v, profile=_profile(v), on_shift=True)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/volunteers/").status_code == 200
    assert len(many) == len(few)


def test_toggle_on_my_tasks_and_back(client, vol_a):
    login(client, vol_a)
    page = client.get("/needs/my-tasks/").content.decode()
    assert 'data-testid="shift"' in page and 'name="on_shift" value="1"' in page
    r = client.post("/volunteers/me/shift/", {"on_shift": "1", "next": "/dispatch/my-route/"})
    assert r.status_code == 302 and r["Location"] == "/dispatch/my-route/"
    assert _profile(vol_a).on_shift
    page = client.get("/dispatch/my-route/").content.decode()
    assert 'data-testid="shift"' in page and 'name="on_shift" value="0"' in page
    # Somewhere else than this site: back to My tasks instead.
    r = client.post("/volunteers/me/shift/", {"on_shift": "0", "next": "https://evil.example/"})
    assert r["Location"] == "/needs/my-tasks/" and not _profile(vol_a).on_shift
    # Neither on nor off: said, nothing changes.
    r = client.post("/volunteers/me/shift/", {"on_shift": "yes"}, follow=True)
    assert str(errors.SHIFT_CHOICE) in r.content.decode() and not _profile(vol_a).on_shift


def test_toggle_warns_accepted_tasks_stay(client, people, street, vol_a):
    need = make_need(people.worker_a, street.building_a1)
    task = needs_services.task_create(actor=people.worker_a, need=need)
    a = needs_services.task_offer(actor=people.worker_a, task=task, volunteer=vol_a)
    services.volunteer_set_shift(actor=vol_a, profile=_profile(vol_a), on_shift=True)
    login(client, vol_a)
    assert 'data-testid="shift-kept"' not in client.get("/needs/my-tasks/").content.decode()
    needs_services.assignment_accept(actor=vol_a, assignment=a)
    assert 'data-testid="shift-kept"' in client.get("/needs/my-tasks/").content.decode()
    assert 'data-testid="shift-kept"' in client.get("/dispatch/my-route/").content.decode()
    client.post("/volunteers/me/shift/", {"on_shift": "0"})
    a.refresh_from_db()
    assert a.state == "accepted"  # ending the shift leaves the task with them


def test_non_volunteers_see_no_toggle_and_cannot_post(client, people):
    login(client, people.worker_a)
    assert client.post("/volunteers/me/shift/", {"on_shift": "1"}).status_code == 403
    login(client, people.volunteer)  # a volunteer without a profile yet
    assert 'data-testid="shift"' not in client.get("/needs/my-tasks/").content.decode()
    assert client.post("/volunteers/me/shift/", {"on_shift": "1"}).status_code == 404


def test_api_shift_owner_and_others(api, people, vol_a):
    api.force_authenticate(vol_a)
    r = api.get("/api/v1/volunteers/me/shift/")
    assert r.status_code == 200 and r.json()["on_shift"] is False
    for _ in range(2):  # a retry finds it already so
        r = api.post("/api/v1/volunteers/me/shift/", {"on_shift": True}, format="json")
        assert r.status_code == 200 and r.json()["on_shift"] is True and r.json()["since"]
    assert Shift.objects.filter(volunteer__user=vol_a).count() == 1
    r = api.post("/api/v1/volunteers/me/shift/", {}, format="json")
    assert r.status_code == 400 and "on_shift" in r.json().get("fields", r.json())
    r = api.post("/api/v1/volunteers/me/shift/", {"on_shift": False}, format="json")
    assert r.json() == {**r.json(), "on_shift": False, "since": None}
    api.force_authenticate(people.worker_a)
    assert (
        api.post("/api/v1/volunteers/me/shift/", {"on_shift": True}, format="json").status_code
        == 403
    )
    api.force_authenticate(people.volunteer)  # no profile
    assert api.get("/api/v1/volunteers/me/shift/").status_code == 404


def test_api_in_schema(api, people):
    api.force_authenticate(people.command)
    schema = api.get("/api/schema/", {"format": "json"}).json()
    assert "post" in schema["paths"]["/api/v1/volunteers/me/shift/"]


def test_one_open_shift_per_volunteer_in_the_database(vol_a):
    """The backstop for two starts at once (the service also locks the profile)."""
    p = services.volunteer_set_shift(actor=vol_a, profile=_profile(vol_a), on_shift=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Shift.objects.create(volunteer=p, started_at=timezone.now())


def test_toggle_shows_the_date_of_a_shift_begun_before_today(client, vol_a):
    services.volunteer_set_shift(actor=vol_a, profile=_profile(vol_a), on_shift=True)
    login(client, vol_a)
    started = Shift.objects.get(volunteer__user=vol_a).started_at
    assert f"{timezone.localtime(started):%H:%M}" in client.get("/needs/my-tasks/").content.decode()
    started -= timedelta(days=2)
    Shift.objects.filter(volunteer__user=vol_a).update(started_at=started)
    page = client.get("/needs/my-tasks/").content.decode()
    assert f"{timezone.localtime(started):%m-%d %H:%M}" in page


def test_api_dispatcher_sets_a_volunteer_in_area_only(api, people, vol_a, vol_b):
    url = f"/api/v1/volunteers/{_profile(vol_a).pk}/shift/"
    api.force_authenticate(people.worker_a)
    r = api.post(url, {"on_shift": True}, format="json")
    assert r.status_code == 200 and r.json()["on_shift"] is True
    assert Shift.objects.get(volunteer__user=vol_a).started_by == people.worker_a
    api.force_authenticate(people.worker_b)  # another community
    assert api.post(url, {"on_shift": False}, format="json").status_code == 404
    api.force_authenticate(people.social)  # does not run dispatch
    assert api.post(url, {"on_shift": False}, format="json").status_code == 403
    api.force_authenticate(vol_a)  # their own: through /me/
    assert api.post(url, {"on_shift": False}, format="json").status_code == 403
    assert _profile(vol_a).on_shift


def test_volunteers_on_shift_before_shifts_were_recorded_get_an_open_shift(vol_a, vol_b):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("wushe.volunteers.migrations.0004_open_shift_rows")
    before = _profile(vol_a)
    VolunteerProfile.objects.filter(pk=before.pk).update(on_shift=True)  # as older data held it
    services.volunteer_set_shift(actor=vol_b, profile=_profile(vol_b), on_shift=True)
    assert not Shift.objects.filter(volunteer=before).exists()
    migration.open_shifts(apps, None)
    migration.open_shifts(apps, None)  # a second run adds nothing
    assert Shift.objects.filter(volunteer=before, ended_at__isnull=True).count() == 1
    assert Shift.objects.filter(volunteer=_profile(vol_b)).count() == 1  # had one already
    services.volunteer_set_shift(actor=vol_a, profile=_profile(vol_a), on_shift=False)
    assert Shift.objects.get(volunteer=before).ended_at is not None  # ending it records hours
