"""One row's validation: codes as spreadsheets mangle them, levels, coordinates."""

from decimal import Decimal

import pytest

from wushe.areas import errors
from wushe.areas.importing import parse_code, parse_row
from wushe.core.errors import ApplicationError


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("310115901001", "310115901001"),
        ("３１０１１５９０１００１", "310115901001"),  # full-width digits
        ("'310115901001", "310115901001"),  # Excel's text apostrophe
        (" 310115 901001 ", "310115901001"),
        (310115901001.0, "310115901001"),  # an integral float from a numeric cell
        (310115901001, "310115901001"),
        ("310115901001.0", "310115901001"),
    ],
)
def test_code_normalised(raw, expected):
    assert parse_code(raw) == expected


@pytest.mark.parametrize("raw", ["3.10115E+11", 3.1011590100100101e18, 12.5])
def test_code_with_lost_digits_says_so(raw):
    with pytest.raises(ApplicationError) as info:
        parse_code(raw)
    assert str(info.value.message) == str(errors.CODE_LOST_DIGITS).format(value=raw)
    assert "Text" in str(info.value.message)
    assert info.value.field == "code"


def test_code_not_digits():
    with pytest.raises(ApplicationError, match="digits only") as info:
        parse_code("31011A")
    assert info.value.field == "code"


def row(**values):
    base = {
        "code": None,
        "name": None,
        "level": None,
        "parent_code": None,
        "lon": None,
        "lat": None,
    }
    base.update(values)
    return base


def test_short_codes_expanded_and_parent_inferred():
    district = parse_row(2, row(code="310115", name="浦东新区", level="区"))
    assert district.code == "310115000000" and district.parent_code is None
    street = parse_row(3, row(code="310115901", name="明珠街道", level="街道"))
    assert street.code == "310115901000" and street.parent_code == "310115000000"
    community = parse_row(4, row(code="310115901001", name="一村", level="社区"))
    assert community.parent_code == "310115901000"
    grid = parse_row(5, row(code="310115901001001", name="1格", level="网格"))
    assert grid.parent_code == "310115901001"
    building = parse_row(
        6,
        row(code="3101159010010010001", name="1号楼", level="楼栋", lon="121.5391234", lat=31.2251),
    )
    assert building.parent_code == "310115901001001"
    assert building.lon == Decimal("121.539123") and building.lat == Decimal("31.225100")


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        (row(code="310115901001", name="一村", level="小区"), "level", "Unknown level"),
        (row(code="310115901001", name="一村", level=None), "level", "level is missing"),
        (row(code="310115901001", name="", level="社区"), "name", "name is missing"),
        (row(code="31011590100", name="一村", level="社区"), "code", "does not fit the level"),
        (row(code="310115901000", name="一村", level="社区"), "code", "does not fit the level"),
        (row(code="3101159010010010001", name="楼", level="楼栋", lon="121.5"), "lat", "both"),
        (
            row(code="3101159010010010001", name="楼", level="楼栋", lon="31.2", lat="121.5"),
            "lon",
            "swapped",
        ),
        (
            row(code="3101159010010010001", name="楼", level="楼栋", lon="东经121", lat="31"),
            "lon",
            "not a number",
        ),
    ],
)
def test_bad_rows_name_the_field(values, field, message):
    with pytest.raises(ApplicationError, match=message) as info:
        parse_row(7, values)
    assert info.value.field == field
