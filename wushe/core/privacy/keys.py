"""Keys for protected personal data, derived from settings, and the encrypt/decrypt primitives.

``WUSHE_DATA_KEY`` holds one or more secrets separated by commas: the first encrypts, every one
decrypts, which is what makes key rotation possible. Each secret may be any string; the keys
are derived from it with HKDF-SHA256, so a long random passphrase works as well as a generated
key. HKDF does not stretch a weak passphrase: use at least 32 random characters
(``python -c "import secrets; print(secrets.token_urlsafe(32))"``).

``WUSHE_BLIND_INDEX_KEY`` is a separate secret for the keyed hashes (blind indexes); it must
differ from every data key.

Ciphertexts (docs/privacy.md, "Encryption at rest"):

- **written** as a ``v2`` envelope: ``v2:`` then urlsafe base64 of key id (4 bytes) + nonce
  (12 random bytes, ``os.urandom``) + AES-256-GCM ciphertext and tag (the ``cryptography``
  library's ``AESGCM``; the envelope's version is the associated data). The GCM key is derived
  with its own HKDF label (never the Fernet key's bytes); the key id is the first 4 bytes of an
  HMAC under a third key of the same secret (its own label again), so decryption goes straight
  to the key (or keys, if two ids collide) that wrote a token; a token whose id matches no key
  (written when the id was an HMAC under the GCM key) is tried under every key. AES-GCM with a random nonce: at most 2^32 encryptions per key, so rotate
  the data key long before that (docs/privacy.md).
- **read** in both formats: a ``v2`` token by its key id, a Fernet token (``gAAAAA…``, written
  before the envelope) through ``MultiFernet`` with the keys' old HKDF label, for ever.
- ``is_current`` is true only for a ``v2`` token under the first key, so ``rotate-data-key``
  moves Fernet tokens and older keys' tokens into the envelope under the current key.

Blind indexes use HMAC-SHA256 keyed once (``KeyedHash``: a keyed HMAC state copied per message).
"""

from __future__ import annotations

import binascii
import hmac
import os
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

_DATA_INFO = b"wushe personal-data encryption v1"  # the Fernet keys (reading old tokens)
_GCM_INFO = b"wushe personal-data encryption v2 AES-256-GCM"
_KEY_ID_INFO = b"wushe personal-data key id v2"  # the key of the key ids: not the GCM key
_INDEX_INFO = b"wushe blind index v1"
_SALT = b"wushe"

GCM_PREFIX = "v2:"  # ':' is not in urlsafe base64, so no Fernet token starts so
FERNET_PREFIX = "gAAAAA"  # every Fernet token starts so (version byte 0x80 and timestamp)
_AAD = b"wushe v2"  # the envelope's version, authenticated with every ciphertext
_KEY_ID = 4  # bytes
_NONCE = 12  # bytes: 96-bit random nonces
_TAG = 16  # bytes
_HEAD = _KEY_ID + _NONCE
_TO_URLSAFE = bytes.maketrans(b"+/", b"-_")
_FROM_URLSAFE = bytes.maketrans(b"-_", b"+/")


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


def _data_secrets(raw: str) -> list[str]:
    secrets = split_secrets(raw)
    if not secrets:
        raise ImproperlyConfigured(
            "WUSHE_DATA_KEY is empty: personal data cannot be encrypted or read. "
            "Set it (or WUSHE_DATA_KEY_FILE); see docs/privacy.md."
        )
    return secrets


@lru_cache(maxsize=8)
def _fernets(raw: str) -> tuple[Fernet, ...]:
    return tuple(Fernet(base64_urlsafe(_derive(s, _DATA_INFO))) for s in _data_secrets(raw))


def data_fernets() -> tuple[Fernet, ...]:
    """One Fernet per configured data key, newest first: they read tokens written before the
    ``v2`` envelope (nothing is encrypted with them any more)."""
    return _fernets(settings.WUSHE_DATA_KEY)


@lru_cache(maxsize=8)
def _multi(raw: str) -> MultiFernet:
    return MultiFernet(list(_fernets(raw)))


def multi_fernet() -> MultiFernet:
    return _multi(settings.WUSHE_DATA_KEY)


def base64_urlsafe(data: bytes) -> bytes:
    """``base64.urlsafe_b64encode`` without its Python-level wrapper (same output)."""
    return binascii.b2a_base64(data, newline=False).translate(_TO_URLSAFE)


def key_id(id_key: bytes) -> bytes:
    """The short id written in front of each token of a data key: an HMAC under the secret's
    own key-id key (``_KEY_ID_INFO``), so no byte of the GCM key is used for anything else."""
    return hmac.digest(id_key, b"wushe data key id", "sha256")[:_KEY_ID]


