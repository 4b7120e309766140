"""API tokens: rotated and revoked from the command line, dead after a password change or a
deactivation however it is made, and refused once older than the configured maximum age."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth.hashers import make_password
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from rest_framework.authtoken.models import Token

from tests.conftest import PASSWORD, login
from wushe.accounts import errors
from wushe.accounts.authentication import TokenAuthentication
from wushe.accounts.models import User
from wushe.accounts.services import token_for
from wushe.core.models import ActionLog

NEW_PASSWORD = "another-horse-battery-staple"


def run(*args):
    out = StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue().strip()


def status_with(api, key):
    return me(api, key).status_code


def me(api, key):
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")


def revoked_reasons():
    return list(
        ActionLog.objects.filter(action="accounts.token.revoked").values_list(
            "data__reason", flat=True
        )
    )


def test_rotate_issues_a_new_token_and_kills_the_old(api, people):
    old = run("worker_a")
    new = run("worker_a", "--rotate")
    assert new != old and len(new) == 40
    assert status_with(api, old) == 401
    assert status_with(api, new) == 200
    assert run("worker_a") == new
    assert ActionLog.objects.filter(action="accounts.token.rotated").count() == 1


def test_revoke_deletes_the_token(api, people):
    key = run("worker_a")
    with translation.override("zh-hans"):  # the product's language, like the other commands
        assert run("worker_a", "--revoke") == "令牌已撤销"
    assert status_with(api, key) == 401
    with translation.override("en"):
        assert run("worker_a", "--revoke") == "no token to revoke"
    assert revoked_reasons() == ["revoked"]
    with pytest.raises(CommandError, match="nobody"):
        run("nobody", "--revoke")
    with pytest.raises(CommandError):
        run("worker_a", "--rotate", "--revoke")


def test_the_password_change_page_kills_the_token(client, api, people):
    key = token_for(username="worker_a")
    login(client, people.worker_a)
    response = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response.url == "/password/done/"
    assert status_with(api, key) == 401
    assert revoked_reasons() == ["password_changed"]
    assert status_with(api, token_for(username="worker_a")) == 200  # a new one may be issued


def test_the_admin_password_form_kills_the_token(client, api, people):
    key = token_for(username="worker_a")
    login(client, people.admin)
    response = client.post(
        f"/admin/accounts/user/{people.worker_a.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert status_with(api, key) == 401
    assert revoked_reasons() == ["password_changed"]


def test_deactivating_in_the_admin_kills_the_token(client, api, street, people):
    key = token_for(username="worker_a")
    login(client, people.admin)
    response = client.post(
        f"/admin/accounts/user/{people.worker_a.pk}/change/",
        {
            "username": "worker_a",
            "display_name": "",
            "role": "community_worker",
            "scope_area": street.community_a.pk,
        },  # is_active unticked
    )
    assert response.status_code == 302
    assert not User.objects.get(pk=people.worker_a.pk).is_active
    assert not Token.objects.filter(key=key).exists()
    assert revoked_reasons() == ["deactivated"]


def test_saving_the_user_otherwise_keeps_the_token(client, api, people):
    key = token_for(username="worker_a")
    login(client, people.worker_a)  # saves last_login
    people.worker_a.display_name = "张"
    people.worker_a.save()
    assert status_with(api, key) == 200
    assert revoked_reasons() == []


def test_disabling_the_password_kills_the_token_but_later_edits_keep_a_new_one(api, people):
    user = people.worker_a
    key = token_for(username="worker_a")
    user.set_unusable_password()
    user.save()
    assert status_with(api, key) == 401
    assert revoked_reasons() == ["password_disabled"]
    # An account kept without a password (a script's) keeps its token through other edits.
    key = token_for(username="worker_a")
    user = User.objects.get(pk=user.pk)
    user.display_name = "脚本"
    user.save()
    assert status_with(api, key) == 200
    assert revoked_reasons() == ["password_disabled"]


def test_a_hash_upgrade_at_sign_in_is_no_password_change(client, api, people):
    key = token_for(username="worker_a")
    weak = make_password(PASSWORD, salt="ab", hasher="md5")  # too short a salt: upgraded
    User.objects.filter(pk=people.worker_a.pk).update(password=weak)
    login(client, people.worker_a)
    assert User.objects.get(pk=people.worker_a.pk).password != weak
    assert status_with(api, key) == 200


def test_an_inactive_user_is_refused_even_with_a_token_left(api, people):
    key = token_for(username="worker_a")
    User.objects.filter(pk=people.worker_a.pk).update(is_active=False)  # no save(), no signal
    response = me(api, key)
    assert response.status_code == 401 and "inactive" in response.json()["detail"]


def _age(key, days):
    Token.objects.filter(key=key).update(created=timezone.now() - datetime.timedelta(days=days))


def test_an_expired_token_is_refused_with_a_clear_message(api, people, settings):
    settings.WUSHE_API_TOKEN_MAX_AGE_DAYS = 90
    key = token_for(username="worker_a")
    _age(key, 89)
    assert status_with(api, key) == 200
    _age(key, 91)
    response = me(api, key)
    assert response.status_code == 401
    assert response.json()["detail"] == str(errors.TOKEN_EXPIRED)
    assert response["WWW-Authenticate"] == "Token"
    fresh = token_for(username="worker_a")  # `wushe token` replaces an expired token
    assert fresh != key and status_with(api, fresh) == 200


def test_tokens_never_expire_with_a_maximum_age_of_zero(api, people, settings):
    settings.WUSHE_API_TOKEN_MAX_AGE_DAYS = 0
    key = token_for(username="worker_a")
    _age(key, 3650)
    assert status_with(api, key) == 200
    assert token_for(username="worker_a") == key


def test_token_authentication_is_one_query(people, django_assert_num_queries):
    key = token_for(username="worker_a")
    TokenAuthentication().authenticate_credentials(key)  # compiles the query once
    with django_assert_num_queries(1):
        user, _ = TokenAuthentication().authenticate_credentials(key)
    assert user.scope_path == people.worker_a.scope_path
