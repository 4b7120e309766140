"""Phone numbers with ``phonenumbers``: Chinese mobiles and landlines, with or without +86.

Numbers are stored in E.164 (``+8613812345678``, ``+862150123456``) and shown nationally. A
message names the number masked (``138****5678``): import reports and job results are stored
unencrypted.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

import phonenumbers

from wushe.core.errors import ApplicationError
from wushe.core.privacy.maskers import mask_phone
from wushe.residents import errors

REGION = "CN"
_MOBILE = re.compile(r"(?:\+?86)?(1\d{10})")
_SCIENTIFIC = re.compile(r"\d(\.\d+)?[eE]\+?\d+")
_STRIP = re.compile(r"[\s\-()（）]")
_SEPARATORS = re.compile(r"[，,；;/、]|\s{2,}")
_PLAIN_MOBILE = re.compile(r"1[0-9]{10}")


def parse_phone(value: Any, *, field: str = "phone") -> str:
    """One phone number in E.164, or ApplicationError naming ``field``."""
    if isinstance(value, float):
        if not value.is_integer() or abs(value) >= 1e15:
            raise ApplicationError(
                errors.PHONE_LOST_DIGITS.format(value=mask_phone(str(value))), field=field
            )
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().lstrip("'")
    if _SCIENTIFIC.fullmatch(text):
        raise ApplicationError(errors.PHONE_LOST_DIGITS.format(value=mask_phone(text)), field=field)
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    mobile = _MOBILE.fullmatch(_STRIP.sub("", text))
    if mobile and _mobile_pattern().fullmatch(mobile.group(1)):
        # The common case, decided by phonenumbers' own CN mobile pattern without a full parse.
        return "+86" + mobile.group(1)
    try:
        number = phonenumbers.parse(text, REGION)
    except phonenumbers.NumberParseException as exc:
        raise ApplicationError(
            errors.PHONE_INVALID.format(value=mask_phone(text)), field=field
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise ApplicationError(errors.PHONE_INVALID.format(value=mask_phone(text)), field=field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=1)
def _mobile_pattern() -> re.Pattern[str]:
    metadata: Any = phonenumbers.PhoneMetadata.metadata_for_region(REGION)
    return re.compile(str(metadata.mobile.national_number_pattern))


def parse_phones(value: Any, *, field: str = "phone") -> list[str]:
    """A cell that may hold several numbers ("138…，021-…"): each one parsed, duplicates dropped."""
    if value is None:
        return []
    if type(value) is str and _PLAIN_MOBILE.fullmatch(value) and _mobile_pattern().fullmatch(value):
        return ["+86" + value]  # the usual cell: what the general path below gives it (tested)
    if isinstance(value, (int, float)):
        return [parse_phone(value, field=field)]
    parts = [p.strip() for p in _SEPARATORS.split(unicodedata.normalize("NFKC", str(value)))]
    result: list[str] = []
    for part in parts:
        if part:
            phone = parse_phone(part, field=field)
            if phone not in result:
                result.append(phone)
    return result


def display_phone(e164: str) -> str:
    """As people write it: 138 1234 5678, 021 5012 3456."""
    try:
        number = phonenumbers.parse(e164, REGION)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
