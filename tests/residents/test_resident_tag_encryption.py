"""A key-population tag's treatment schedule and remark are health notes: encrypted at rest
(text columns holding v2 AES-GCM tokens) whether written by the tag page, the API or the canvass
import (executemany on SQLite, binary COPY on PostgreSQL), read back whole where they may be
shown, re-encrypted by key rotation, and encrypted in place by migration residents.0004."""

from __future__ import annotations

import importlib
import io
from io import StringIO
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from openpyxl import load_workbook

from tests.conftest import login
from tests.residents.factories_residents import HouseholdFactory, ResidentFactory
from tests.spreadsheets import write_xlsx
from wushe.core.management.actor import SystemActor
from wushe.core.privacy.keys import GCM_PREFIX, data_fernets, is_current, looks_encrypted
from wushe.residents.models import ResidentTag, Tag
from wushe.residents.services import resident_import_file, resident_set_tags

SCHEDULE = "周二、四、六 8:00 透析 区中心医院"
NOTE = "女儿在外地，每周来电"
OLD_KEY = "test-only-data-key"  # what the test settings encrypt with
NEW_KEY = "a-brand-new-data-key-after-rotation"
MIGRATION = "wushe.residents.migrations.0004_encrypt_tag_details"


def raw_details() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT schedule, note FROM residents_residenttag ORDER BY id")
        return cursor.fetchall()


def assert_encrypted(*plain: str) -> None:
    """Every stored detail is a token (an empty one is NULL) and none of ``plain`` shows."""
    rows = raw_details()
    assert any(value is not None for row in rows for value in row)
    for row in rows:
        assert all(value is None or value.startswith(GCM_PREFIX) for value in row), row
    for text in plain:
        assert text not in repr(rows)


@pytest.fixture
def resident(street):
    household = HouseholdFactory(building=street.building_a1, unit="2", room="301")
    return ResidentFactory(name="张三", area=street.building_a1, household=household)


def set_both_details(people, resident) -> None:
    """A dialysis schedule and a living-alone remark, set by a worker through the service."""
    resident_set_tags(
        actor=people.worker_a,
        resident=resident,
        tags={
            "critical_treatment": {"treatment": "dialysis", "schedule": SCHEDULE},
            "living_alone": {"note": NOTE},
        },
    )


def test_the_columns_are_text_not_varchar_200(db):
    with connection.cursor() as cursor:
        columns = {
            c.name: c
            for c in connection.introspection.get_table_description(cursor, "residents_residenttag")
        }
    for name in ("schedule", "note"):
        field_type = connection.introspection.get_field_type(columns[name].type_code, columns[name])
        assert field_type == "TextField", name


def test_set_by_the_service_encrypted_and_read_back(people, resident):
    set_both_details(people, resident)
    assert_encrypted(SCHEDULE, NOTE, "透析", "女儿")
    link = ResidentTag.objects.get(resident=resident, tag__code="critical_treatment")
    assert link.schedule == SCHEDULE
    assert ResidentTag.objects.get(resident=resident, tag__code="living_alone").note == NOTE
    # Saving the same details again changes nothing (compared decrypted, not as tokens).
    before = raw_details()
    set_both_details(people, resident)
    assert raw_details() == before


def test_tag_page_saves_encrypted_shows_to_a_worker_and_keeps_the_limit(client, people, resident):
    login(client, people.worker_a)
    url = f"/residents/{resident.pk}/tags/"
    too_long = client.post(
        url, {"tag_critical_treatment": "on", "treatment": "dialysis", "schedule": "周" * 201}
    )
    assert too_long.status_code == 400 and not resident.tag_links.exists()
    saved = client.post(
        url, {"tag_critical_treatment": "on", "treatment": "dialysis", "schedule": "周" * 200}
    )
    assert saved.status_code == 302
    assert_encrypted("周" * 20)
    assert resident.tag_links.get().schedule == "周" * 200
    client.post(
        url, {"tag_critical_treatment": "on", "treatment": "dialysis", "schedule": SCHEDULE}
    )
    assert SCHEDULE in client.get(url).content.decode()  # the form shows what is stored
    for page in (f"/residents/{resident.pk}/", f"/residents/households/{resident.household_id}/"):
        assert SCHEDULE in client.get(page).content.decode(), page
    login(client, people.district)  # no health notes: the tag alone
    for page in (f"/residents/{resident.pk}/", f"/residents/households/{resident.household_id}/"):
        assert "区中心医院" not in client.get(page).content.decode(), page


