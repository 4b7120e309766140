"""The cached primitives in ``core.privacy.keys``: ``encrypt`` writes ``v2`` AES-256-GCM tokens
under the current key (and follows a key change), Fernet tokens written before still read and
rotate into the envelope, ``KeyedHash`` gives the very digest of ``hmac``."""

import base64
import hashlib
import hmac
import threading

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from wushe.core.privacy.keys import (
    FERNET_PREFIX,
    GCM_PREFIX,
    DataKeys,
    DecryptionError,
    KeyedHash,
    blind_index_hash,
    blind_index_key,
    data_fernets,
    decrypt,
    encrypt,
    is_current,
    looks_encrypted,
    rotate,
)

TEST_KEY = "test-only-data-key"  # the test settings' WUSHE_DATA_KEY


def gcm_key(secret: str, info: bytes = b"wushe personal-data encryption v2 AES-256-GCM") -> bytes:
    """The GCM key of ``secret`` (another key with another ``info``), derived here
    independently of the module."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"wushe", info=info).derive(
        secret.encode()
    )


def fernet_token(value: str) -> str:
    """A token as written before the v2 envelope (the current key's Fernet)."""
    return data_fernets()[0].encrypt(value.encode()).decode()


@given(st.text())
@settings(max_examples=200)
def test_aesgcm_opens_what_encrypt_writes(value):
    token = encrypt(value)
    assert token.startswith(GCM_PREFIX) and token.isascii()
    raw = base64.urlsafe_b64decode(token[len(GCM_PREFIX) :])
    kid, nonce, sealed = raw[:4], raw[4:16], raw[16:]
    key = gcm_key(TEST_KEY)
    id_key = gcm_key(TEST_KEY, b"wushe personal-data key id v2")
    assert kid == hmac.new(id_key, b"wushe data key id", hashlib.sha256).digest()[:4]
    assert kid != hmac.new(key, b"wushe data key id", hashlib.sha256).digest()[:4]
    assert AESGCM(key).decrypt(nonce, sealed, b"wushe v2").decode() == value
    assert len(sealed) == len(value.encode()) + 16  # ciphertext and a 128-bit tag


@given(st.text())
@settings(max_examples=200)
def test_both_formats_round_trip_exactly(value):
    assert decrypt(encrypt(value)) == value
    assert decrypt(fernet_token(value)) == value
    assert decrypt(rotate(fernet_token(value))) == value


def test_empty_string_round_trips_in_both_formats():
    for token in (encrypt(""), fernet_token(""), rotate(fernet_token(""))):
        assert token and decrypt(token) == ""


def test_the_gcm_key_is_not_the_fernet_key():
    fernet_key = gcm_key(TEST_KEY, b"wushe personal-data encryption v1")
    # The key the Fernet tokens were (and are still read) under is that one ...
    fernet = Fernet(base64.urlsafe_b64encode(fernet_key))
    assert fernet.decrypt(fernet_token("x").encode()) == b"x"
    # ... and the GCM key is another: no byte of key material is shared.
    assert gcm_key(TEST_KEY) != fernet_key
    assert gcm_key(TEST_KEY)[:16] not in fernet_key and gcm_key(TEST_KEY)[16:] not in fernet_key


def test_tokens_differ_every_time_in_their_nonce():
    tokens = [encrypt("13812345678") for _ in range(200)]
    assert len(set(tokens)) == 200
    nonces = {base64.urlsafe_b64decode(t[len(GCM_PREFIX) :])[4:16] for t in tokens}
    assert len(nonces) == 200


def test_no_fernet_token_looks_like_the_envelope():
    token = fernet_token("13812345678")
    assert token.startswith(FERNET_PREFIX) and ":" not in token
    assert not token.startswith(GCM_PREFIX)
    assert looks_encrypted(token) and looks_encrypted(encrypt("")) and looks_encrypted(encrypt("x"))
    for text in ("", "13812345678", "v2:", "v2:abc", "gAAAAA", "gAAAAA-not-a-token", "周二透析"):
        assert not looks_encrypted(text), text


def test_rotation_with_the_cached_key():
    with override_settings(WUSHE_DATA_KEY="old-key"):
        old = encrypt("310115199001011234")
        old_fernet = fernet_token("310115199001011234")
        assert is_current(old) and not is_current(old_fernet)
    with override_settings(WUSHE_DATA_KEY="new-key,old-key"):
        for token in (old, old_fernet):
            assert decrypt(token) == "310115199001011234"
            assert not is_current(token)
            assert is_current(rotate(token)) and rotate(token).startswith(GCM_PREFIX)
            assert decrypt(rotate(token)) == "310115199001011234"
        new = encrypt("310115199001011234")
        assert is_current(new)
        assert not is_current(fernet_token("x"))  # a Fernet token is never current
    with override_settings(WUSHE_DATA_KEY="new-key"):  # the old key dropped too early
        with pytest.raises(DecryptionError):
            decrypt(old)
        with pytest.raises(DecryptionError):
            decrypt(old_fernet)
        with pytest.raises(DecryptionError):
            rotate(old)
        assert not is_current(old)


class CountingKey:
    """An AESGCM key that counts its decrypt attempts."""

    def __init__(self, aead, calls):
        self.aead, self.calls = aead, calls

    def decrypt(self, nonce, data, aad):
        self.calls.append(self)
        return self.aead.decrypt(nonce, data, aad)


def counting(keys):
    """``keys`` (a ``DataKeys``) with every key counting its decrypt attempts in the list
    returned."""
    calls = []
    wrapped = {id(k): CountingKey(k, calls) for k in keys.every}
    keys.every = [wrapped[id(k)] for k in keys.every]
    keys.by_id = {kid: [wrapped[id(k)] for k in ks] for kid, ks in keys.by_id.items()}
    return calls


def test_decryption_picks_the_key_by_its_id():
    keys = DataKeys(["k1", "k2", "k3"])
    assert len(keys.by_id) == 3 and keys.current_id in keys.by_id
    token = DataKeys(["k3"]).encrypt(b"x")
    calls = counting(keys)
    assert keys.open(token) == b"x"
    assert calls == [keys.every[2]]  # straight to k3: one attempt


def test_a_token_whose_id_matches_no_key_is_tried_under_every_key():
    # As the first v2 tokens were written: the id an HMAC under the GCM key itself.
    key = gcm_key("k2")
    old_id = hmac.new(key, b"wushe data key id", hashlib.sha256).digest()[:4]
    nonce = b"\x01" * 12
    raw = old_id + nonce + AESGCM(key).encrypt(nonce, b"x", b"wushe v2")
    token = GCM_PREFIX + base64.urlsafe_b64encode(raw).decode()
    keys = DataKeys(["k1", "k2", "k3"])
    assert old_id not in keys.by_id
    calls = counting(keys)
    assert keys.open(token) == b"x"
    assert calls == keys.every[:2]  # k1 refused it, k2 opened it
    with override_settings(WUSHE_DATA_KEY="k2"):
        assert decrypt(token) == "x" and not is_current(token)
        assert is_current(rotate(token))
    with override_settings(WUSHE_DATA_KEY="k1,k3"), pytest.raises(DecryptionError):
        decrypt(token)


def test_a_token_whose_old_id_names_another_key_still_reads():
    # An old-style id may, by a 2^-32 chance, equal another key's id: that key is tried first,
    # then the rest.
    keys = DataKeys(["k1", "k2", "k3"])
    key = gcm_key("k2")
    k3_id = next(kid for kid, ks in keys.by_id.items() if ks == [keys.every[2]])
    nonce = b"\x02" * 12
    raw = k3_id + nonce + AESGCM(key).encrypt(nonce, b"x", b"wushe v2")
    token = GCM_PREFIX + base64.urlsafe_b64encode(raw).decode()
    calls = counting(keys)
    assert keys.open(token) == b"x"
    assert calls == [keys.every[2], keys.every[0], keys.every[1]]  # k3 named, then k1, k2


def test_damaged_tokens_raise_and_never_show_the_ciphertext():
    token = encrypt("13812345678")
    body = token[len(GCM_PREFIX) :]
    flipped = body[:30] + ("A" if body[30] != "A" else "B") + body[31:]
    for damaged in (
        GCM_PREFIX + flipped,
        token[:-4],
        GCM_PREFIX,
        GCM_PREFIX + "!!!!",
        GCM_PREFIX + "é",
        GCM_PREFIX + "Z" * 44,
        "v1:" + body,
        FERNET_PREFIX + "garbage",
    ):
        with pytest.raises(DecryptionError, match="in T.f") as caught:
            decrypt(damaged, where="T.f")
        assert damaged not in str(caught.value)
        assert not is_current(damaged)
        with pytest.raises(DecryptionError):
            rotate(damaged)


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
    aead = AESGCM(gcm_key(TEST_KEY))
    for n in range(4):
        raws = [base64.urlsafe_b64decode(t[len(GCM_PREFIX) :]) for t in tokens[n]]
        assert [aead.decrypt(r[4:16], r[16:], b"wushe v2").decode() for r in raws] == values


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
