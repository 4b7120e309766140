"""Maskers: how a value looks when a role may know it exists but not read it in full.

Common Chinese practice (as on bank and government pages): an ID number keeps its first four
and last four characters (``3101**********123X``), a mobile number its first three and last
four (``138****1234``), a name its surname (``张**``). Masks keep the length, so a worker
comparing with a paper list can still tell two values apart by their ends.
"""

from __future__ import annotations

import unicodedata

STAR = "*"


def _keep(value: str, head: int, tail: int) -> str:
    if len(value) <= head + tail:
        # Too short to keep both ends: keep at most the last quarter.
        keep = len(value) // 4
        return STAR * (len(value) - keep) + (value[-keep:] if keep else "")
    return value[:head] + STAR * (len(value) - head - tail) + value[-tail:]


def mask_id_number(value: str) -> str:
    compact = "".join(unicodedata.normalize("NFKC", value).split()).upper()
    return _keep(compact, 4, 4)


def mask_phone(value: str) -> str:
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", value) if ch.isdigit())
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return _keep(digits, 3, 4)


def mask_name(value: str) -> str:
    name = value.strip()
    if len(name) <= 1:
        return name
    return name[0] + STAR * (len(name) - 1)


def mask_text(value: str) -> str:
    return STAR * min(len(value), 6) if value else ""


MASKERS = {
    "id_number": mask_id_number,
    "phone": mask_phone,
    "name": mask_name,
}


def mask(kind: str, value: str) -> str:
    return MASKERS.get(kind, mask_text)(value)