def test_api_saves_encrypted_shows_by_role_and_keeps_the_limit(api, people, resident):
    login(api, people.worker_a)
    url = f"/api/v1/residents/{resident.pk}/tags/"
    for field in ("schedule", "note"):
        tag = {"code": "critical_treatment", "treatment": "dialysis", field: "x" * 201}
        bad = api.put(url, {"tags": [tag]}, format="json")
        assert bad.status_code == 400 and field in bad.content.decode()
    assert not resident.tag_links.exists()
    tag = {
        "code": "critical_treatment",
        "treatment": "dialysis",
        "schedule": SCHEDULE,
        "note": NOTE,
    }
    assert api.put(url, {"tags": [tag]}, format="json").status_code == 200
    assert_encrypted(SCHEDULE, NOTE)
    [shown] = [
        t
        for t in api.get(f"/api/v1/residents/{resident.pk}/").json()["tags"]
        if t["code"] == "critical_treatment"
    ]
    assert (shown["schedule"], shown["note"]) == (SCHEDULE, NOTE)
    login(api, people.district)
    [hidden] = [
        t
        for t in api.get(f"/api/v1/residents/{resident.pk}/").json()["tags"]
        if t["code"] == "critical_treatment"
    ]
    assert "schedule" not in hidden and "note" not in hidden


def _canvass(tmp_path, street):
    rows = [
        ["姓名", "手机号", "人员类别", "治疗时间"],
        ["张三", "13812345678", "透析", SCHEDULE + "，" + "周" * 200],
        ["李四", "13912345678", "低保（子女在外地）", None],
    ]
    path = write_xlsx(tmp_path / "canvass.xlsx", rows)
    return resident_import_file(
        actor=SystemActor(), source=path, filename="canvass.xlsx", area=street.community_a
    )


@pytest.mark.django_db(transaction=True)
def test_import_writes_tag_details_encrypted(street, tmp_path):
    from wushe.residents import bulk

    # An earlier transactional test may have emptied the tags migration 0002 loads.
    importlib.import_module("wushe.residents.migrations.0002_load_default_tags").load_tags(
        apps, None
    )

    if connection.vendor == "postgresql":  # the import's tag rows go by binary COPY
        fields = [f for f in ResidentTag._meta.concrete_fields if not f.primary_key]
        assert bulk._copy_types(fields) is not None
    report = _canvass(tmp_path, street)
    assert report.as_dict()["created"] == 2
    assert_encrypted(SCHEDULE, "子女在外地", "周周周")
    dialysis = ResidentTag.objects.get(tag__code="critical_treatment")
    assert dialysis.schedule.startswith(SCHEDULE) and len(dialysis.schedule) == 200
    assert ResidentTag.objects.get(tag__code="low_income").note == "子女在外地"
    # A detail the sheet leaves empty is NULL: no encryption spent on an empty string.
    assert (
        dialysis.note is None and ResidentTag.objects.get(tag__code="low_income").schedule is None
    )


