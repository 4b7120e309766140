"""Keys for protected personal data, derived from settings, and the encrypt/decrypt primitives.

``WUSHE_DATA_KEY`` holds one or more secrets separated by commas: the first encrypts, every one
decrypts (``MultiFernet``), which is what makes key rotation possible. Each secret may be any
string; a Fernet key is derived from it with HKDF-SHA256, so a long random passphrase works as
well as a generated Fernet key. HKDF does not stretch a weak passphrase: use at least 32 random
characters (``python -c "import secrets; print(secrets.token_urlsafe(32))"``).

``WUSHE_BLIND_INDEX_KEY`` is a separate secret for the keyed hashes (blind indexes); it must
differ from every data key.

``encrypt`` uses the current key's ``Fernet`` (built once per key, not per value); reads,
rotation and ``is_current`` go through ``MultiFernet``. Blind indexes use ``hmac`` keyed once
(``KeyedHash``: a keyed HMAC object copied per message).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
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


class KeyedHash:
    """HMAC-SHA256 under one key, keyed once: each message starts from a copy of the keyed
    ``hmac`` object, which skips re-deriving the padded key states on every call."""

    def __init__(self, key: bytes) -> None:
        self._keyed = hmac.new(key, digestmod=hashlib.sha256)

    def digest(self, message: bytes) -> bytes:
        mac = self._keyed.copy()
        mac.update(message)
        return mac.digest()

    def hexdigest(self, message: bytes) -> str:
        return self.digest(message).hex()


# The current data key's Fernet and the blind-index hash for the keys configured now (read on every protected
# value, so not through settings each time); emptied when a key setting changes.
_current: dict[str, Any] = {}


def _forget_keys(*, setting: str, **kwargs: Any) -> None:
    if setting in ("WUSHE_DATA_KEY", "WUSHE_BLIND_INDEX_KEY"):
        _current.clear()


setting_changed.connect(_forget_keys)


def encrypt(plaintext: str) -> str:
    """The ciphertext (a Fernet token, ASCII) of ``plaintext`` under the first data key."""
    fernet = _current.get("fernet")
    if fernet is None:
        fernet = _current["fernet"] = data_fernets()[0]
    return fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")


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
