"""Keys for protected personal data, derived from settings, and the encrypt/decrypt primitives.

``WUSHE_DATA_KEY`` holds one or more secrets separated by commas: the first encrypts, every one
decrypts (``MultiFernet``), which is what makes key rotation possible. Each secret may be any
string; a Fernet key is derived from it with HKDF-SHA256, so a long random passphrase works as
well as a generated Fernet key. HKDF does not stretch a weak passphrase: use at least 32 random
characters (``python -c "import secrets; print(secrets.token_urlsafe(32))"``).

``WUSHE_BLIND_INDEX_KEY`` is a separate secret for the keyed hashes (blind indexes); it must
differ from every data key.

``encrypt`` writes exactly the token ``Fernet.encrypt`` writes (version byte, timestamp, random
IV, AES-128-CBC with PKCS7 padding, HMAC-SHA256), but for short values — ID numbers, phones,
the bulk of an import — without Fernet's per-call set-up: the CBC chain is run block by block
through one AES context and the HMAC starts from precomputed keyed states (``KeyedHash``).
Tests check it byte for byte against ``Fernet._encrypt_from_parts``; reads, rotation and
``is_current`` stay with ``Fernet``/``MultiFernet``.
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
import time
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

_DATA_INFO = b"wushe personal-data encryption v1"
_INDEX_INFO = b"wushe blind index v1"
_SALT = b"wushe"


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key.

    Never caught to show the ciphertext instead: either a key is missing from
    ``WUSHE_DATA_KEY`` (for example the old key was dropped before ``rotate-data-key`` ran)
    or the stored value was damaged.
    """


def _derive(secret: str, info: bytes) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=info)
    return hkdf.derive(secret.encode("utf-8"))


def split_secrets(raw: str) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


@lru_cache(maxsize=8)
def _fernets(raw: str) -> tuple[Fernet, ...]:
    secrets = split_secrets(raw)
    if not secrets:
        raise ImproperlyConfigured(
            "WUSHE_DATA_KEY is empty: personal data cannot be encrypted or read. "
            "Set it (or WUSHE_DATA_KEY_FILE); see docs/privacy.md."
        )
    return tuple(Fernet(base64.urlsafe_b64encode(_derive(s, _DATA_INFO))) for s in secrets)


def data_fernets() -> tuple[Fernet, ...]:
    """One Fernet per configured data key, the encrypting (newest) key first."""
    return _fernets(settings.WUSHE_DATA_KEY)


@lru_cache(maxsize=8)
def _multi(raw: str) -> MultiFernet:
    return MultiFernet(list(_fernets(raw)))


def multi_fernet() -> MultiFernet:
    return _multi(settings.WUSHE_DATA_KEY)


_IPAD = bytes(x ^ 0x36 for x in range(256))
_OPAD = bytes(x ^ 0x5C for x in range(256))


class KeyedHash:
    """HMAC-SHA256 under one key, its keyed inner and outer SHA-256 states computed once
    (RFC 2104: H(K ^ opad || H(K ^ ipad || m))): the digest of ``hmac.new(key, m, sha256)``,
    at a third of the cost for the short messages of blind indexes and tokens."""

    def __init__(self, key: bytes) -> None:
        if len(key) > 64:  # the SHA-256 block size; longer keys are hashed first (as hmac does)
            key = hashlib.sha256(key).digest()
        key = key.ljust(64, b"\0")
        self._inner = hashlib.sha256(key.translate(_IPAD))
        self._outer = hashlib.sha256(key.translate(_OPAD))

    def digest(self, message: bytes) -> bytes:
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()

    def hexdigest(self, message: bytes) -> str:
        return self.digest(message).hex()


_SHORT_BLOCKS = 8  # up to 127 bytes the block-by-block chain beats a new CBC context
_FERNET_VERSION = b"\x80"