def test_export_still_lists_the_tags_without_details(client, people, resident):
    resident_set_tags(
        actor=people.worker_a,
        resident=resident,
        tags={"critical_treatment": {"treatment": "dialysis", "schedule": SCHEDULE}},
    )
    login(client, people.worker_a)
    response = client.get("/residents/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert any(Tag.objects.get(code="critical_treatment").name in c for c in cells)
    assert not any("区中心医院" in c for c in cells)


def test_key_rotation_reencrypts_tag_details(people, resident):
    set_both_details(people, resident)
    with override_settings(WUSHE_DATA_KEY=f"{NEW_KEY},{OLD_KEY}"):
        assert not any(is_current(token) for row in raw_details() for token in row if token)
        out = StringIO()
        call_command("rotate_data_key", stdout=out)
        assert "residents.ResidentTag.schedule: 2 rows, 1 re-encrypted" in out.getvalue()
        assert "residents.ResidentTag.note: 2 rows, 1 re-encrypted" in out.getvalue()
        assert all(is_current(token) for row in raw_details() for token in row if token)
    with override_settings(WUSHE_DATA_KEY=NEW_KEY):
        link = ResidentTag.objects.get(tag__code="critical_treatment")
        assert link.schedule == SCHEDULE
        assert ResidentTag.objects.get(tag__code="living_alone").note == NOTE


def test_migration_encrypts_existing_rows_in_place_and_back(resident):
    link = ResidentTag.objects.create(
        resident=resident, tag=Tag.objects.get(code="critical_treatment"), treatment="dialysis"
    )
    empty = ResidentTag.objects.create(resident=resident, tag=Tag.objects.get(code="living_alone"))
    with connection.cursor() as cursor:  # as the varchar columns held them
        cursor.execute(
            "UPDATE residents_residenttag SET schedule = %s, note = %s WHERE id = %s",
            [SCHEDULE, NOTE, link.pk],
        )
        cursor.execute(
            "UPDATE residents_residenttag SET schedule = '', note = '' WHERE id = %s", [empty.pk]
        )
    migration = importlib.import_module(MIGRATION)
    editor = SimpleNamespace(connection=connection)
    migration.empty_to_null(apps, editor)
    migration.encrypt_details(apps, editor)
    once = raw_details()
    migration.encrypt_details(apps, editor)  # run again: no-op
    assert raw_details() == once
    assert_encrypted(SCHEDULE, NOTE)
    link.refresh_from_db()
    empty.refresh_from_db()
    assert (link.schedule, link.note, empty.schedule, empty.note) == (SCHEDULE, NOTE, None, None)
    migration.decrypt_details(apps, editor)
    migration.null_to_empty(apps, editor)
    assert raw_details() == [(SCHEDULE, NOTE), ("", "")]


def test_migration_over_new_and_old_tokens_neither_encrypts_twice_nor_leaves_ciphertext(
    people, resident
):
    """A database migrated back past 0004 after v2 tokens were written (and still holding
    Fernet tokens from before them): back, every token of both formats becomes its plaintext;
    forward again, every value is encrypted once; a forward run over tokens changes nothing."""
    set_both_details(people, resident)  # v2 tokens, written by today's code
    old = ResidentTag.objects.create(resident=resident, tag=Tag.objects.get(code="low_income"))
    fernet = [data_fernets()[0].encrypt(t.encode()).decode() for t in ("旧的安排", "旧的备注")]
    with connection.cursor() as cursor:  # as written before the v2 envelope
        cursor.execute(
            "UPDATE residents_residenttag SET schedule = %s, note = %s WHERE id = %s",
            [*fernet, old.pk],
        )
    tokens = raw_details()
    assert any(v.startswith(GCM_PREFIX) for row in tokens for v in row if v)
    assert all(looks_encrypted(v) for row in tokens for v in row if v)
    migration = importlib.import_module(MIGRATION)
    editor = SimpleNamespace(connection=connection)
    migration.encrypt_details(apps, editor)
    assert raw_details() == tokens  # nothing encrypted twice
    migration.decrypt_details(apps, editor)
    plain = raw_details()
    assert not any(looks_encrypted(v) for row in plain for v in row if v)
    assert {v for row in plain for v in row if v} == {SCHEDULE, NOTE, "旧的安排", "旧的备注"}
    migration.encrypt_details(apps, editor)
    assert_encrypted(SCHEDULE, NOTE, "旧的安排", "旧的备注")
    details = {
        link.tag.code: (link.schedule, link.note)
        for link in ResidentTag.objects.select_related("tag")
    }
    assert details == {
        "critical_treatment": (SCHEDULE, None),
        "living_alone": (None, NOTE),
        "low_income": ("旧的安排", "旧的备注"),
    }
