"""Area pages: scoping for owner, colleague and outsider; import, move and merge forms."""

import pytest

from tests.conftest import login
from tests.spreadsheets import write_csv
from wushe.areas.models import Area, AreaChange
from wushe.core.models import Job


def test_list_shows_only_own_community(client, street, people):
    login(client, people.worker_a)
    body = client.get("/areas/").content.decode()
    assert street.grid_a1.name in body and street.community_a.name in body
    assert street.community_b.name not in body and street.grid_b1.name not in body


def test_detail_page_scoping(client, street, people):
    login(client, people.worker_a)
    assert client.get(f"/areas/{street.grid_a1.code}/").status_code == 200
    assert client.get(f"/areas/{street.grid_b1.code}/").status_code == 404
    login(client, people.worker_b)
    assert client.get(f"/areas/{street.grid_b1.code}/").status_code == 200
    assert client.get(f"/areas/{street.grid_a1.code}/").status_code == 404
    login(client, people.volunteer)
    assert client.get(f"/areas/{street.grid_a1.code}/").status_code == 403


def test_anonymous_is_sent_to_login(client, street):
    response = client.get("/areas/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_list_filters_and_query_count(client, street, people, django_assert_max_num_queries):
    login(client, people.command)
    body = client.get("/areas/?level=grid").content.decode()
    assert f'href="/areas/{street.grid_b1.code}/"' in body
    assert f'href="/areas/{street.community_a.code}/"' not in body
    with django_assert_max_num_queries(8):
        client.get("/areas/")


def test_import_page_preview_then_apply(client, street, people, tmp_path):
    path = write_csv(
        tmp_path / "b.csv",
        [
            ["代码", "名称", "层级", "经度", "纬度"],
            ["3101159010010010003", "一村3号楼", "楼栋", "121.54", "31.22"],
            ["3101159010010010004", "一村4号楼", "楼栋", "31.22", "121.54"],
        ],
    )
    login(client, people.worker_a)
    with open(path, "rb") as handle:
        response = client.post("/areas/import/", {"file": handle, "dry_run": "on"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "swapped" in body or "填反" in body  # the reason for row 3 is shown
    assert not Area.objects.filter(code="3101159010010010003").exists()
    with open(path, "rb") as handle:
        client.post("/areas/import/", {"file": handle})
    assert Area.objects.filter(code="3101159010010010003").exists()


def test_large_import_goes_to_a_job_page(client, street, people, tmp_path, settings):
    settings.WUSHE_IMPORT_SYNC_MAX_BYTES = 10
    path = write_csv(
        tmp_path / "b.csv", [["代码", "名称", "层级"], ["310115901001009", "九格", "网格"]]
    )
    login(client, people.worker_a)
    with open(path, "rb") as handle:
        response = client.post("/areas/import/", {"file": handle})
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == f"/jobs/{job.pk}/"
    assert job.status == Job.Status.DONE  # Celery runs eagerly in tests
    page = client.get(response.url)
    assert page.status_code == 200
    assert job.result["created"] == 1
    assert 'http-equiv="refresh"' not in page.content.decode()  # finished: no more refreshing
    login(client, people.worker_b)  # someone else's job is not theirs to see
    assert client.get(f"/jobs/{job.pk}/").status_code == 404


def test_import_page_rejects_a_non_spreadsheet(client, street, people, tmp_path):
    bad = tmp_path / "photo.jpg"
    bad.write_bytes(b"\xff\xd8\xff")
    login(client, people.worker_a)
    with open(bad, "rb") as handle:
        response = client.post("/areas/import/", {"file": handle})
    assert response.status_code == 400
    assert "photo.jpg" in response.content.decode()


@pytest.mark.parametrize("who", ["social", "volunteer", "district"])
def test_import_page_needs_import_permission(client, street, people, who):
    login(client, getattr(people, who))
    assert client.get("/areas/import/").status_code == 403


def test_move_form_on_detail_page(client, street, people):
    login(client, people.worker_a)
    assert "/move/" not in client.get(f"/areas/{street.building_a1.code}/").content.decode()
    assert client.post(f"/areas/{street.building_a1.code}/move/", {}).status_code == 403

    login(client, people.command)
    page = client.get(f"/areas/{street.building_a1.code}/").content.decode()
    assert f'value="{street.grid_a2.code}"' in page
    response = client.post(
        f"/areas/{street.building_a1.code}/move/", {"new_parent": street.grid_a2.code, "reason": ""}
    )
    assert response.status_code == 400
    response = client.post(
        f"/areas/{street.building_a1.code}/move/",
        {"new_parent": street.grid_a2.code, "reason": "楼栋调整"},
    )
    assert response.status_code == 302
    assert AreaChange.objects.get().reason == "楼栋调整"
    assert "楼栋调整" in client.get(f"/areas/{street.grid_a2.code}/").content.decode()


def test_merge_form(client, street, people):
    login(client, people.command)
    response = client.post(
        f"/areas/{street.grid_a2.code}/merge/", {"target": street.grid_a1.code, "reason": "合并"}
    )
    assert response.status_code == 302 and response.url == f"/areas/{street.grid_a1.code}/"
    assert not Area.objects.get(pk=street.grid_a2.pk).is_active


def test_not_found_and_forbidden_pages_keep_the_site_layout(client, street, people):
    login(client, people.worker_a)
    missing = client.get(f"/areas/{street.grid_b1.code}/")
    assert missing.status_code == 404
    assert "404.html" in [t.name for t in missing.templates]
    assert 'href="/"' in missing.content.decode()  # a way back home
    login(client, people.volunteer)
    forbidden = client.get("/areas/")
    assert forbidden.status_code == 403 and "403.html" in [t.name for t in forbidden.templates]


def test_breadcrumbs_link_only_areas_in_scope(client, street, people):
    login(client, people.worker_a)
    body = client.get(f"/areas/{street.building_a1.code}/").content.decode()
    assert f'href="/areas/{street.community_a.code}/"' in body
    assert f'href="/areas/{street.grid_a1.code}/"' in body
    assert street.street.name in body  # shown for orientation …
    assert f'href="/areas/{street.street.code}/"' not in body  # … but not linked


def test_list_pages_through_many_areas(client, street, people):
    for n in range(60):
        code = f"31011590100200106{n:02d}"
        Area.objects.create(
            code=code,
            name=f"楼{n}",
            level="building",
            parent=street.grid_b1,
            path=f"{street.grid_b1.path}{code}/",
        )
    login(client, people.command)
    first = client.get("/areas/?level=building").content.decode()
    assert 'href="?level=building&amp;page=2"' in first
    second = client.get("/areas/?level=building&page=2").content.decode()
    assert 'href="?level=building&amp;page=1"' in second
