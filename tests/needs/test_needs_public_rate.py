"""The public form and API are rate-limited per client (behind the proxy, the client's own
address) and per phone number."""

import pytest
from django.test import Client

from wushe.needs.models import Need
from wushe.needs.public_status import PUBLIC_LIMIT, PUBLIC_LIMIT_PER_PHONE

PROXY = "10.0.0.1"


@pytest.fixture
def form(street):
    def data(phone="13600000000", **extra):
        return {
            "name": "赵先生",
            "phone": phone,
            "community": street.community_a.pk,
            "address": "一村2号楼101",
            "category": "groceries",
            "description": "",
            **extra,
        }

    return data


def _post(address, data, *, via=PROXY):
    return Client(REMOTE_ADDR=via, HTTP_X_FORWARDED_FOR=address).post("/needs/help/", data)


def test_two_clients_behind_the_proxy_are_counted_apart(settings, form):
    settings.WUSHE_TRUSTED_PROXIES = ["10.0.0.0/24"]
    for n in range(PUBLIC_LIMIT):
        assert _post("198.51.100.1", form(phone=f"1360000000{n}")).status_code == 200
    assert _post("198.51.100.1", form(phone="13700000000")).status_code == 429
    assert _post("198.51.100.2", form(phone="13700000000")).status_code == 200
    assert Need.objects.count() == PUBLIC_LIMIT + 1


def test_a_forged_forwarded_for_from_an_untrusted_peer_is_ignored(settings, form):
    settings.WUSHE_TRUSTED_PROXIES = ["10.0.0.0/24"]
    for n in range(PUBLIC_LIMIT):
        assert (
            _post(f"1.2.3.{n}", form(phone=f"1360000000{n}"), via="203.0.113.9").status_code == 200
        )
    assert _post("1.2.3.99", form(phone="13700000000"), via="203.0.113.9").status_code == 429


def test_one_phone_number_is_limited_from_any_address(settings, form):
    settings.WUSHE_TRUSTED_PROXIES = ["10.0.0.0/24"]
    for n in range(PUBLIC_LIMIT_PER_PHONE):
        assert _post(f"198.51.100.{n + 1}", form(phone="136 0000 0000")).status_code == 200
    refused = _post("198.51.100.99", form(phone="+86 136-0000-0000"))
    assert refused.status_code == 429
    assert Need.objects.count() == PUBLIC_LIMIT_PER_PHONE
    assert _post("198.51.100.99", form(phone="13700000000")).status_code == 200


def test_the_public_api_counts_the_client_and_the_phone(settings, street):
    settings.WUSHE_TRUSTED_PROXIES = ["10.0.0.0/24"]
    data = {
        "name": "赵先生",
        "community": street.community_a.code,
        "address": "一村2号楼101",
        "category": "groceries",
    }

    def post(address, phone):
        c = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)
        return c.post(
            "/api/v1/public/needs/", {**data, "phone": phone}, content_type="application/json"
        ).status_code

    for n in range(PUBLIC_LIMIT_PER_PHONE):
        assert post(f"198.51.100.{n + 1}", "13600000000") == 201
    assert post("198.51.100.99", "13600000000") == 429
    assert post("198.51.100.99", "13700000000") == 201


def test_an_ipv6_client_cannot_escape_the_limit_by_changing_address(settings, form):
    settings.WUSHE_TRUSTED_PROXIES = ["10.0.0.0/24"]
    for n in range(PUBLIC_LIMIT):
        assert _post(f"2001:db8:1:2::{n + 1}", form(phone=f"1360000000{n}")).status_code == 200
    assert _post("2001:db8:1:2::ffff", form(phone="13700000000")).status_code == 429
    assert _post("2001:db8:1:3::1", form(phone="13700000000")).status_code == 200
