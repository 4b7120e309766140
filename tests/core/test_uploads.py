"""Uploaded files: a spreadsheet or photo above the configured size is refused with its size
and the limit (page and API, nothing imported or taken in), a prescription must be a picture,
and a stored file is never served as a page the browser would run."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import translation

from tests.browser.browser_support import tr
from tests.conftest import login
from tests.needs.factories_needs import (
    make_need,
    make_volunteer,
    png_upload,
    task_done_with_photo,
)
from tests.spreadsheets import write_xlsx
from wushe.needs.models import Need
from wushe.residents.models import Resident


def _intake(client, street, attachment):
    return client.post(
        "/needs/intake/",
        {
            "area": street.building_a1.pk,
            "caller_name": "李奶奶",
            "caller_phone": "13700000000",
            "category": "medicine",
            "channel": "walk_in",
            "attachment": attachment,
        },
    )


def test_a_prescription_that_is_no_picture_is_refused(client, people, street):
    login(client, people.worker_a)
    page = SimpleUploadedFile("rx.html", b"<script>alert(1)</script>", content_type="text/html")
    response = _intake(client, street, page)
    assert response.status_code == 200  # the form again, with the reason
    assert not Need.objects.exists()
    assert tr("Photo of a prescription") in response.content.decode()

    response = _intake(client, street, png_upload())
    assert response.status_code == 302
    assert Need.objects.get().attachments.count() == 1


def test_a_photo_above_the_limit_is_refused_with_its_size(client, people, street, settings):
    photo = png_upload()
    settings.WUSHE_MAX_PHOTO_BYTES = photo.size - 1
    login(client, people.worker_a)
    response = _intake(client, street, photo)
    body = response.content.decode()
    assert response.status_code == 200 and not Need.objects.exists()
    with translation.override("zh-hans"):  # the page's language
        size, limit = filesizeformat(photo.size), filesizeformat(photo.size - 1)
    assert f"{size}" in body and f"{limit}" in body


def test_a_sheet_above_the_limit_is_refused_on_the_page_and_the_api(
    client, api, people, street, settings, tmp_path
):
    path = write_xlsx(tmp_path / "s.xlsx", [["姓名", "楼号"], ["张三", "1"]])
    settings.WUSHE_MAX_SHEET_BYTES = 100  # smaller than any workbook
    login(client, people.worker_a)
    with open(path, "rb") as handle:
        response = client.post(
            "/residents/import/",
            {
                "file": handle,
                "area": street.community_a.code,
                "legal_basis": "public_health_emergency",
            },
        )
    assert response.status_code == 400 and not Resident.objects.exists()
    with translation.override("zh-hans"):
        assert str(filesizeformat(100)) in response.content.decode()
    login(api, people.worker_a)
    with open(path, "rb") as handle:
        answer = api.post(
            "/api/v1/residents/import/",
            {"file": handle, "area": street.community_a.code},
            format="multipart",
        )
    assert answer.status_code == 400 and "file" in answer.json()
    assert not Resident.objects.exists()


def test_a_stored_file_that_is_no_picture_is_downloaded_not_rendered(client, people, street):
    # A file stored before pictures were required (or by another path) must not become a page
    # on the product's own origin.
    need = make_need(
        people.worker_a,
        street.building_a1,
        files=[
            SimpleUploadedFile("rx.html", b"<script>alert(1)</script>", content_type="text/html")
        ],
    )
    att = need.attachments.get()
    login(client, people.worker_a)
    response = client.get(f"/needs/{need.pk}/files/{att.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == "attachment"
    assert "sandbox" in response["Content-Security-Policy"]


def test_the_dispatcher_sees_the_photo_of_a_finished_task_in_scope_only(client, people, street):
    vol = make_volunteer("v1", street.community_a)
    need = make_need(people.worker_a, street.building_a1)
    task = task_done_with_photo(client, people.worker_a, need, vol)
    url = f"/needs/{need.pk}/tasks/{task.pk}/photo/"
    login(client, people.worker_a)
    assert url in client.get(f"/needs/{need.pk}/").content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == "inline"
    login(client, people.worker_b)
    assert client.get(url).status_code == 404