class _Sealer:
    """Writes Fernet tokens under one Fernet key (signing key, then encryption key)."""

    def __init__(self, fernet: Fernet, key: bytes) -> None:
        self.fernet = fernet
        self._mac = KeyedHash(key[:16])
        self._aes = algorithms.AES(key[16:])
        self._local = threading.local()  # one AES-ECB context per thread

    def seal(self, data: bytes, *, now: int | None = None, iv: bytes | None = None) -> bytes:
        """The token of ``data``; ``now`` and ``iv`` are given only by tests."""
        now = int(time.time()) if now is None else now
        iv = os.urandom(16) if iv is None else iv
        pad = 16 - len(data) % 16
        if len(data) + pad > 16 * _SHORT_BLOCKS:
            return self.fernet._encrypt_from_parts(data, now, iv)
        data += bytes((pad,)) * pad
        ecb = getattr(self._local, "ecb", None)
        if ecb is None:
            ecb = self._local.ecb = Cipher(self._aes, modes.ECB()).encryptor()  # noqa: S305 - CBC, chained below
        # CBC: each block is AES(plain block XOR previous cipher block), the IV first.
        previous = int.from_bytes(iv)
        blocks = []
        for start in range(0, len(data), 16):
            block = ecb.update((int.from_bytes(data[start : start + 16]) ^ previous).to_bytes(16))
            blocks.append(block)
            previous = int.from_bytes(block)
        body = b"".join([_FERNET_VERSION, now.to_bytes(8), iv, *blocks])
        return base64.urlsafe_b64encode(body + self._mac.digest(body))


@lru_cache(maxsize=8)
def _sealer(raw: str) -> _Sealer:
    fernet = _fernets(raw)[0]  # raises when no key is configured
    return _Sealer(fernet, _derive(split_secrets(raw)[0], _DATA_INFO))


# The sealer and the blind-index hash for the keys configured now (read on every protected
# value, so not through settings each time); emptied when a key setting changes.
_current: dict[str, Any] = {}


def _forget_keys(*, setting: str, **kwargs: Any) -> None:
    if setting in ("WUSHE_DATA_KEY", "WUSHE_BLIND_INDEX_KEY"):
        _current.clear()


setting_changed.connect(_forget_keys)


def encrypt(plaintext: str) -> str:
    """The ciphertext (a Fernet token, ASCII) of ``plaintext`` under the first data key."""
    sealer = _current.get("sealer")
    if sealer is None:
        sealer = _current["sealer"] = _sealer(settings.WUSHE_DATA_KEY)
    return sealer.seal(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str, *, where: str = "") -> str:
    """The plaintext of ``token``; raises DecryptionError, never returns the token itself."""
    try:
        return multi_fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError, ValueError, TypeError) as exc:
        place = f" in {where}" if where else ""
        raise DecryptionError(
            f"Cannot decrypt a protected value{place}: no key in WUSHE_DATA_KEY opens it "
            "(a key was removed before rotate-data-key finished, or the value is damaged)."
        ) from exc


def is_current(token: str) -> bool:
    """Whether ``token`` was encrypted with the first (current) data key."""
    try:
        data_fernets()[0].decrypt(token.encode("ascii"))
    except (InvalidToken, ValueError, TypeError):
        return False
    return True


def rotate(token: str, *, where: str = "") -> str:
    """``token`` re-encrypted under the first data key (any configured key may open it)."""
    try:
        return multi_fernet().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, ValueError, TypeError) as exc:
        raise DecryptionError(f"Cannot rotate a protected value in {where}.") from exc


@lru_cache(maxsize=8)
def _index_key(raw: str, data_raw: str) -> bytes:
    if not raw:
        raise ImproperlyConfigured(
            "WUSHE_BLIND_INDEX_KEY is empty: protected fields cannot be looked up. "
            "Set it (or WUSHE_BLIND_INDEX_KEY_FILE); see docs/privacy.md."
        )
    if raw in split_secrets(data_raw):
        raise ImproperlyConfigured("WUSHE_BLIND_INDEX_KEY must differ from every WUSHE_DATA_KEY.")
    return _derive(raw, _INDEX_INFO)


def blind_index_key() -> bytes:
    return _index_key(getattr(settings, "WUSHE_BLIND_INDEX_KEY", ""), settings.WUSHE_DATA_KEY)


@lru_cache(maxsize=8)
def _index_hash(raw: str, data_raw: str) -> KeyedHash:
    return KeyedHash(_index_key(raw, data_raw))


def blind_index_hash() -> KeyedHash:
    """HMAC-SHA256 under the blind-index key."""
    keyed = _current.get("index")
    if keyed is None:
        raw = getattr(settings, "WUSHE_BLIND_INDEX_KEY", "")
        keyed = _current["index"] = _index_hash(raw, settings.WUSHE_DATA_KEY)
    return keyed
