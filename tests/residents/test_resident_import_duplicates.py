"""A second row of the same person in one sheet is a duplicate only of a row that was taken: when
the first row is rejected (its building is unknown), the second, correct one is imported."""

from __future__ import annotations

import datetime

from tests.residents.factories_residents import id_for
from tests.spreadsheets import write_csv
from wushe.core.management.actor import SystemActor
from wushe.residents.models import Resident
from wushe.residents.services import resident_import_file

ID = id_for(datetime.date(1940, 5, 5), 5)


def _import(tmp_path, street, rows):
    path = write_csv(
        tmp_path / "canvass.csv", [["姓名", "身份证号", "联系电话", "楼号", "房号"], *rows]
    )
    return resident_import_file(
        actor=SystemActor(), source=path, filename="canvass.csv", area=street.community_a
    )


def test_a_good_row_is_not_the_duplicate_of_a_rejected_one(street, tmp_path):
    report = _import(
        tmp_path,
        street,
        [["孙七", ID, "13500135000", "99", "101"], ["孙七", ID, "13500135000", "1", "101"]],
    )
    assert [(r["row"], r.get("field")) for r in report.rejected] == [(2, "building")]
    assert report.created == 1
    assert Resident.objects.get().area == street.building_a1


def test_without_an_id_number_too(street, tmp_path):
    report = _import(
        tmp_path,
        street,
        [["孙七", "", "13500135000", "99", "101"], ["孙七", "", "13500135000", "1", "101"]],
    )
    assert [r["row"] for r in report.rejected] == [2] and report.created == 1


def test_a_duplicate_of_a_taken_row_is_still_rejected(street, tmp_path):
    report = _import(
        tmp_path,
        street,
        [["孙七", ID, "13500135000", "1", "101"], ["孙七", ID, "13500135000", "1", "102"]],
    )
    assert [(r["row"], r.get("field")) for r in report.rejected] == [(3, "id_number")]
    assert report.created == 1
