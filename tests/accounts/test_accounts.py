"""Sign-in, each role's home page, password rules, the scope rule, user creation."""

import pytest
from django.db import IntegrityError

from tests.conftest import PASSWORD, login
from tests.factories import UserFactory
from wushe.accounts.models import User
from wushe.accounts.roles import Role
from wushe.accounts.services import user_create
from wushe.core.errors import ApplicationError, PermissionDeniedError

ROLES = ["command", "worker_a", "social", "volunteer", "org", "district", "admin"]


@pytest.mark.parametrize("who", ROLES)
def test_every_role_gets_its_own_home_page(client, street, people, who):
    user = getattr(people, who)
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert f"accounts/home/{user.role}.html" in [t.name for t in home.templates]


def test_home_shows_own_area_only(client, street, people):
    login(client, people.worker_a)
    body = client.get("/").content.decode()
    assert street.grid_a1.name in body and street.grid_b1.name not in body
    login(client, people.command)
    body = client.get("/").content.decode()
    assert street.community_a.name in body and street.community_b.name in body


def test_volunteer_home_has_no_area_navigation(client, street, people):
    login(client, people.volunteer)
    body = client.get("/").content.decode()
    assert 'href="/areas/"' not in body and 'href="/admin/"' not in body


def test_wrong_password_is_refused_with_a_message(client, street, people):
    response = client.post("/login/", {"username": "worker_a", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post(client, street, people):
    login(client, people.worker_a)
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_password_change_enforces_strong_passwords(client, street, people):
    login(client, people.worker_a)
    response = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200 and response.context["form"].errors["new_password2"]
    strong = "grid-worker-springs-2026"
    response = client.post(
        "/password/", {"old_password": PASSWORD, "new_password1": strong, "new_password2": strong}
    )
    assert response.status_code == 302
    client.logout()
    assert client.login(username="worker_a", password=strong)


def test_a_user_without_an_area_cannot_exist_unless_system_admin(street):
    with pytest.raises(IntegrityError):
        UserFactory(username="nowhere", role=Role.COMMUNITY_WORKER, scope_area=None)


def test_user_create_names_the_missing_field(street, people):
    with pytest.raises(ApplicationError) as info:
        user_create(
            actor=people.admin,
            username="x",
            password="long-enough-pass-2026",
            role=Role.VOLUNTEER,
            scope_area=None,
        )
    assert info.value.field == "scope_area"
    with pytest.raises(ApplicationError) as info:
        user_create(
            actor=people.admin,
            username="x",
            password="123",
            role=Role.VOLUNTEER,
            scope_area=street.community_a,
        )
    assert info.value.field == "password"
    with pytest.raises(ApplicationError) as info:
        user_create(
            actor=people.admin,
            username="worker_a",
            password="long-enough-pass-2026",
            role=Role.VOLUNTEER,
            scope_area=street.community_a,
        )
    assert info.value.field == "username"


def test_user_create_stays_in_the_actors_scope(street, people):
    with pytest.raises(PermissionDeniedError):
        user_create(
            actor=people.scoped_admin,
            username="v2",
            password="long-enough-pass-2026",
            role=Role.VOLUNTEER,
            scope_area=street.community_b,
        )
    user = user_create(
        actor=people.scoped_admin,
        username="v3",
        password="long-enough-pass-2026",
        role=Role.VOLUNTEER,
        scope_area=street.community_a,
    )
    assert user.check_password("long-enough-pass-2026") and not user.is_staff


def test_createsuperuser_makes_a_system_admin(db):
    user = User.objects.create_superuser("root2", "root@example.org", "long-enough-pass-2026")
    assert user.role == Role.SYSTEM_ADMIN and user.sees_everything


def test_language_switch(client, street, people):
    login(client, people.worker_a)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert client.get("/").headers["Content-Language"] == "en"
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert client.get("/").headers["Content-Language"] == "zh-hans"


def test_repeated_failures_pause_sign_in_even_with_the_right_password(client, street, people):
    from django.core.cache import cache

    from wushe.accounts import throttle

    cache.clear()
    for _ in range(throttle.MAX_PER_USERNAME_AT_ADDRESS):
        assert (
            client.post("/login/", {"username": "worker_a", "password": "wrong"}).status_code == 200
        )
    locked = client.post("/login/", {"username": "worker_a", "password": PASSWORD})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert str(throttle.WINDOW_S // 60) in locked.content.decode()
    # Another user from elsewhere is not affected; the count clears after the window.
    other = client.post("/login/", {"username": "worker_b", "password": PASSWORD})
    assert other.status_code == 302
    cache.clear()
    assert client.post("/login/", {"username": "worker_a", "password": PASSWORD}).status_code == 302


def test_success_resets_the_count(client, street, people):
    from django.core.cache import cache

    from wushe.accounts import throttle

    cache.clear()
    for _ in range(throttle.MAX_PER_USERNAME_AT_ADDRESS - 1):
        client.post("/login/", {"username": "worker_a", "password": "wrong"})
    assert client.post("/login/", {"username": "worker_a", "password": PASSWORD}).status_code == 302
    client.logout()
    client.post("/login/", {"username": "worker_a", "password": "wrong"})
    assert client.post("/login/", {"username": "worker_a", "password": PASSWORD}).status_code == 302
