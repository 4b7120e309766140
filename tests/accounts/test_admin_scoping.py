"""The admin: system administrators only, and every list scoped like everything else."""

from tests.conftest import login


def test_only_system_admins_enter(client, street, people):
    for who in ("command", "worker_a", "district"):
        login(client, getattr(people, who))
        response = client.get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response.url
    login(client, people.admin)
    assert client.get("/admin/").status_code == 200


def test_scoped_admin_sees_only_their_area(client, street, people):
    login(client, people.scoped_admin)
    body = client.get("/admin/areas/area/").content.decode()
    assert street.grid_a1.code in body and street.grid_b1.code not in body
    assert client.get(f"/admin/areas/area/{street.grid_b1.pk}/change/").status_code == 302
    assert client.get(f"/admin/areas/area/{street.grid_a1.pk}/change/").status_code == 200
    users = client.get("/admin/accounts/user/").content.decode()
    assert "worker_a" in users and "worker_b" not in users
    assert client.get(f"/admin/accounts/user/{people.worker_b.pk}/change/").status_code == 302


def test_unscoped_admin_sees_all(client, street, people):
    login(client, people.admin)
    body = client.get("/admin/areas/area/").content.decode()
    assert street.grid_a1.code in body and street.grid_b1.code in body


def test_user_form_offers_only_areas_in_scope(client, street, people):
    login(client, people.scoped_admin)
    form = client.get("/admin/accounts/user/add/").content.decode()
    assert f">{street.community_a}<" in form
    assert f">{street.community_b}<" not in form


def test_scoped_admin_cannot_make_a_user_without_an_area(client, street, people):
    from wushe.accounts.models import User

    login(client, people.scoped_admin)
    password = "Unguessable-pass-4711"
    everywhere = {
        "username": "everywhere",
        "password1": password,
        "password2": password,
        "display_name": "x",
        "role": "system_admin",
        "scope_area": "",
    }
    response = client.post("/admin/accounts/user/add/", everywhere)
    assert response.status_code == 200  # the form again, with an error
    assert not User.objects.filter(username="everywhere").exists()
    login(client, people.admin)  # an administrator who sees everything still may
    client.post("/admin/accounts/user/add/", everywhere)
    assert User.objects.get(username="everywhere").sees_everything
