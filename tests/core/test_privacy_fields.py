"""Encrypted fields: exact round-trips, no plaintext at rest, loud failures, blocked lookups."""

import re

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import connection
from django.test import override_settings
from django.test.utils import isolate_apps
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.core.privacy_testapp.models import Note, Person
from wushe.core.privacy import DecryptionError, EncryptedTextField
from wushe.core.privacy.keys import decrypt, encrypt

ID = "310115199001011234"
PHONE = "13812345678"


def raw_row(model, pk):
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])  # noqa: S608 - test
        return cursor.fetchone()


@given(st.text())
@settings(max_examples=300)
def test_encrypt_decrypt_round_trips_all_unicode(value):
    token = encrypt(value)
    assert token != value or value == ""
    assert decrypt(token) == value


@given(st.one_of(st.none(), st.text()))
@settings(max_examples=200)
def test_field_prep_and_read_round_trip(value):
    field = EncryptedTextField(null=True)
    stored = field.get_prep_value(value)
    assert (stored is None) == (value is None)
    assert field.from_db_value(stored, None, connection) == value


@pytest.mark.django_db
@given(value=st.text(), phone=st.one_of(st.none(), st.text(max_size=30)))
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_database_round_trip_is_exact(street, value, phone):
    person = Person.objects.create(area=street.grid_a1, health_note=value, phone=phone)
    again = Person.objects.get(pk=person.pk)
    assert again.health_note == value
    assert again.phone == phone
    Person.objects.filter(pk=person.pk).delete()


@pytest.mark.django_db
def test_empty_string_and_none_survive(street):
    person = Person.objects.create(area=street.grid_a1, id_number=None, phone="", health_note="")
    again = Person.objects.get(pk=person.pk)
    assert again.id_number is None and again.phone == "" and again.health_note == ""
    assert again.id_number_index is None and again.phone_index is None


@pytest.mark.django_db
def test_raw_sql_read_shows_no_plaintext(street):
    person = Person.objects.create(
        area=street.grid_a1,
        id_number=ID,
        phone=PHONE,
        health_note="透析 每周二、四、六",
    )
    # Text columns only: a key (area_id = 1234 after many tests on PostgreSQL) is no leak.
    values = [v for v in raw_row(Person, person.pk) if isinstance(v, str)]
    row = " ".join(values)
    for secret in (ID, PHONE, "透析"):
        assert secret not in row
    # A last four is short enough to turn up by chance inside a random token or a hex digest
    # (about once in a few hundred runs), so it is looked for in the other columns only.
    token = re.compile(r"(v2:|gAAAAA)[A-Za-z0-9_=-]+|[0-9a-f]{32,}")
    plain = [v for v in values if not token.fullmatch(v)]
    assert len(plain) < len(values)  # the encrypted and index columns were recognised
    for tail in (ID[-4:], PHONE[-4:]):
        assert not any(tail in v for v in plain), (tail, plain)
    assert Person.objects.values_list("id_number", flat=True).get(pk=person.pk) == ID


@pytest.mark.django_db
def test_same_value_encrypts_differently_each_time(street):
    a = Person.objects.create(area=street.grid_a1, phone=PHONE)
    b = Person.objects.create(area=street.grid_a1, phone=PHONE)
    assert raw_row(Person, a.pk) != raw_row(Person, b.pk)
    assert a.phone_index == b.phone_index  # the blind index is what makes them findable


@pytest.mark.django_db
def test_wrong_key_raises_never_returns_ciphertext(street):
    note = Note.objects.create(text="秘密")
    with override_settings(WUSHE_DATA_KEY="some-other-key"):
        with pytest.raises(DecryptionError, match="privacy_testapp.Note.text"):
            Note.objects.get(pk=note.pk)
    assert Note.objects.get(pk=note.pk).text == "秘密"


def test_damaged_token_raises():
    with pytest.raises(DecryptionError):
        decrypt("not-a-token")


def test_missing_data_key_is_a_configuration_error():
    with override_settings(WUSHE_DATA_KEY=" , "):
        with pytest.raises(ImproperlyConfigured, match="WUSHE_DATA_KEY"):
            encrypt("x")


@pytest.mark.django_db
def test_lookups_on_encrypted_fields_are_refused(street):
    with pytest.raises(FieldError, match="BlindIndexField"):
        Person.objects.filter(id_number=ID).exists()
    with pytest.raises(FieldError):
        Person.objects.filter(phone__contains="1234").exists()
    assert not Person.objects.filter(id_number__isnull=False).exists()


@pytest.mark.django_db
def test_save_with_update_fields_keeps_index_in_step(street):
    from wushe.core.privacy import blind_index

    person = Person.objects.create(area=street.grid_a1, phone=PHONE)
    person.phone = "13900001111"
    person.save(update_fields=["phone"])
    person.refresh_from_db()
    assert person.phone_index == blind_index("phone", "13900001111")
    assert Person.objects.filter(phone_index=blind_index("phone", "139 0000 1111")).exists()


def test_protected_field_names_for_admin_exclude():
    from wushe.core.privacy import protected_field_names

    names = set(protected_field_names(Person))
    assert {"id_number", "id_number_index", "phone_tail", "health_note"} <= names
    assert "name" not in names and "area" not in names


@isolate_apps("privacy_testapp")
def test_blind_index_field_needs_the_mixin():
    from django.db import models

    from wushe.core.privacy import BlindIndexField

    class Loose(models.Model):  # noqa: DJ008 - a throwaway model for the system check
        secret = EncryptedTextField()
        secret_index = BlindIndexField(source="secret")
        missing_index = BlindIndexField(source="nope")

        class Meta:
            app_label = "privacy_testapp"

    ids = {e.id for f in Loose._meta.local_fields for e in f.check()}
    assert {"wushe_privacy.E001", "wushe_privacy.E002"} <= ids