class DataKeys:
    """The GCM keys of one ``WUSHE_DATA_KEY`` setting: the first encrypts, any opens."""

    def __init__(self, secrets: list[str]) -> None:
        keys = [AESGCM(_derive(s, _GCM_INFO)) for s in secrets]
        ids = [key_id(_derive(s, _KEY_ID_INFO)) for s in secrets]
        self.current_id = ids[0]
        self.current = keys[0]
        self.every = keys
        self.by_id: dict[bytes, list[AESGCM]] = {}
        for kid, key in zip(ids, keys, strict=True):  # ids collide with odds 2^-32: both tried
            self.by_id.setdefault(kid, []).append(key)

    def encrypt(self, data: bytes) -> str:
        nonce = os.urandom(_NONCE)
        sealed = self.current.encrypt(nonce, data, _AAD)
        return GCM_PREFIX + base64_urlsafe(self.current_id + nonce + sealed).decode("ascii")

    def open(self, token: str, *, current_only: bool = False) -> bytes:
        """The plaintext bytes of a ``v2`` token; InvalidTag if no (current) key opens it,
        ValueError if it is not one."""
        raw = _unbase64(token[len(GCM_PREFIX) :])
        if len(raw) < _HEAD + _TAG:
            raise ValueError("too short for a v2 token")
        kid, nonce, sealed = raw[:_KEY_ID], raw[_KEY_ID:_HEAD], raw[_HEAD:]
        if current_only:
            candidates = [self.current] if kid == self.current_id else []
        else:
            # The keys the id names first; then, for a token written before the key ids had
            # their own key (its id was an HMAC under the GCM key itself, which may match no
            # key or, by a 2^-32 chance, another one), every other key: GCM tells the right one.
            named = self.by_id.get(kid, [])
            candidates = [*named, *(a for a in self.every if a not in named)]
        for aead in candidates:
            try:
                return aead.decrypt(nonce, sealed, _AAD)
            except InvalidTag:
                continue
        raise InvalidTag


def _unbase64(text: str) -> bytes:
    """urlsafe base64 decoded strictly (``binascii.Error``, a ValueError, on any other byte)."""
    return binascii.a2b_base64(text.encode("ascii").translate(_FROM_URLSAFE), strict_mode=True)


@lru_cache(maxsize=8)
def _data_keys(raw: str) -> DataKeys:
    return DataKeys(_data_secrets(raw))


def data_keys() -> DataKeys:
    """The GCM keys of ``WUSHE_DATA_KEY`` (cached per setting)."""
    keys = _current.get("data")
    if keys is None:
        keys = _current["data"] = _data_keys(settings.WUSHE_DATA_KEY)
    return keys


class KeyedHash:
    """HMAC-SHA256 under one key, keyed once: each message starts from a copy of the keyed
    state, which skips re-deriving the padded key states on every call. The state is the
    ``cryptography`` library's ``HMAC`` (OpenSSL through Rust): its copy, update and finalize
    take 11,400 instructions a message against 18,000 for a copied stdlib ``hmac`` object
    (whose copy is Python code) and 24,800 for the one-shot ``hmac.digest``; the digest is the
    same (tested against ``hmac.new``)."""

    def __init__(self, key: bytes) -> None:
        self._keyed = crypto_hmac.HMAC(key, hashes.SHA256())

    def digest(self, message: bytes) -> bytes:
        mac = self._keyed.copy()
        mac.update(message)
        return mac.finalize()

    def hexdigest(self, message: bytes) -> str:
        return self.digest(message).hex()


# The data keys and the blind-index hash for the keys configured now (read on every protected
# value, so not through settings each time); emptied when a key setting changes.
_current: dict[str, Any] = {}


def _forget_keys(*, setting: str, **kwargs: Any) -> None:
    if setting in ("WUSHE_DATA_KEY", "WUSHE_BLIND_INDEX_KEY"):
        _current.clear()


setting_changed.connect(_forget_keys)


def encrypt(plaintext: str) -> str:
    """The ciphertext (a ``v2`` token, ASCII) of ``plaintext`` under the first data key."""
    keys = _current.get("data")
    if keys is None:
        keys = data_keys()
    return keys.encrypt(plaintext.encode("utf-8"))


def looks_encrypted(text: str) -> bool:
    """Whether ``text`` has the shape of a token this module writes or wrote (``v2`` or
    Fernet), whatever key it is under: for migrations that encrypt a column in place."""
    if text.startswith(GCM_PREFIX):
        body, least = text[len(GCM_PREFIX) :], _HEAD + _TAG
    elif text.startswith(FERNET_PREFIX):
        body, least = text, 1 + 8 + 16 + 16 + 32  # version, time, IV, a block, HMAC
    else:
        return False
    try:
        raw = _unbase64(body)
    except (ValueError, UnicodeError):
        return False
    if body is text:
        return raw[0] == 0x80 and len(raw) >= least and (len(raw) - least) % 16 == 0
    return len(raw) >= least


def decrypt(token: str, *, where: str = "") -> str:
    """The plaintext of ``token`` (``v2`` or Fernet); raises DecryptionError, never returns
    the token itself."""
    try:
        if token.startswith(GCM_PREFIX):
            return data_keys().open(token).decode("utf-8")
        return multi_fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidTag, InvalidToken, UnicodeError, ValueError, TypeError) as exc:
        place = f" in {where}" if where else ""
        raise DecryptionError(
            f"Cannot decrypt a protected value{place}: no key in WUSHE_DATA_KEY opens it "
            "(a key was removed before rotate-data-key finished, or the value is damaged)."
        ) from exc


def is_current(token: str) -> bool:
    """Whether ``token`` is a ``v2`` token that the first (current) data key opens. A Fernet
    token never is: rotation moves it into the envelope."""
    if not token.startswith(GCM_PREFIX):
        return False
    try:
        data_keys().open(token, current_only=True)
    except (InvalidTag, ValueError, UnicodeError):
        return False
    return True


def rotate(token: str, *, where: str = "") -> str:
    """``token`` (any format, any configured key) re-encrypted as a ``v2`` token under the
    first data key."""
    try:
        plaintext = decrypt(token, where=where)
    except DecryptionError as exc:
        raise DecryptionError(f"Cannot rotate a protected value in {where}.") from exc
    return encrypt(plaintext)


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
