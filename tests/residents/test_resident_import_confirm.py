"""Confirming a canvass preview: only the person who made it, only once it is done, only once
(a double tap starts one import), on the page and through the API; and the jobs endpoint an API
client follows a large import with, seen by whom the job's page is."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from tests.conftest import login
from tests.residents.factories_residents import id_for, post_canvass
from tests.spreadsheets import write_xlsx
from wushe.core import jobs
from wushe.core.jobs import job_create
from wushe.core.models import Job
from wushe.residents.models import Resident

ID_A = id_for(datetime.date(1941, 5, 6), 123)
BAD_ID = "310115194105061230"  # wrong check digit


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def sheet(tmp_path):
    rows = [["姓名", "身份证号", "楼号"], ["张三", ID_A, "1"], ["坏人", BAD_ID, "1"]]
    return write_xlsx(tmp_path / "canvass.xlsx", rows)


def _preview(client, people, street, sheet) -> Job:
    login(client, people.worker_a)
    assert post_canvass(client, sheet, street.community_a).status_code == 302
    return Job.objects.get(params__dry_run=True)


def _commits():
    return Job.objects.filter(params__dry_run=False)


def _page_messages(client, response) -> str:
    return client.get(response["Location"]).content.decode()


def _zh(message) -> str:
    """``message`` as a page in the default language shows it."""
    with translation.override("zh-hans"):
        return str(message)


# --- the page ----------------------------------------------------------------------------------


def test_a_colleague_cannot_confirm_another_users_preview(client, people, street, sheet):
    preview = _preview(client, people, street, sheet)
    login(client, people.command)  # may import in the whole street, preview included
    response = client.post(f"/residents/import/{preview.pk}/confirm/")
    assert response.status_code == 302
    assert response["Location"] == f"/residents/import/{preview.pk}/"
    assert _zh(jobs.PREVIEW_NOT_YOURS) in _page_messages(client, response)
    assert not _commits().exists() and not Resident.objects.exists()
    preview.refresh_from_db()
    assert preview.upload  # still the uploader's to confirm
    login(client, people.worker_a)
    assert client.post(f"/residents/import/{preview.pk}/confirm/").status_code == 302
    assert _commits().get().created_by == people.worker_a


@pytest.mark.parametrize("status", [Job.Status.PENDING, Job.Status.RUNNING])
def test_a_preview_not_finished_cannot_be_confirmed(client, people, street, sheet, status):
    preview = _preview(client, people, street, sheet)
    Job.objects.filter(pk=preview.pk).update(status=status, result={})
    response = client.post(f"/residents/import/{preview.pk}/confirm/")
    assert _zh(jobs.PREVIEW_NOT_DONE) in _page_messages(client, response)
    assert not _commits().exists()


def test_a_second_confirmation_starts_nothing(client, people, street, sheet):
    preview = _preview(client, people, street, sheet)
    first = client.post(f"/residents/import/{preview.pk}/confirm/")
    commit = _commits().get()
    assert first["Location"] == f"/residents/import/{commit.pk}/"
    second = client.post(f"/residents/import/{preview.pk}/confirm/")
    assert second["Location"] == f"/residents/import/{preview.pk}/"
    assert _zh(jobs.PREVIEW_TAKEN) in _page_messages(client, second)
    assert _commits().count() == 1 and Resident.objects.count() == 1


# --- the API -----------------------------------------------------------------------------------


def _large_preview(api, people, street, sheet, settings) -> Job:
    settings.WUSHE_IMPORT_SYNC_MAX_BYTES = 10
    login(api, people.worker_a)
    with open(sheet, "rb") as handle:
        response = api.post(
            "/api/v1/residents/import/",
            {"file": handle, "area": street.community_a.code},
            format="multipart",
        )
    assert response.status_code == 202
    return Job.objects.get(pk=response.json()["job"])


def test_api_client_follows_a_large_preview_and_confirms_it(api, people, street, sheet, settings):
    preview = _large_preview(api, people, street, sheet, settings)
    body = api.get(f"/api/v1/jobs/{preview.pk}/").json()
    assert body["status"] == "done" and body["kind"] == "residents.import"
    summary = body["summary"]
    assert summary["dry_run"] is True and summary["created"] == 1
    assert [r["row"] for r in summary["rejected"]] == [3]
    assert BAD_ID not in str(body) and BAD_ID[:4] + "*" * 10 + BAD_ID[-4:] in str(body)
    assert "preview" not in summary  # the report, not the rows' people

    confirmed = api.post(f"/api/v1/residents/import/{preview.pk}/confirm/")
    assert confirmed.status_code == 202
    commit = api.get(f"/api/v1/jobs/{confirmed.json()['job']}/").json()
    assert commit["status"] == "done" and commit["summary"]["dry_run"] is False
    assert Resident.objects.get().name == "张三"
    again = api.post(f"/api/v1/residents/import/{preview.pk}/confirm/")
    assert again.status_code == 400 and again.json()["detail"] == _zh(jobs.PREVIEW_TAKEN)
    assert _commits().count() == 1


def test_api_confirm_by_role(api, people, street, sheet, settings):
    preview = _large_preview(api, people, street, sheet, settings)
    url = f"/api/v1/residents/import/{preview.pk}/confirm/"
    login(api, people.command)  # sees the preview, did not make it
    assert api.post(url).status_code == 403
    login(api, people.worker_b)  # another community
    assert api.post(url).status_code == 404
    login(api, people.social)  # may not import
    assert api.post(url).status_code == 403
    assert not _commits().exists()
    Job.objects.filter(pk=preview.pk).update(status=Job.Status.RUNNING)
    login(api, people.worker_a)
    response = api.post(url)
    assert response.status_code == 400 and response.json()["detail"] == _zh(jobs.PREVIEW_NOT_DONE)
    assert not _commits().exists()


def test_jobs_endpoint_by_role(api, people, street, sheet, settings):
    preview = _large_preview(api, people, street, sheet, settings)
    url = f"/api/v1/jobs/{preview.pk}/"
    for user, code in [
        (people.worker_a, 200),  # made it
        (people.command, 200),  # its area is in theirs, may import residents
        (people.worker_b, 404),  # another community
        (people.social, 404),  # in scope, but an import's report needs the import permission
        (people.volunteer, 404),
    ]:
        login(api, user)
        assert api.get(url).status_code == code, user
    api.logout()
    assert api.get(url).status_code in (401, 403)
    login(api, people.worker_a)
    assert api.get("/api/v1/jobs/999999/").status_code == 404


def test_jobs_endpoint_shows_a_job_of_another_kind_by_scope_alone(api, people, street):
    job = job_create(
        actor=people.command,
        kind="areas.import",
        upload=SimpleUploadedFile("areas.csv", b"code,name\n"),
        area_path=street.community_a.path,
    )
    for user, code in [(people.social, 200), (people.worker_a, 200), (people.worker_b, 404)]:
        login(api, user)
        assert api.get(f"/api/v1/jobs/{job.pk}/").status_code == code, user
    assert "file_name" not in api.get(f"/api/v1/jobs/{job.pk}/").json()  # worker_b


def test_jobs_endpoint_reads_a_stalled_job_as_failed(api, people, street, settings):
    settings.WUSHE_JOB_STALE_AFTER_S = 60
    job = job_create(actor=people.worker_a, kind="areas.import", area_path=street.community_a.path)
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING,
        updated_at=job.updated_at - datetime.timedelta(minutes=5),
    )
    login(api, people.worker_a)
    body = api.get(f"/api/v1/jobs/{job.pk}/").json()
    assert body["status"] == "failed" and body["error"] == _zh(jobs.STALLED)


def test_schema_documents_the_jobs_endpoint_and_the_confirmation(api, people):
    login(api, people.worker_a)
    schema = api.get("/api/schema/?format=json").json()
    assert "/api/v1/jobs/{id}/" in schema["paths"]
    assert "/api/v1/residents/import/{job_id}/confirm/" in schema["paths"]
