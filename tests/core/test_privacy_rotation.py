"""Key rotation: rotate-data-key re-encrypts under the new key; rebuild-blind-index rehashes."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from tests.core.privacy_testapp.models import Note, Person
from wushe.core.privacy import DecryptionError, blind_index, blind_tail
from wushe.core.privacy.keys import GCM_PREFIX, data_fernets, is_current

OLD = "test-only-data-key"  # what the test settings encrypt with
NEW = "a-brand-new-data-key-after-rotation"
ID = "31011519900101123X"


def run(name, **kwargs):
    out = StringIO()
    call_command(name, stdout=out, **kwargs)
    return out.getvalue()


def raw_tokens(model, column):
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table}")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def data(street):
    people = [
        Person.objects.create(
            area=street.grid_a1,
            id_number=f"3101151990010{n:04d}X",
            phone=f"1381234{n:04d}",
            health_note="" if n % 2 else "慢病",
        )
        for n in range(7)
    ]
    people.append(Person.objects.create(area=street.grid_a1, id_number=None, phone=None))
    Note.objects.create(text="一条记录")
    return people


def test_rotation_reencrypts_with_the_new_key_and_old_key_stays_readable(data):
    with override_settings(WUSHE_DATA_KEY=f"{NEW},{OLD}"):
        # Before rotating, old values are still readable with the old key second.
        assert Person.objects.get(pk=data[0].pk).id_number == "31011519900100000X"
        output = run("rotate_data_key", batch_size=3)
        assert "privacy_testapp.Person.id_number: 8 rows, 7 re-encrypted" in output
        assert "privacy_testapp.Note.text: 1 rows, 1 re-encrypted" in output
        assert all(is_current(t) for t in raw_tokens(Person, "phone") if t)
        # Idempotent: a second run has nothing to do.
        again = run("rotate_data_key")
        assert "Done: 0 values re-encrypted" in again
        assert "7 already current, 1 empty" in again
    # After rotation the new key alone opens everything.
    with override_settings(WUSHE_DATA_KEY=NEW):
        people = {p.pk: p for p in Person.objects.all()}
        assert people[data[0].pk].id_number == "31011519900100000X"
        assert people[data[0].pk].health_note == "慢病"
        assert people[data[1].pk].health_note == ""
        assert people[data[-1].pk].phone is None
        assert Note.objects.get().text == "一条记录"
    # And the old key alone no longer does.
    with pytest.raises(DecryptionError):
        list(Person.objects.all())


def test_rotation_moves_fernet_tokens_into_the_v2_envelope_under_the_same_key(data):
    """Values written as Fernet tokens (before the v2 envelope) read as before, are not
    current, and rotate-data-key re-encrypts them as v2 tokens without a new key."""
    fernet = data_fernets()[0]
    table = connection.ops.quote_name(Person._meta.db_table)
    with connection.cursor() as cursor:
        for person in data[:4]:
            cursor.execute(
                f"UPDATE {table} SET phone = %s WHERE id = %s",  # noqa: S608 - test
                [fernet.encrypt(person.phone.encode()).decode(), person.pk],
            )
    assert sum(not t.startswith(GCM_PREFIX) for t in raw_tokens(Person, "phone") if t) == 4
    assert Person.objects.get(pk=data[0].pk).phone == "13812340000"
    output = run("rotate_data_key")
    assert "privacy_testapp.Person.phone: 8 rows, 4 re-encrypted, 3 already current" in output
    assert all(t.startswith(GCM_PREFIX) and is_current(t) for t in raw_tokens(Person, "phone") if t)
    assert [p.phone for p in Person.objects.order_by("pk")] == [d.phone for d in data]
    assert "Done: 0 values re-encrypted" in run("rotate_data_key")


def test_rotation_leaves_blind_indexes_alone(data):
    before = sorted(
        Person.objects.values_list("id_number_index", flat=True).exclude(id_number_index=None)
    )
    with override_settings(WUSHE_DATA_KEY=f"{NEW},{OLD}"):
        run("rotate_data_key")
        after = sorted(
            Person.objects.values_list("id_number_index", flat=True).exclude(id_number_index=None)
        )
    assert before == after


def test_rotation_reports_values_no_key_opens(data):
    with (
        override_settings(WUSHE_DATA_KEY="unrelated-key"),
        pytest.raises(CommandError, match="Person.phone"),
    ):
        run("rotate_data_key")
    # Nothing was written: the right key still reads everything.
    assert Person.objects.get(pk=data[0].pk).phone == "13812340000"


def test_rebuild_blind_index_after_changing_the_index_key(data):
    new_key = "a-new-blind-index-key"
    with override_settings(WUSHE_BLIND_INDEX_KEY=new_key):
        assert not Person.objects.filter(
            id_number_index=blind_index("id_number", "31011519900100000X")
        ).exists()
        output = run("rebuild_blind_index", batch_size=3)
        assert "privacy_testapp.Person: 8 rows, 7 rewritten, 1 unchanged" in output
        found = Person.objects.get(id_number_index=blind_index("id_number", "31011519900100000x"))
        assert found.pk == data[0].pk
        assert Person.objects.filter(phone_tail=blind_tail("phone", "0003")).count() == 1
        assert "0 rows rewritten" in run("rebuild_blind_index")
