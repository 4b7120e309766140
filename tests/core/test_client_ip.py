"""The client's address behind trusted proxies: X-Forwarded-For counts only when the peer is a
trusted proxy, and then its right-most untrusted address is the client."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from wushe.core.client_ip import client_ip, counted_as
from wushe.settings.env import env_networks


def _ip(remote, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=remote, **extra))


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.WUSHE_TRUSTED_PROXIES = []
    assert _ip("10.0.0.1", "1.2.3.4") == "10.0.0.1"


def test_a_forged_header_from_an_untrusted_peer_is_ignored(settings):
    settings.WUSHE_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert _ip("203.0.113.9", "1.2.3.4") == "203.0.113.9"


def test_through_a_trusted_proxy_the_right_most_untrusted_address_is_the_client(settings):
    settings.WUSHE_TRUSTED_PROXIES = ["10.0.0.0/8", "192.168.1.5"]
    assert _ip("10.0.0.1", "198.51.100.7") == "198.51.100.7"
    # The client wrote "1.2.3.4" itself; the proxies appended what they saw.
    assert _ip("10.0.0.1", "1.2.3.4, 198.51.100.7, 192.168.1.5") == "198.51.100.7"
    assert _ip("::ffff:10.0.0.1", "198.51.100.7:5123") == "198.51.100.7"
    assert _ip("10.0.0.1", "[2001:db8::1]:443") == "2001:db8::1"


def test_a_header_of_proxies_only_or_garbage_falls_back_to_the_nearest_known(settings):
    settings.WUSHE_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert _ip("10.0.0.1", "") == "10.0.0.1"
    assert _ip("10.0.0.1", "10.0.0.2") == "10.0.0.2"
    assert _ip("10.0.0.1", "unknown, 10.0.0.2") == "10.0.0.2"
    assert _ip("", "1.2.3.4") == "unknown"


def test_the_setting_rejects_what_is_not_a_network(monkeypatch):
    monkeypatch.setenv("X_PROXIES", "10.0.0.0/8, 2001:db8::/32")
    assert env_networks("X_PROXIES") == ["10.0.0.0/8", "2001:db8::/32"]
    monkeypatch.setenv("X_PROXIES", "10.0.0.0/8,nginx")
    with pytest.raises(ImproperlyConfigured, match="X_PROXIES.*nginx"):
        env_networks("X_PROXIES")


def test_an_ipv6_client_is_counted_by_its_64():
    assert counted_as("2001:db8:1:2:aaaa::1") == counted_as("2001:db8:1:2:bbbb::2")
    assert counted_as("2001:db8:1:3::1") != counted_as("2001:db8:1:2::1")
    assert counted_as("198.51.100.7") == "198.51.100.7"
    assert counted_as("unknown") == "unknown"
