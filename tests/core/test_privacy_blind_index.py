"""Blind indexes: normalisation, exact and tail lookups, uniqueness, their own key."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.test import override_settings

from tests.core.privacy_testapp.models import Person
from wushe.core.privacy import blind_index, blind_tail, normalise

ID = "31011519900101123X"


@pytest.mark.parametrize(
    "raw",
    [
        "31011519900101123X",
        "31011519900101123x",
        " 3101 1519 9001 0112 3x ",
        "'31011519900101123X",
        "３１０１１５１９９００１０１１２３Ｘ",
    ],
)
def test_id_number_normalisation(raw):
    assert normalise("id_number", raw) == ID
    assert blind_index("id_number", raw) == blind_index("id_number", ID)


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "138 1234 5678",
        "+86 138-1234-5678",
        "008613812345678",
        "１３８１２３４５６７８",
    ],
)
def test_phone_normalisation_to_e164_digits(raw):
    assert normalise("phone", raw) == "8613812345678"
    assert blind_index("phone", raw) == blind_index("phone", "13812345678")


def test_landline_and_unparseable_phone():
    assert normalise("phone", "021-6888 1234") == "862168881234"
    assert normalise("phone", "没有") == ""


def test_blank_values_have_no_index():
    assert blind_index("phone", None) is None
    assert blind_index("phone", "   ") is None
    assert blind_tail("phone", "12") is None


def test_kinds_are_separated_and_hashes_are_opaque():
    value = "13812345678"
    assert blind_index("phone", value) != blind_index("text", value)
    assert value not in blind_index("phone", value)
    assert len(blind_index("phone", value)) == 64


def test_unknown_kind_is_an_error():
    with pytest.raises(LookupError):
        blind_index("shoe_size", "42")


def test_index_key_is_its_own_and_required():
    before = blind_index("phone", "13812345678")
    with override_settings(WUSHE_BLIND_INDEX_KEY="another-index-key"):
        assert blind_index("phone", "13812345678") != before
    with override_settings(WUSHE_BLIND_INDEX_KEY=""), pytest.raises(ImproperlyConfigured):
        blind_index("phone", "13812345678")
    with override_settings(WUSHE_BLIND_INDEX_KEY="same", WUSHE_DATA_KEY="new,same"):
        with pytest.raises(ImproperlyConfigured, match="differ"):
            blind_index("phone", "13812345678")


def test_remembered_tail_hashes_are_the_hmac_and_follow_the_key():
    """Tail hashes are remembered per key: a remembered one is the very HMAC of the tail, and
    a key change is never answered from the old key's memory."""
    import hashlib
    import hmac

    from wushe.core.privacy.keys import blind_index_key

    def expected(kind, tail):
        message = f"{kind}\x00tail\x00{tail}".encode()
        return hmac.new(blind_index_key(), message, hashlib.sha256).hexdigest()

    for _ in range(2):  # computed, then remembered
        assert blind_tail("phone", "+86 138-1234-5678") == expected("phone", "5678")
        assert blind_tail("id_number", ID.lower()) == expected("id_number", "123X")
    before = blind_tail("phone", "5678")
    with override_settings(WUSHE_BLIND_INDEX_KEY="another-index-key"):
        assert blind_tail("phone", "5678") == expected("phone", "5678") != before
    assert blind_tail("phone", "5678") == before


def test_data_key_does_not_change_the_index():
    before = blind_index("id_number", ID)
    with override_settings(WUSHE_DATA_KEY="a-new-data-key,test-only-data-key"):
        assert blind_index("id_number", ID) == before


@pytest.mark.django_db
def test_lookup_by_exact_value_and_by_tail(street):
    alice = Person.objects.create(
        area=street.grid_a1, name="张三", id_number=ID, phone="13812345678"
    )
    Person.objects.create(
        area=street.grid_a1, name="李四", id_number="310115198001011111", phone="13900005678"
    )
    found = Person.objects.get(id_number_index=blind_index("id_number", "31011519900101123x"))
    assert found == alice
    assert list(Person.objects.filter(phone_index=blind_index("phone", "+86 138 1234 5678"))) == [
        alice
    ]
    assert list(Person.objects.filter(id_number_tail=blind_tail("id_number", "123x"))) == [alice]
    tail = Person.objects.filter(phone_tail=blind_tail("phone", "5678")).order_by("name")
    assert [p.name for p in tail] == ["张三", "李四"]


@pytest.mark.django_db
def test_uniqueness_is_carried_by_the_index(street):
    Person.objects.create(area=street.grid_a1, id_number=ID)
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(area=street.grid_b1, id_number=" 31011519900101123x")
    # Any number of people without an ID number.
    Person.objects.create(area=street.grid_a1, id_number=None)
    Person.objects.create(area=street.grid_a1, id_number="")
    assert Person.objects.count() == 3


def test_the_short_ways_for_mobiles_give_what_phonenumbers_gives():
    import random

    import phonenumbers

    rng = random.Random(5)
    numbers = [f"1{rng.randint(3, 9)}{rng.randint(0, 10**9 - 1):09d}" for _ in range(2000)]
    numbers += ["13000000000", "19999999999", "14500000001", "16612345678"]
    # 179xx is a carrier prefix to phonenumbers (stripped, or the parse fails); digits of
    # another script stay as they are after NFKC: both must give what they gave before.
    numbers += ["17974005120", "17900007429", "17934002379", "13\u0668\u0661\u0662\u0663"
                "\u0664\u0665\u0666\u0667\u0668"]  # fmt: skip
    numbers += [f"179{rng.randint(0, 10**8 - 1):08d}" for _ in range(500)]

    def parsed(text):
        try:
            number = phonenumbers.parse(text, "CN")
        except phonenumbers.NumberParseException:
            return "".join(c for c in text if c.isdigit())
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)[1:]

    for text in numbers:
        assert normalise("phone", text) == parsed(text), text
        assert normalise("phone", f"+86{text}") == parsed(f"+86{text}"), text
