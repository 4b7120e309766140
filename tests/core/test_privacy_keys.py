"""The cached primitives in ``core.privacy.keys``: ``encrypt`` writes Fernet tokens under the
current key (and follows a key change), ``KeyedHash`` gives the very digest of ``hmac``."""

import hashlib
import hmac
import threading
import time

from cryptography.fernet import MultiFernet
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from wushe.core.privacy.keys import (
    KeyedHash,
    blind_index_hash,
    blind_index_key,
    data_fernets,
    decrypt,
    encrypt,
    is_current,
    rotate,
)


@given(st.text())
@settings(max_examples=200)
def test_fernet_opens_what_encrypt_writes(value):
    assert data_fernets()[0].decrypt(encrypt(value).encode()).decode() == value


def test_tokens_differ_every_time_and_carry_the_current_time():
    a, b = encrypt("13812345678"), encrypt("13812345678")
    assert a != b
    assert abs(data_fernets()[0].extract_timestamp(a.encode()) - time.time()) < 5


def test_rotation_with_the_cached_key():
    with override_settings(WUSHE_DATA_KEY="old-key"):
        old = encrypt("310115199001011234")
    with override_settings(WUSHE_DATA_KEY="new-key,old-key"):
        assert decrypt(old) == "310115199001011234"
        assert not is_current(old)
        new = encrypt("310115199001011234")
        assert is_current(new)
        assert is_current(rotate(old))
        assert decrypt(rotate(old)) == "310115199001011234"


def test_encrypt_from_several_threads():
    values = [f"1381234{n:04d}" for n in range(300)]
    tokens: dict[int, list[str]] = {}

    def work(n: int) -> None:
        tokens[n] = [encrypt(v) for v in values]

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    multi = MultiFernet(list(data_fernets()))
    for n in range(4):
        assert [multi.decrypt(t.encode()).decode() for t in tokens[n]] == values


@given(key=st.binary(max_size=200), message=st.binary(max_size=300))
@settings(max_examples=500)
def test_keyed_hash_is_hmac_sha256(key, message):
    keyed = KeyedHash(key)
    assert keyed.digest(message) == hmac.new(key, message, hashlib.sha256).digest()
    assert keyed.hexdigest(message) == hmac.new(key, message, hashlib.sha256).hexdigest()
    assert keyed.digest(message) == keyed.digest(message)  # the keyed states are not consumed


def test_blind_index_hash_follows_the_setting():
    message = b"phone\x00full\x008613812345678"
    first = blind_index_hash().hexdigest(message)
    assert first == hmac.new(blind_index_key(), message, hashlib.sha256).hexdigest()
    with override_settings(WUSHE_BLIND_INDEX_KEY="another-index-key"):
        assert blind_index_hash().hexdigest(message) != first
        assert (
            blind_index_hash().hexdigest(message)
            == hmac.new(blind_index_key(), message, hashlib.sha256).hexdigest()
        )
