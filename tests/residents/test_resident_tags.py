"""Key-population tags edited by hand (service, page, API) and the re-ranking of the
resident's open requests that follows, also after a re-imported canvass sheet."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import login
from tests.needs.factories_needs import make_need
from tests.residents.factories_residents import HouseholdFactory, ResidentFactory, id_for
from tests.spreadsheets import write_csv
from wushe.core.audit import ActionLog
from wushe.core.errors import ApplicationError, PermissionDeniedError
from wushe.core.management.actor import SystemActor
from wushe.needs import services as needs_services
from wushe.residents.models import Resident
from wushe.residents.services import resident_import_file, resident_set_tags, resident_update


@pytest.fixture
def resident(street):
    household = HouseholdFactory(building=street.building_a1)
    return ResidentFactory(
        area=street.building_a1, household=household, birth_date=datetime.date(1975, 6, 1)
    )


def codes(resident) -> dict[str, str]:
    return {link.tag.code: link.source for link in resident.tag_links.select_related("tag")}


def test_set_tags_adds_changes_and_removes(people, resident):
    resident_set_tags(
        actor=people.worker_a,
        resident=resident,
        tags={
            "living_alone": {},
            "critical_treatment": {"treatment": "dialysis", "schedule": "周二、四 14:00"},
        },
    )
    assert codes(resident) == {"living_alone": "manual", "critical_treatment": "manual"}
    link = resident.tag_links.get(tag__code="critical_treatment")
    assert (link.treatment, link.schedule) == ("dialysis", "周二、四 14:00")

    resident_set_tags(
        actor=people.worker_a,
        resident=resident,
        tags={"critical_treatment": {"treatment": "chemotherapy"}},
    )
    assert codes(resident) == {"critical_treatment": "manual"}
    assert resident.tag_links.get().treatment == "chemotherapy"
    entries = ActionLog.objects.filter(action="residents.resident.tags_changed")
    assert entries.count() == 2
    assert entries.order_by("pk").last().data == {
        "added": [],
        "removed": ["living_alone"],
        "changed": ["critical_treatment"],
    }


def test_details_that_do_not_apply_are_not_stored(people, resident):
    resident_set_tags(
        actor=people.worker_a,
        resident=resident,
        tags={"living_alone": {"treatment": "dialysis", "disability_grade": 2}},
    )
    link = resident.tag_links.get()
    assert (link.treatment, link.disability_grade) == ("", None)


@pytest.mark.parametrize(
    ("tags", "field", "message"),
    [
        ({"nobody": {}}, "tags", "Unknown key-population tag “nobody”."),
        ({"elderly_80": {}}, "tags", "follows from the birth date"),
        ({"disabled": {"disability_grade": 5}}, "disability_grade", "1, 2, 3 or 4"),
        ({"disabled": {"disability_category": "x"}}, "disability_category", "Unknown value"),
        ({"critical_treatment": {"treatment": "x"}}, "treatment", "Unknown value"),
    ],
)
def test_bad_tags_refused_naming_the_field(people, resident, tags, field, message):
    with pytest.raises(ApplicationError) as exc:
        resident_set_tags(actor=people.worker_a, resident=resident, tags=tags)
    assert exc.value.field == field
    assert message in str(exc.value.message)
    assert not resident.tag_links.exists()


def test_out_of_scope_refused(people, resident):
    with pytest.raises(PermissionDeniedError):
        resident_set_tags(actor=people.worker_b, resident=resident, tags={"living_alone": {}})
    assert not resident.tag_links.exists()


def test_tags_page_ticks_and_saves(client, people, resident):
    login(client, people.worker_a)
    page = client.get(f"/residents/{resident.pk}/tags/")
    assert page.status_code == 200
    assert "独居" in page.content.decode()
    response = client.post(
        f"/residents/{resident.pk}/tags/",
        {"tag_living_alone": "on", "tag_disabled": "on", "disability_grade": "2"},
    )
    assert response.status_code == 302
    assert codes(resident) == {"living_alone": "manual", "disabled": "manual"}
    assert resident.tag_links.get(tag__code="disabled").disability_grade == 2
    detail = client.get(f"/residents/{resident.pk}/").content.decode()
    assert "独居" in detail


def test_tags_page_scoped_and_needs_edit_permission(client, people, resident):
    login(client, people.worker_b)
    assert client.get(f"/residents/{resident.pk}/tags/").status_code == 404
    client.logout()
    login(client, people.volunteer)
    assert client.get(f"/residents/{resident.pk}/tags/").status_code == 403


def test_api_put_tags(api, people, resident):
    api.force_authenticate(people.worker_a)
    response = api.put(
        f"/api/v1/residents/{resident.pk}/tags/",
        {"tags": [{"code": "empty_nest"}, {"code": "disabled", "disability_grade": 1}]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert {t["code"] for t in response.json()["tags"]} == {"empty_nest", "disabled"}
    bad = api.put(
        f"/api/v1/residents/{resident.pk}/tags/", {"tags": [{"code": "nobody"}]}, format="json"
    )
    assert bad.status_code == 400
    assert "nobody" in bad.content.decode()
    api.force_authenticate(people.worker_b)
    other = api.put(f"/api/v1/residents/{resident.pk}/tags/", {"tags": []}, format="json")
    assert other.status_code == 404
    assert codes(resident) == {"empty_nest": "manual", "disabled": "manual"}


def test_open_requests_are_reranked_when_tags_change(
    people, street, resident, django_capture_on_commit_callbacks
):
    need = make_need(people.worker_a, street.building_a1, resident=resident)
    done = make_need(people.worker_a, street.building_a1, resident=resident, category="medicine")
    done.status = "done"
    done.save(update_fields=["status"])
    before, before_done = need.priority, done.priority
    with django_capture_on_commit_callbacks(execute=True):
        resident_set_tags(actor=people.worker_a, resident=resident, tags={"living_alone": {}})
    need.refresh_from_db()
    done.refresh_from_db()
    assert need.priority > before
    assert "living_alone" in str(need.priority_breakdown["reasons"])
    event = need.events.get(action="reranked")
    assert event.note == f"{before} → {need.priority}"
    assert event.action_label == "re-ranked: the resident's key-population tags changed"
    assert done.priority == before_done  # closed requests keep the rank they had

    with django_capture_on_commit_callbacks(execute=True):
        resident_set_tags(actor=people.worker_a, resident=resident, tags={})
    need.refresh_from_db()
    assert need.priority == before


def test_new_birth_date_reranks(people, street, resident, django_capture_on_commit_callbacks):
    need = make_need(people.worker_a, street.building_a1, resident=resident)
    before = need.priority
    with django_capture_on_commit_callbacks(execute=True):
        resident_update(
            actor=people.worker_a, resident=resident, id_number=id_for(datetime.date(1936, 2, 2))
        )
    need.refresh_from_db()
    assert need.priority > before
    assert "elderly_80" in str(need.priority_breakdown["reasons"])


def test_reimported_sheet_reranks(people, street, tmp_path, django_capture_on_commit_callbacks):
    number = id_for(datetime.date(1970, 5, 5), 77)
    header = ["姓名", "身份证号", "联系电话", "楼号", "单元", "门牌号", "人员类别"]
    first = write_csv(
        tmp_path / "a.csv", [header, ["李四", number, "13900001111", "一村1号楼", "1", "101", ""]]
    )
    second = write_csv(
        tmp_path / "b.csv",
        [header, ["李四", number, "13900001111", "一村1号楼", "1", "101", "独居"]],
    )
    kwargs = {"actor": SystemActor(), "area": street.community_a}
    resident_import_file(source=first, filename="a.csv", **kwargs)
    resident = Resident.objects.get()
    need = make_need(people.worker_a, street.building_a1, resident=resident)
    before = need.priority
    with django_capture_on_commit_callbacks(execute=True):
        report = resident_import_file(source=second, filename="b.csv", **kwargs)
    assert report.updated == 1
    need.refresh_from_db()
    assert need.priority > before
    assert need.events.filter(action="reranked").exists()
    with django_capture_on_commit_callbacks(execute=True):
        resident_import_file(source=second, filename="b.csv", dry_run=True, **kwargs)
    assert need.events.filter(action="reranked").count() == 1


def test_tags_page_keeps_the_notes_it_does_not_show(client, people, resident):
    resident_set_tags(
        actor=people.worker_a,
        resident=resident,
        tags={"living_alone": {"note": "子女在外地，每周来电"}},
    )
    login(client, people.worker_a)
    response = client.post(
        f"/residents/{resident.pk}/tags/", {"tag_living_alone": "on", "tag_disabled": "on"}
    )
    assert response.status_code == 302
    assert resident.tag_links.get(tag__code="living_alone").note == "子女在外地，每周来电"
    assert resident.tag_links.get(tag__code="disabled").note is None  # empty: NULL


def test_a_failed_rerank_does_not_fail_the_saved_tags(
    client, people, resident, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise OperationalError("deadlock detected")

    monkeypatch.setattr(needs_services, "needs_rerank_for_residents", broken)
    login(client, people.worker_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/residents/{resident.pk}/tags/", {"tag_living_alone": "on"})
    assert response.status_code == 302  # the tags were committed: no error page
    assert codes(resident) == {"living_alone": "manual"}


def test_a_hand_edit_reranks_without_reading_every_open_request(people, street, resident):
    # A tags page save re-ranks that resident's requests; it must not read the (city-wide)
    # open requests of everyone else to find them.
    other = ResidentFactory(area=street.building_a1, household=resident.household)
    mine = make_need(people.worker_a, street.building_a1, resident=resident)
    theirs = make_need(people.worker_a, street.building_a1, resident=other)
    with CaptureQueriesContext(connection) as queries:
        needs_services.needs_rerank_for_residents(resident_ids=[resident.pk])
    first = next(q["sql"] for q in queries.captured_queries if "needs_need" in q["sql"])
    assert re.search(rf'"resident_id" IN \({resident.pk}\)', first), first
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert not theirs.events.filter(action="reranked").exists()


def test_reimport_listing_a_tag_entered_by_hand_keeps_it(people, street, tmp_path):
    number = id_for(datetime.date(1970, 5, 5), 77)
    header = ["姓名", "身份证号", "联系电话", "楼号", "单元", "门牌号", "人员类别"]
    row = ["李四", number, "13900001111", "一村1号楼", "1", "101"]
    first = write_csv(tmp_path / "a.csv", [header, [*row, "低保"]])
    second = write_csv(tmp_path / "b.csv", [header, [*row, "独居、残疾二级"]])
    kwargs = {"actor": SystemActor(), "area": street.community_a}
    resident_import_file(source=first, filename="a.csv", **kwargs)
    resident = Resident.objects.get()
    resident_set_tags(
        actor=people.worker_a, resident=resident, tags={"living_alone": {}, "low_income": {}}
    )
    report = resident_import_file(source=second, filename="b.csv", **kwargs)
    assert (report.updated, report.rejected) == (1, [])
    # 独居 was entered by hand and stays so; 低保 came from the first sheet and goes with it.
    assert codes(resident) == {"living_alone": "manual", "disabled": "import"}


def test_tags_page_is_for_roles_that_see_tag_details(client, people, resident):
    """The tags page fills its form with the stored treatment schedule: a role that may edit
    residents but not see health notes (a system administrator) gets no page, rather than
    the schedule in the form."""
    resident_set_tags(
        actor=people.worker_a,
        resident=resident,
        tags={"critical_treatment": {"treatment": "dialysis", "schedule": "周二四六 8:00"}},
    )
    login(client, people.admin)
    url = f"/residents/{resident.pk}/tags/"
    assert url not in client.get(f"/residents/{resident.pk}/").content.decode()  # no link
    page = client.get(url)
    assert page.status_code == 403 and "周二四六" not in page.content.decode()
    assert client.post(url, {"tag_living_alone": "on"}).status_code == 403
    assert resident.tag_links.get().schedule == "周二四六 8:00"  # nothing cleared
    login(client, people.worker_a)
    assert "周二四六" in client.get(url).content.decode()
