"""Blind indexes: keyed hashes (HMAC-SHA256) of normalised values, for exact and tail lookups.

A protected field cannot be searched (its ciphertext changes on every save), so a model keeps
beside it a column holding ``blind_index(kind, value)``; that column carries the unique
constraint and the database index. ``blind_tail(kind, value)`` hashes the last four characters
for "phone or ID number ending in 1234" searches. Without ``WUSHE_BLIND_INDEX_KEY`` the hashes
reveal nothing; with it, a short value space (phone numbers) can be enumerated, so that key is
as secret as the data key and kept apart from it. The hashes of tails are remembered per key
(``TAIL_MEMO``): an import hashes the same few thousand four-digit tails over and over, and
with the key they could be enumerated anyway, so the memo reveals nothing the key does not.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import phonenumbers

from wushe.core.privacy.keys import KeyedHash, blind_index_hash

TAIL_LENGTH = 4
# ASCII digits only ([0-9], not \d: NFKC leaves other scripts' digits as they are).
_CN_MOBILE_E164 = re.compile(r"\+861[3-9][0-9]{9}")
# As most are typed: 11 digits, no country code. Not 179: phonenumbers reads "179xx" as a
# carrier prefix to strip, so those go through its parse as before.
_CN_MOBILE = re.compile(r"1(?:[3-689][0-9]|7[0-8])[0-9]{8}")
_NOT_DIGIT = re.compile(r"\D")
_SPACES = re.compile(r"\s+")
Normaliser = Callable[[str], str]


_CLEAN_ID = re.compile(r"[0-9A-Z]+")  # ASCII: what the steps below return unchanged


def normalise_id_number(value: str) -> str:
    """Resident ID number: full-width to half-width, no spaces or leading apostrophe, upper case."""
    if _CLEAN_ID.fullmatch(value):
        return value
    text = unicodedata.normalize("NFKC", value)
    text = _SPACES.sub("", text).lstrip("'").replace("-", "")
    return text.upper()


def normalise_phone(value: str) -> str:
    """Phone number as E.164 digits without the plus (8613812345678); Chinese numbers by default.

    A number that ``phonenumbers`` cannot parse falls back to its digits, so it still indexes.
    """
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        return ""
    if _CN_MOBILE_E164.fullmatch(text):
        return text[1:]  # already what phonenumbers would write (tested): skip the parse
    if _CN_MOBILE.fullmatch(text):
        return f"86{text}"  # what phonenumbers makes of it (tested): skip the parse
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return _NOT_DIGIT.sub("", text)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164).lstrip("+")


def normalise_text(value: str) -> str:
    """Generic text: Unicode NFKC, surrounding whitespace removed, inner runs collapsed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", value)).strip()


def phone_digits(value: str) -> str:
    """Just the digits: the tail of a phone number, stored or typed ("1234", "…-1234")."""
    return _NOT_DIGIT.sub("", unicodedata.normalize("NFKC", value))


_normalisers: dict[str, Normaliser] = {
    "id_number": normalise_id_number,
    "phone": normalise_phone,
    "text": normalise_text,
}
_tail_normalisers: dict[str, Normaliser] = {"phone": phone_digits}


def register_kind(kind: str, normaliser: Normaliser, *, tail: Normaliser | None = None) -> None:
    """Let a later app index another kind of value (call from its AppConfig.ready)."""
    _normalisers[kind] = normaliser
    if tail is not None:
        _tail_normalisers[kind] = tail


def normalise(kind: str, value: str) -> str:
    try:
        normaliser = _normalisers[kind]
    except KeyError:
        raise LookupError(f"No blind-index normaliser for kind {kind!r}.") from None
    return normaliser(value)


def _hmac(kind: str, part: str, value: str, keyed: KeyedHash | None = None) -> str:
    return (keyed or blind_index_hash()).hexdigest(f"{kind}\x00{part}\x00{value}".encode())


def blind_index(kind: str, value: str | None) -> str | None:
    """The keyed hash of the whole normalised value; ``None`` for a missing or blank value."""
    if value is None:
        return None
    normalised = normalise(kind, value)
    return _hmac(kind, "full", normalised) if normalised else None


def blind_tail(kind: str, value: str | None) -> str | None:
    """The keyed hash of the last four normalised characters (a search by "ending in …").

    Works on a whole stored value and on the four characters a user types alike.
    """
    if value is None:
        return None
    tail_normaliser = _tail_normalisers.get(kind)
    normalised = tail_normaliser(value) if tail_normaliser else normalise(kind, value)
    if len(normalised) < TAIL_LENGTH:
        return None
    tail = normalised[-TAIL_LENGTH:]
    global _tails
    keyed = blind_index_hash()
    memo_key, digests = _tails  # one read: another thread may swap in a new key's memo
    if memo_key is not keyed:  # another key: forget the digests of the old one
        digests = {}
        _tails = (keyed, digests)
    digest = digests.get((kind, tail))
    if digest is None:
        digest = _hmac(kind, "tail", tail, keyed)  # the memo's own key
        if len(digests) < TAIL_MEMO:
            digests[(kind, tail)] = digest
    return digest


# (key, {(kind, tail): digest}) for the current blind-index key.
TAIL_MEMO = 65_536
_tails: tuple[KeyedHash | None, dict[tuple[str, str], str]] = (None, {})
