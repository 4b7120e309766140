"""Microbenchmark of the per-value primitives of protected personal data (issue #3): what the
canvass import spends per ID number and phone. Best of several repeats, µs per call.

    .venv/bin/python bench/privacy_micro.py

- ``Fernet.encrypt``: the token format written before the ``v2`` envelope (the current key's
  Fernet, built once: what ``keys.encrypt`` did);
- ``keys.encrypt``: the ``v2`` envelope (AES-256-GCM, random nonce, base64), and its parts;
- decryption of either format through ``keys.decrypt``;
- HMAC-SHA256 (the blind indexes and the content hash): ``KeyedHash`` (a keyed ``hmac`` object
  copied per message) against the one-shot ``hmac.digest`` and ``hmac.new``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import sys
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def best(fn, number: int = 50_000, repeat: int = 7) -> float:
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e6


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "wushe.settings.test"  # fixed insecure test keys
    import django

    django.setup()
    from wushe.core.privacy.keys import (
        KeyedHash,
        blind_index_key,
        data_fernets,
        data_keys,
        decrypt,
        encrypt,
    )

    phone, id_number = "13812345678", "31011519900101123X"
    fernet = data_fernets()[0]
    keys = data_keys()
    nonce = os.urandom(12)
    fernet_token = fernet.encrypt(phone.encode()).decode("ascii")
    gcm_token = encrypt(phone)
    key = blind_index_key()
    keyed = KeyedHash(key)
    message = b"phone\x00full\x008613812345678"
    rows = [
        (
            "Fernet.encrypt (before: a Fernet token)",
            lambda: fernet.encrypt(phone.encode()).decode("ascii"),
        ),
        ("keys.encrypt (v2: AES-256-GCM envelope)", lambda: encrypt(phone)),
        ("keys.encrypt, 18-character ID number", lambda: encrypt(id_number)),
        ("  os.urandom(12)", lambda: os.urandom(12)),
        (
            "  AESGCM.encrypt alone",
            lambda: keys.current.encrypt(nonce, phone.encode(), b"wushe v2"),
        ),
        ("keys.decrypt of a Fernet token", lambda: decrypt(fernet_token)),
        ("keys.decrypt of a v2 token", lambda: decrypt(gcm_token)),
        ("KeyedHash.hexdigest (copied keyed hmac)", lambda: keyed.hexdigest(message)),
        ("hmac.digest(...).hex() (one-shot)", lambda: hmac.digest(key, message, "sha256").hex()),
        ("hmac.new(...).hexdigest()", lambda: hmac.new(key, message, hashlib.sha256).hexdigest()),
    ]
    width = max(len(name) for name, _ in rows)
    for name, fn in rows:
        print(f"{name:<{width}}  {best(fn):6.2f} µs")


if __name__ == "__main__":
    main()
