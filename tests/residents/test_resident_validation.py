"""Pure validation: ID numbers, phones, pinyin, categories, canvass rows."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from wushe.core.errors import ApplicationError
from wushe.core.privacy.blind_index import normalise_id_number
from wushe.residents import errors
from wushe.residents.idnumbers import (
    FEMALE,
    MALE,
    age_on,
    gender_warning,
    make_id_number,
    normalise_id_text,
    parse_gender,
    parse_id_number,
)
from wushe.residents.importing import parse_row, skip_reason, split_address
from wushe.residents.phones import display_phone, parse_phone, parse_phones
from wushe.residents.pinyin import name_pinyin, search_key
from wushe.residents.tags import CategoryReader, derived_tags, parse_categories

MAN = make_id_number("310115", datetime.date(1950, 3, 4), 123)  # odd sequence: male
WOMAN = make_id_number("110105", datetime.date(2015, 12, 31), 88)


def test_made_numbers_are_valid_and_carry_birth_date_and_gender():
    man = parse_id_number(MAN)
    assert man.birth_date == datetime.date(1950, 3, 4) and man.gender == MALE
    woman = parse_id_number(WOMAN)
    assert woman.birth_date == datetime.date(2015, 12, 31) and woman.gender == FEMALE
    assert man.tail == MAN[-4:]


@pytest.mark.parametrize(
    "typed",
    [
        f"'{MAN}",
        f" {MAN[:6]} {MAN[6:14]} {MAN[14:]} ",
        MAN.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
        f"{MAN[:6]}-{MAN[6:]}",
    ],
)
def test_id_numbers_are_normalised(typed):
    assert parse_id_number(typed).number == MAN


def test_lower_case_x_check_digit():
    for seq in range(1000):
        number = make_id_number("310115", datetime.date(1980, 1, 1), seq)
        if number.endswith("X"):
            break
    assert parse_id_number(number.lower()).number == number


@pytest.mark.parametrize(
    "excel", [3.10115195003041e17, "3.10115E+17", "3.10115195003041E17", f"{MAN[:-1]}.0"]
)
def test_excel_mangled_numbers_say_the_digits_were_lost(excel):
    with pytest.raises(ApplicationError) as info:
        parse_id_number(excel)
    assert "digits were lost" in str(info.value.message)
    assert "Text" in str(info.value.message)
    assert info.value.field == "id_number"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (MAN[:-1] + ("0" if MAN[-1] != "0" else "1"), "check digit"),
        (MAN[:17], "18 characters"),
        ("31011519500304123A", "17 digits"),
        (make_id_number("999999", datetime.date(1950, 3, 4), 1), "region code"),
        (make_id_number("310115", datetime.date(2099, 1, 1), 1), "future"),
    ],
)
def test_bad_id_numbers_name_the_fault(value, message):
    with pytest.raises(ApplicationError) as info:
        parse_id_number(value)
    assert message in str(info.value.message)


def test_bad_birth_date():
    body = "31011519501304123"  # month 13
    from stdnum.cn import ric

    with pytest.raises(ApplicationError) as info:
        parse_id_number(body + ric.calc_check_digit(body + "0"))
    assert "birth date" in str(info.value.message)


def test_gender_words_and_mismatch_warning():
    assert (
        parse_gender("男") == MALE
        and parse_gender(" 女 ") == FEMALE
        and parse_gender("F") == FEMALE
    )
    assert parse_gender(None) is None and parse_gender("") is None
    with pytest.raises(ApplicationError):
        parse_gender("未知")
    man = parse_id_number(MAN)
    assert gender_warning(MALE, man) is None
    assert "disagrees" in gender_warning(FEMALE, man)


def test_age():
    assert age_on(datetime.date(1950, 3, 4), datetime.date(2010, 3, 3)) == 59
    assert age_on(datetime.date(1950, 3, 4), datetime.date(2010, 3, 4)) == 60


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("13812345678", "+8613812345678"),
        ("+86 138-1234-5678", "+8613812345678"),
        ("8613812345678", "+8613812345678"),
        ("021-50123456", "+862150123456"),
        ("（021）5012 3456", "+862150123456"),
        (13812345678.0, "+8613812345678"),
        ("'13812345678", "+8613812345678"),
    ],
)
def test_phones(typed, e164):
    assert parse_phone(typed) == e164


@pytest.mark.parametrize("bad", ["12345", "1381234567", "abc", "23812345678"])
def test_bad_phones(bad):
    with pytest.raises(ApplicationError) as info:
        parse_phone(bad)
    assert info.value.field == "phone"


def test_phone_in_scientific_notation_lost_digits():
    with pytest.raises(ApplicationError) as info:
        parse_phone("1.38123E+10")
    assert "digits were lost" in str(info.value.message)


def test_several_phones_in_one_cell_and_display():
    assert parse_phones("138 1234 5678，021-50123456/13812345678") == [
        "+8613812345678",
        "+862150123456",
    ]
    assert parse_phones(None) == []
    assert display_phone("+8613812345678") == "138 1234 5678"


def test_pinyin():
    assert name_pinyin("张三") == ("zhangsan", "zs")
    assert name_pinyin("欧阳娜娜") == ("ouyangnana", "oynn")
    assert name_pinyin("吕小绿") == ("lvxiaolv", "lxl")
    assert search_key("Zhang San") == "zhangsan"


@pytest.mark.parametrize(
    ("cell", "tags", "unknown"),
    [
        (
            "独居老人、透析（周二、四、六）/低保",
            {"living_alone", "critical_treatment", "low_income"},
            [],
        ),
        ("空巢 孕妇", {"empty_nest", "pregnant"}, []),
        ("特困，滞留人员", {"extreme_poverty", "stranded"}, []),
        (
            "化疗;严重精神障碍|医护家属",
            {"critical_treatment", "severe_mental_illness", "frontline_family"},
            [],
        ),
        ("慢性病、外星人、 ", {"chronic_illness"}, ["外星人"]),
        ("", set(), []),
        (None, set(), []),
    ],
)
def test_categories(cell, tags, unknown):
    result = parse_categories(cell)
    assert set(result.tags) == tags
    assert result.unknown == unknown


def test_category_details():
    result = parse_categories("透析（周二、四、六）")
    assert result.tags["critical_treatment"] == {
        "treatment": "dialysis",
        "schedule": "周二、四、六",
    }
    assert parse_categories("化疗").tags["critical_treatment"] == {"treatment": "chemotherapy"}
    assert parse_categories("肢体残疾二级").tags["disabled"] == {"category": "physical", "grade": 2}
    assert parse_categories("视力残疾 一级").tags["disabled"] == {"category": "visual", "grade": 1}
    assert parse_categories("残疾人(三级)").tags["disabled"] == {"grade": 3}


def test_derived_tags():
    assert derived_tags(None) == set()
    assert derived_tags(5) == {"child"}
    assert derived_tags(14) == set()
    assert derived_tags(60) == {"elderly_60"}
    assert derived_tags(85) == {"elderly_60", "elderly_80"}


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"name": None, "id_number": None}, errors.BLANK_ROW),
        ({"name": "  ", "id_number": ""}, errors.BLANK_ROW),
        ({"serial": "合计", "name": None, "id_number": "35人"}, errors.TOTAL_ROW),
        ({"name": "小 计", "id_number": None}, errors.TOTAL_ROW),
        ({"serial": "填表人：王芳", "name": None, "phone": "审核人：李强"}, errors.SIGNATURE_ROW),
        ({"name": "张三", "id_number": MAN}, None),
        # Only the first three filled cells can make a signature line; blanks do not count.
        (
            {
                "serial": None,
                "name": "张三",
                "gender": "男",
                "phone": "13812345678",
                "notes": "签字",
            },
            None,
        ),
        ({"serial": " ", "name": "张三", "id_number": None, "notes": "签字"}, errors.SIGNATURE_ROW),
    ],
)
def test_skip_reasons(values, reason):
    assert skip_reason(values) == reason


def test_address_split():
    assert split_address("明珠一村12号楼3单元502室") == ("12", "3", "502")
    assert split_address("12幢502") == ("12", "", "502")


def test_parse_row_full():
    row = parse_row(
        7,
        {
            "name": "张 三",
            "id_number": f"'{MAN}",
            "gender": "女",
            "phone": "13812345678",
            "building": "1号楼",
            "unit": "2单元",
            "room": "301室",
            "categories": "独居、透析、外星人",
            "treatment_schedule": "周一三五上午",
            "emergency_contact": "张小三",
            "emergency_phone": "13912345678",
        },
    )
    assert row.name == "张三" and row.id_number.number == MAN
    assert row.gender == MALE and any("disagrees" in w for w in row.warnings)
    assert any("外星人" in w for w in row.warnings)
    assert (row.building, row.unit, row.room) == ("1", "2", "301")
    assert row.tags["critical_treatment"]["schedule"] == "周一三五上午"
    assert row.emergency_phone == "+8613912345678"


def test_parse_row_needs_name_and_an_identifier():
    with pytest.raises(ApplicationError) as info:
        parse_row(3, {"name": None, "id_number": MAN})
    assert info.value.message == errors.NAME_REQUIRED
    with pytest.raises(ApplicationError) as info:
        parse_row(3, {"name": "李四"})
    assert info.value.message == errors.ID_OR_PHONE_REQUIRED


def test_parse_row_address_column():
    row = parse_row(
        3, {"name": "李四", "phone": "13812345678", "address": "明珠一村12号楼3单元502室"}
    )
    assert (row.building, row.unit, row.room) == ("12", "3", "502")


def test_mobile_fast_path_agrees_with_phonenumbers():
    import random

    import phonenumbers

    rng = random.Random(7)
    for _ in range(3000):
        national = f"1{rng.randint(0, 9_999_999_999):010d}"
        for typed in (national, f"+86 {national}", f"86{national}"):
            try:
                ours = parse_phone(typed)
            except ApplicationError:
                ours = None
            try:
                number = phonenumbers.parse(typed, "CN")
            except phonenumbers.NumberParseException:
                number = None
            theirs = (
                phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
                if number is not None and phonenumbers.is_valid_number(number)
                else None
            )
            assert ours == theirs, typed


def test_phone_blind_index_fast_path_agrees_with_phonenumbers():
    """core.privacy's shortcut for canonical CN mobiles (+861[3-9]…) gives what a full parse
    gives (a small core change made for the import's speed)."""
    import random

    import phonenumbers

    from wushe.core.privacy.blind_index import normalise_phone

    rng = random.Random(11)
    for _ in range(5000):
        e164 = f"+861{rng.randint(3, 9)}{rng.randint(0, 999_999_999):09d}"
        parsed = phonenumbers.parse(e164, "CN")
        expected = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        assert normalise_phone(e164) == expected.lstrip("+")


@given(st.from_regex(r"1[0-9]{10}", fullmatch=True))
@hypothesis_settings(max_examples=400)
def test_plain_mobile_shortcut_agrees_with_the_general_path(text):
    """``parse_phones`` takes a clean 11-digit cell on a short path: same answer as
    ``parse_phone``, which always parses in full (or both reject)."""
    outcomes = []
    for parse in (parse_phones, lambda v: [parse_phone(v)]):
        try:
            outcomes.append(parse(text))
        except ApplicationError as exc:
            outcomes.append(str(exc.message))
    assert outcomes[0] == outcomes[1]


# The ID character set with look-alikes the general path must still handle: full-width and
# other Unicode digits, lower-case and full-width x, spaces, hyphens, apostrophes.
_ID_CHARS = st.sampled_from(list("0123456789X") + list("０１２３４５６７８９٣xｘＸ -'"))


@given(
    st.one_of(
        st.text(_ID_CHARS, min_size=16, max_size=20),
        st.from_regex(r"[0-9]{17}[0-9X]", fullmatch=True),
    )
)
@hypothesis_settings(max_examples=400)
def test_clean_id_text_shortcut_agrees_with_the_general_path(text):
    """``normalise_id_text`` returns a clean ASCII number as it is; a leading apostrophe forces
    the general path (which strips it), so both must agree — or both reject."""
    outcomes = []
    for typed in (text, "'" + text):
        try:
            outcomes.append(normalise_id_text(typed))
        except ApplicationError as exc:
            outcomes.append(str(exc.message))
    assert outcomes[0] == outcomes[1]


@given(st.one_of(st.text(_ID_CHARS, max_size=20), st.from_regex(r"[0-9A-Z]+", fullmatch=True)))
@hypothesis_settings(max_examples=400)
def test_clean_id_blind_index_shortcut_agrees_with_the_general_path(text):
    assert normalise_id_number(text) == normalise_id_number(" " + text)


@given(
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2099, 12, 31)),
    st.integers(0, 999),
    st.sampled_from(["310115", "110105", "999999"]),
)
@hypothesis_settings(max_examples=300)
def test_id_validation_agrees_with_stdnum(birth, sequence, place):
    """What parse_id_number accepts, stdnum's check digit and date accept too (the region
    rule is ours: any year's county code)."""
    from stdnum.cn import ric

    number = make_id_number(place, birth, sequence)
    try:
        parsed = parse_id_number(number, today=datetime.date(2100, 1, 1))
    except ApplicationError:
        parsed = None
    assert (parsed is not None) == (place != "999999")
    if parsed is not None:
        assert ric.compact(number) == parsed.number
        assert ric.get_birth_date(number) == parsed.birth_date
        broken = number[:-1] + ("0" if number[-1] != "0" else "1")
        with pytest.raises(ApplicationError):
            parse_id_number(broken, today=datetime.date(2100, 1, 1))


_CATEGORY_WORDS = st.sampled_from(
    [
        "独居老人",
        "空巢",
        "低保",
        "慢性病",
        "肢体残疾二级",
        "残疾",
        "一级",
        "透析",
        "化疗",
        "孕妇",
        "滞留人员",
        "医护家属",
        "不明",
        "（周二四六）",
        "(二级)",
        "、",
        "，",
        "/",
        " ",
    ]
)


@given(st.lists(_CATEGORY_WORDS, max_size=6).map("".join))
@hypothesis_settings(max_examples=300)
def test_category_reader_agrees_with_parse_categories(cell):
    reader = CategoryReader()
    first = reader(cell)
    expected = parse_categories(cell)
    assert (first.tags, first.unknown) == (expected.tags, expected.unknown)
    first.tags.setdefault("critical_treatment", {})["schedule"] = "changed by the caller"
    first.unknown.append("changed")
    again = reader(cell)  # from memory now, untouched by what the caller did to the first
    assert (again.tags, again.unknown) == (expected.tags, expected.unknown)
