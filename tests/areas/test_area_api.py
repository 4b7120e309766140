"""Areas API: scoping (owner, colleague, outsider), permissions, import, move, query counts."""

from tests.conftest import login
from tests.spreadsheets import write_csv
from wushe.areas.models import Area
from wushe.core.models import Job


def codes(response):
    return {a["code"] for a in response.json()["results"]}


def test_list_is_scoped(api, street, people):
    login(api, people.worker_a)
    seen = codes(api.get("/api/v1/areas/"))
    assert street.community_a.code in seen and street.building_a1.code in seen
    assert street.community_b.code not in seen and street.building_b1.code not in seen

    login(api, people.command)
    assert {street.community_a.code, street.community_b.code} <= codes(api.get("/api/v1/areas/"))


def test_detail_of_other_community_is_404_like_a_missing_one(api, street, people):
    login(api, people.worker_a)
    assert api.get(f"/api/v1/areas/{street.grid_a1.code}/").status_code == 200
    foreign = api.get(f"/api/v1/areas/{street.grid_b1.code}/")
    missing = api.get("/api/v1/areas/999999999999999/")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()


def test_filters(api, street, people):
    login(api, people.command)
    assert codes(api.get("/api/v1/areas/?level=grid")) == {
        street.grid_a1.code,
        street.grid_a2.code,
        street.grid_b1.code,
    }
    assert codes(api.get(f"/api/v1/areas/?parent={street.community_b.code}")) == {
        street.grid_b1.code
    }
    assert codes(api.get("/api/v1/areas/?q=东园")) >= {street.community_b.code}


def test_volunteer_and_anonymous_get_no_areas(api, street, people):
    assert api.get("/api/v1/areas/").status_code in (401, 403)
    login(api, people.volunteer)
    assert api.get("/api/v1/areas/").status_code == 403
    assert api.get(f"/api/v1/areas/{street.community_a.code}/").status_code == 403


def test_token_authentication(api, street, people):
    from wushe.accounts.services import token_for

    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(username='worker_a')}")
    me = api.get("/api/v1/me/").json()
    assert me["username"] == "worker_a" and me["scope_area"] == street.community_a.code
    assert "areas.view" in me["permissions"]
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert api.get("/api/v1/me/").status_code == 401


def test_list_query_count_does_not_grow_with_rows(
    api, street, people, django_assert_max_num_queries
):
    login(api, people.command)
    with django_assert_max_num_queries(6):
        api.get("/api/v1/areas/")
    for n in range(30):
        Area.objects.create(
            code=f"31011590100200105{n:02d}",
            name=f"楼{n}",
            level="building",
            parent=street.grid_b1,
            path=f"{street.grid_b1.path}31011590100200105{n:02d}/",
        )
    with django_assert_max_num_queries(6):
        assert len(api.get("/api/v1/areas/").json()["results"]) > 30


def test_import_small_file_answers_with_the_report(api, street, people, tmp_path):
    path = write_csv(
        tmp_path / "b.csv",
        [
            ["代码", "名称", "层级", "经度", "纬度"],
            ["3101159010010010003", "一村3号楼", "楼栋", "121.54", "31.22"],
            ["3101159010020010003", "东园3号楼", "楼栋", "121.54", "31.22"],
        ],
    )
    login(api, people.worker_a)
    with open(path, "rb") as handle:
        response = api.post("/api/v1/areas/import/", {"file": handle}, format="multipart")
    assert response.status_code == 200
    body = response.json()
    assert body["created"] == 1 and body["rows"] == 2
    assert body["rejected"][0]["row"] == 3 and body["rejected"][0]["field"] == "parent_code"


def test_import_large_file_runs_as_a_job(api, street, people, tmp_path, settings):
    settings.WUSHE_IMPORT_SYNC_MAX_BYTES = 10
    path = write_csv(
        tmp_path / "b.csv",
        [
            ["代码", "名称", "层级", "经度", "纬度"],
            ["3101159010010010003", "一村3号楼", "楼栋", "121.54", "31.22"],
        ],
    )
    login(api, people.worker_a)
    with open(path, "rb") as handle:
        response = api.post(
            "/api/v1/areas/import/", {"file": handle, "dry_run": "false"}, format="multipart"
        )
    assert response.status_code == 202
    job = Job.objects.get(pk=response.json()["job"])
    assert job.status == Job.Status.DONE  # eager in tests
    assert job.result["created"] == 1
    assert not job.upload  # the uploaded sheet is deleted once applied
    assert Area.objects.filter(code="3101159010010010003").exists()


def test_import_needs_permission_and_a_file(api, street, people):
    login(api, people.social)
    assert api.post("/api/v1/areas/import/", {}, format="multipart").status_code == 403
    login(api, people.worker_a)
    response = api.post("/api/v1/areas/import/", {}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()


def test_move_and_merge_via_api(api, street, people):
    login(api, people.worker_a)  # community workers may not change boundaries
    url = f"/api/v1/areas/{street.building_a1.code}/move/"
    assert api.post(url, {"new_parent": street.grid_a2.code, "reason": "r"}).status_code == 403

    login(api, people.command)
    response = api.post(url, {"new_parent": street.grid_a2.code, "reason": "调整"})
    assert response.status_code == 200 and response.json()["parent_code"] == street.grid_a2.code
    response = api.post(url, {"new_parent": street.grid_a2.code, "reason": "again"})
    assert response.status_code == 400 and response.json()["field"] == "new_parent"
    response = api.post(url, {"new_parent": "000", "reason": "x"})
    assert response.status_code == 404

    response = api.post(
        f"/api/v1/areas/{street.grid_a2.code}/merge/",
        {"target": street.grid_a1.code, "reason": "合并"},
    )
    assert response.status_code == 200 and response.json()["code"] == street.grid_a1.code


def test_moving_into_an_area_outside_scope_is_404(api, street, people):
    login(api, people.scoped_admin)  # system admin scoped to community A
    response = api.post(
        f"/api/v1/areas/{street.building_a1.code}/move/",
        {"new_parent": street.grid_b1.code, "reason": "r"},
    )
    assert response.status_code == 404


def test_schema_and_docs_are_served(api, street, people):
    login(api, people.command)
    schema = api.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/areas/{code}/move/" in schema.content
    docs = api.get("/api/docs/")
    assert docs.status_code == 200
    assert b"/static/drf_spectacular_sidecar/" in docs.content  # local assets, no CDN
