"""Resident ID numbers (居民身份证号码) as spreadsheets hold them, checked with ``stdnum.cn.ric``.

``parse_id_number`` accepts what people and Excel do to a number: full-width digits, spaces and
hyphens, a lower-case x, a leading apostrophe (Excel's "this is text" marker), an integral
float cannot hold 18 digits (Excel keeps 15 significant digits), so any float, a trailing
``.0`` or scientific notation is rejected as "digits lost", with a hint on formatting the
column as text. The birth date and gender come from the number itself.

A message names the number masked (``3101**********123X``): messages end up in import reports,
job results and the action log, which are stored and shown unencrypted.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from stdnum import numdb
from stdnum.cn import ric

from wushe.core.errors import ApplicationError
from wushe.core.privacy.maskers import mask_id_number
from wushe.residents import errors

MALE = "male"
FEMALE = "female"

_SCIENTIFIC = re.compile(r"^\d(\.\d+)?e\+?\d+$", re.IGNORECASE)
_CLEAN = re.compile(r"[0-9]{17}[0-9X]")  # ASCII, nothing the normalising below would change
_GENDER_WORDS = {
    "男": MALE,
    "男性": MALE,
    "m": MALE,
    "male": MALE,
    "女": FEMALE,
    "女性": FEMALE,
    "f": FEMALE,
    "female": FEMALE,
}
GENDER_LABELS = {MALE: "男", FEMALE: "女"}


@dataclass(frozen=True)
class IdNumber:
    number: str  # 18 characters, upper-case X
    birth_date: datetime.date
    gender: str  # MALE | FEMALE

    @property
    def tail(self) -> str:
        return self.number[-4:]


def _invalid(message: Any, text: str, **extra: Any) -> ApplicationError:
    """The error for an ID number that is not valid, naming it masked."""
    return ApplicationError(message.format(value=mask_id_number(text), **extra), field="id_number")


def normalise_id_text(value: Any) -> str:
    """The number as text with the spreadsheet noise removed (no validation)."""
    if type(value) is str and _CLEAN.fullmatch(value):
        return value  # already clean: the usual cell, spared NFKC and the noise patterns
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, (float, Decimal)):
        raise _invalid(errors.ID_LOST_DIGITS, _float_text(value))
    if isinstance(value, int):
        # An int keeps every digit (an .xlsx cell of type number with 17 digits + digit check
        # cannot exist beyond 15 significant digits, but a CSV writer may give exact ints).
        value = str(value)
    text = unicodedata.normalize("NFKC", str(value))
    text = re.sub(r"[\s\-‐－—]+", "", text).lstrip("'‘’`")
    if _SCIENTIFIC.match(text):
        raise _invalid(errors.ID_LOST_DIGITS, text)
    if text.endswith(".0") and text[:-2].isdigit():
        raise _invalid(errors.ID_LOST_DIGITS, text)
    return text.upper()


def _float_text(value: float | Decimal) -> str:
    try:
        return f"{float(value):.15g}"
    except (OverflowError, ValueError):
        return str(value)


def parse_id_number(value: Any, *, today: datetime.date | None = None) -> IdNumber:
    """Validate an ID number; raise ApplicationError (field ``id_number``) naming the fault."""
    text = normalise_id_text(value)
    if len(text) != 18:
        raise _invalid(errors.ID_LENGTH, text, length=len(text))
    if not text[:17].isdigit() or not (text[17].isdigit() or text[17] == "X"):
        raise _invalid(errors.ID_FORMAT, text)
    if text[-1] != ric.calc_check_digit(text):
        raise _invalid(errors.ID_CHECKSUM, text)
    try:
        # What ric.get_birth_date reads, without its second clean-up pass over the number.
        birth = datetime.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError as exc:
        raise _invalid(errors.ID_BIRTH_DATE, text) from exc
    if not known_region(text[:6]):
        raise _invalid(errors.ID_PLACE, text)
    if birth > (today or datetime.date.today()):  # noqa: DTZ011 - a calendar date, not a time
        raise _invalid(errors.ID_FUTURE, text)
    gender = MALE if int(text[16]) % 2 else FEMALE
    return IdNumber(number=text, birth_date=birth, gender=gender)


@lru_cache(maxsize=8192)
def known_region(code: str) -> bool:
    """Whether ``code`` is a county code in stdnum's table, in any year.

    ``ric.validate`` also demands that the county existed in the birth year, but numbers are
    issued where a person is registered when the card is made, so a Pudong (310115, 1993–)
    number with a 1950 birth date is real; we check the code and not its years.
    """
    results = numdb.get("cn/loc").info(code)
    return any(props.get("county") for _part, props in results)


def parse_gender(value: Any) -> str | None:
    """``male``/``female`` from 男/女/M/F…; ``None`` when blank; ApplicationError otherwise."""
    if value is None or not str(value).strip():
        return None
    key = unicodedata.normalize("NFKC", str(value)).strip().lower()
    if key not in _GENDER_WORDS:
        raise ApplicationError(errors.GENDER_UNKNOWN.format(value=value), field="gender")
    return _GENDER_WORDS[key]


def gender_warning(stated: str | None, id_number: IdNumber) -> str | None:
    """A warning when a stated gender disagrees with the one in the ID number (the number wins)."""
    if stated is None or stated == id_number.gender:
        return None
    return str(
        errors.GENDER_MISMATCH.format(
            stated=GENDER_LABELS[stated], derived=GENDER_LABELS[id_number.gender]
        )
    )


def make_id_number(place: str, birth: datetime.date, sequence: int) -> str:
    """A valid number for demo and test data: region code, birth date, 3-digit sequence
    (odd for men), check digit computed by ``stdnum``."""
    body = f"{place}{birth:%Y%m%d}{sequence % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
