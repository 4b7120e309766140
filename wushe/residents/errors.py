"""Messages of the residents app (translatable constants that tests assert on)."""

from django.utils.translation import gettext_lazy as _

# ID numbers
ID_LOST_DIGITS = _(
    "ID number {value} was turned into a number by Excel and its last digits were lost. "
    "Format the ID number column as Text (设置单元格格式 → 文本) and type the numbers again, "
    "or start each one with an apostrophe (')."
)
ID_LENGTH = _("ID number “{value}” must have 18 characters; it has {length}.")
ID_FORMAT = _("ID number “{value}” must be 17 digits followed by a digit or X.")
ID_CHECKSUM = _("ID number “{value}” has a wrong check digit (last character); check for a typo.")
ID_BIRTH_DATE = _("ID number “{value}” holds no valid birth date.")
ID_PLACE = _("ID number “{value}” does not start with a known region code.")
ID_FUTURE = _("ID number “{value}” holds a birth date in the future.")
GENDER_UNKNOWN = _("Unknown gender “{value}”: use 男 or 女.")
GENDER_MISMATCH = _(
    "The stated gender ({stated}) disagrees with the ID number, which says {derived}; "
    "the ID number's gender was used."
)
# Phones
PHONE_INVALID = _("Phone number “{value}” is not a valid mobile or landline number.")
PHONE_LOST_DIGITS = _(
    "Phone number {value} was turned into a number by Excel and its digits were lost. "
    "Format the phone column as Text and type the numbers again."
)
WHOLE_NUMBER_SEARCH_CAP = _(
    "You have searched by a whole ID number or phone {limit} times in the last hour, the most "
    "allowed. Search by name or the last four digits, or try again later."
)
# Names and rows
NAME_REQUIRED = _("The name is missing.")
NAME_TOO_LONG = _("The name “{value}” is longer than {limit} characters.")
ID_OR_PHONE_REQUIRED = _(
    "Neither an ID number nor a phone number: a resident needs at least one to be told apart."
)
UNKNOWN_CATEGORIES = _("Unknown categories, not tagged: {names}.")
BLANK_ROW = _("Blank row.")
TOTAL_ROW = _("Total row (合计/小计/总计).")
SIGNATURE_ROW = _("Signature row (填表人/审核人).")
# Tags edited by hand
TAG_UNKNOWN = _("Unknown key-population tag “{value}”.")
TAG_DERIVED = _("“{value}” follows from the birth date and cannot be set by hand.")
TAG_DETAIL_INVALID = _("Unknown value “{value}”.")
DISABILITY_GRADE = _("The disability grade must be 1, 2, 3 or 4.")
