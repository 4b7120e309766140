"""Sign-in throttling counts the real client behind the proxy, and one client cannot lock
another out of an account or out of sign-in altogether."""

import pytest
from django.test import Client

from tests.conftest import PASSWORD
from wushe.accounts import throttle

PROXY = "10.0.0.1"


def _client(address, *, via=PROXY):
    return Client(REMOTE_ADDR=via, HTTP_X_FORWARDED_FOR=address)


def _fail(client, username, times):
    for _ in range(times):
        client.post("/login/", {"username": username, "password": "wrong"})


@pytest.fixture
def behind_proxy(settings):
    settings.WUSHE_TRUSTED_PROXIES = ["10.0.0.0/24"]


def test_a_sprayer_behind_the_proxy_locks_only_itself(behind_proxy, people):
    attacker = _client("198.51.100.66")
    for i in range(throttle.MAX_PER_ADDRESS):
        attacker.post("/login/", {"username": f"nobody{i}", "password": "x"})
    assert (
        attacker.post("/login/", {"username": "command", "password": PASSWORD}).status_code == 429
    )
    victim = _client("198.51.100.7")
    assert victim.post("/login/", {"username": "command", "password": PASSWORD}).status_code == 302


def test_guessing_one_password_does_not_lock_its_owner_out_elsewhere(behind_proxy, people):
    attacker = _client("198.51.100.66")
    _fail(attacker, "worker_a", throttle.MAX_PER_USERNAME_AT_ADDRESS)
    assert (
        attacker.post("/login/", {"username": "worker_a", "password": PASSWORD}).status_code == 429
    )
    owner = _client("198.51.100.7")
    assert owner.post("/login/", {"username": "worker_a", "password": PASSWORD}).status_code == 302


def test_guessing_spread_over_many_addresses_still_pauses_the_account(behind_proxy, people):
    per_address = throttle.MAX_PER_USERNAME_AT_ADDRESS - 1
    addresses = -(-throttle.MAX_PER_USERNAME // per_address)
    for n in range(addresses):
        _fail(_client(f"198.51.100.{n + 1}"), "worker_a", per_address)
    fresh = _client("203.0.113.200")
    assert fresh.post("/login/", {"username": "worker_a", "password": PASSWORD}).status_code == 429


def test_a_forged_forwarded_for_from_an_untrusted_peer_changes_nothing(behind_proxy, people):
    for i in range(throttle.MAX_PER_USERNAME_AT_ADDRESS):
        _fail(_client(f"198.51.100.{i + 1}", via="203.0.113.9"), "worker_a", 1)
    again = _client("198.51.100.99", via="203.0.113.9")
    assert again.post("/login/", {"username": "worker_a", "password": PASSWORD}).status_code == 429
