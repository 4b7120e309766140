"""Microbenchmark of the per-value primitives of protected personal data (issue #3): what the
canvass import spends per ID number and phone. Best of several repeats, µs per call.

    .venv/bin/python bench/privacy_micro.py                  # µs per call (load-dependent)
    .venv/bin/python bench/privacy_micro.py --instructions   # instructions per call (callgrind)

- ``Fernet.encrypt``: the token format written before the ``v2`` envelope (the current key's
  Fernet, built once: what ``keys.encrypt`` did);
- ``keys.encrypt``: the ``v2`` envelope (AES-256-GCM, random nonce, base64), and its parts;
- decryption of either format through ``keys.decrypt``;
- HMAC-SHA256 (the blind indexes and the content hash): ``KeyedHash`` (the ``cryptography``
  library's keyed ``HMAC`` copied per message) against a copied stdlib ``hmac`` object (what
  ``KeyedHash`` was before), the one-shot ``hmac.digest`` and ``hmac.new``.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import re
import subprocess
import sys
import tempfile
import timeit
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def best(fn, number: int = 50_000, repeat: int = 7) -> float:
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e6


def rows() -> list[tuple[str, Callable[[], object]]]:
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
    stdlib_keyed = hmac.new(key, digestmod=hashlib.sha256)

    def stdlib_copy() -> str:
        mac = stdlib_keyed.copy()
        mac.update(message)
        return mac.hexdigest()

    message = b"phone\x00full\x008613812345678"
    rows: list[tuple[str, Callable[[], object]]] = [
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
        ("KeyedHash.hexdigest (cryptography HMAC)", lambda: keyed.hexdigest(message)),
        ("copied stdlib hmac object (before)", stdlib_copy),
        ("hmac.digest(...).hex() (one-shot)", lambda: hmac.digest(key, message, "sha256").hex()),
        ("hmac.new(...).hexdigest()", lambda: hmac.new(key, message, hashlib.sha256).hexdigest()),
    ]
    return rows


def _instructions(index: int, calls: int) -> int:
    """Instructions of ``calls`` calls of row ``index`` (-1: an empty call), under callgrind."""
    command = [sys.executable, __file__, "--one", str(index), "--calls", str(calls)]
    with tempfile.TemporaryDirectory(prefix="wushe-micro-") as scratch:
        out = Path(scratch) / "callgrind.out"
        subprocess.run(
            ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}"]
            + command,
            check=True,
            capture_output=True,
        )
        totals = re.search(r"^totals: (\d+)", out.read_text(), re.MULTILINE)
    assert totals, "no totals in the callgrind output"
    return int(totals.group(1))


def _one(index: int, calls: int) -> None:
    fn = rows()[index][1] if index >= 0 else (lambda: None)
    fn()  # warm-up: caches, first-call work

    def switch(on: str) -> None:
        subprocess.run(
            ["callgrind_control", "-i", on, str(os.getpid())], check=True, stdout=subprocess.DEVNULL
        )

    switch("on")
    for _ in range(calls):
        fn()
    switch("off")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--instructions", action="store_true")
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        _one(args.one, args.calls)
        return
    table = rows()
    width = max(len(name) for name, _ in table)
    if args.instructions:
        empty = _instructions(-1, args.calls)
        for index, (name, _fn) in enumerate(table):
            each = (_instructions(index, args.calls) - empty) / args.calls
            print(f"{name:<{width}}  {each:8,.0f} instructions")
        return
    for name, fn in table:
        print(f"{name:<{width}}  {best(fn):6.2f} µs")


if __name__ == "__main__":
    main()
