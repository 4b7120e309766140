"""Importing areas from real CSV and .xlsx files: every row accounted for, idempotent, atomic,
scoped."""

from decimal import Decimal

import pytest

from tests.spreadsheets import write_csv, write_xlsx
from wushe.areas import errors
from wushe.areas.models import Area
from wushe.areas.services import area_import_file
from wushe.core.errors import ApplicationError
from wushe.core.management.actor import SystemActor
from wushe.core.models import ActionLog

HEADER = ["区划代码", "名称", "层级", "上级代码", "经度", "纬度"]
TREE = [
    ["310115", "浦东新区", "区", "", "", ""],
    ["310115901", "明珠街道", "街道", "310115", "", ""],
    ["310115901001", "明珠一村", "社区", "", "", ""],
    ["310115901001001", "一村第1网格", "网格", "310115901001", "", ""],
    ["3101159010010010001", "一村1号楼", "楼栋", "310115901001001", "121.539", "31.225"],
]


def summary(report):
    d = report.as_dict()
    return {k: d[k] for k in ("created", "updated", "unchanged", "skipped")}, d["rejected"]


@pytest.mark.django_db
def test_csv_tree_created_then_reimport_unchanged(tmp_path):
    path = write_csv(tmp_path / "areas.csv", [HEADER, *TREE])
    counts, rejected = summary(
        area_import_file(actor=SystemActor(), source=path, filename=path.name)
    )
    assert counts == {"created": 5, "updated": 0, "unchanged": 0, "skipped": 0}
    assert rejected == []
    building = Area.objects.get(code="3101159010010010001")
    assert building.path == (
        "/310115000000/310115901000/310115901001/310115901001001/3101159010010010001/"
    )
    assert building.lon == Decimal("121.539000")

    counts, rejected = summary(
        area_import_file(actor=SystemActor(), source=path, filename=path.name)
    )
    assert counts == {"created": 0, "updated": 0, "unchanged": 5, "skipped": 0}
    assert Area.objects.count() == 5


@pytest.mark.django_db
def test_gb18030_csv_and_update_of_name_and_coordinates(tmp_path):
    area_import_file(
        actor=SystemActor(), source=write_csv(tmp_path / "a.csv", [HEADER, *TREE]), filename="a.csv"
    )
    changed = [row[:] for row in TREE]
    changed[4][1] = "一村1号楼（东）"
    changed[4][4] = "121.5391"
    path = write_csv(tmp_path / "b.csv", [HEADER, *changed], encoding="gb18030")
    counts, _ = summary(area_import_file(actor=SystemActor(), source=path, filename=path.name))
    assert counts["updated"] == 1 and counts["unchanged"] == 4
    assert Area.objects.get(code="3101159010010010001").name == "一村1号楼（东）"


@pytest.mark.django_db
def test_xlsx_with_title_row_children_before_parents_and_numeric_codes(tmp_path):
    rows = [["代码", "名称", "级别", "经度", "纬度", "备注"]]
    rows += [[r[0], r[1], r[2], r[4], r[5], ""] for r in reversed(TREE)]  # children first
    rows[3][0] = int(rows[3][0])  # a 12-digit code in a numeric cell keeps its digits
    rows[1][0] = int(rows[1][0])  # a 19-digit one does not: Excel stores numbers as doubles
    path = write_xlsx(tmp_path / "areas.xlsx", rows, title="明珠街道区划表（2022年5月）")
    report = area_import_file(actor=SystemActor(), source=path, filename=path.name)
    counts, rejected = summary(report)
    assert [(r["row"], r["field"]) for r in rejected] == [(3, "code")]
    assert "digits were lost" in rejected[0]["reason"]
    assert counts["created"] == 4
    assert Area.objects.filter(code="310115901001", name="明珠一村").exists()
    assert report.header_row == 2
    assert report.unknown_columns == ["备注"]


@pytest.mark.django_db
def test_every_row_accounted_for_with_reasons(tmp_path):
    rows = [
        HEADER,
        *TREE[:3],
        ["", "", "", "", "", ""],  # blank: skipped
        ["310115901001", "明珠一村重复", "社区", "", "", ""],  # duplicate in file
        ["310115901009001", "孤儿网格", "网格", "310115901009", "", ""],  # unknown parent
        [
            "3101159010090010001",
            "孤儿楼",
            "楼栋",
            "310115901009001",
            "121.5",
            "31.2",
        ],  # parent rejected
        ["310115901001002", "二格", "街道", "", "", ""],  # code does not fit level
        ["310115901001003", "三格", "网格", "", "", ""],  # fine
        ["3101159010010030001", "楼", "楼栋", "", "121.5", ""],  # lat missing
        [3.10115901001004e14, "四格", "网格", "", "", ""],  # float that kept its digits
    ]
    path = write_csv(tmp_path / "mixed.csv", rows)
    report = area_import_file(actor=SystemActor(), source=path, filename=path.name)
    d = report.as_dict()
    assert d["rows"] == len(rows) - 1  # every data row is in exactly one bucket
    assert d["created"] == 5 and d["skipped"] == 1
    by_row = {r["row"]: r for r in d["rejected"]}
    assert sorted(by_row) == [6, 7, 8, 9, 11]
    assert by_row[6]["reason"] == str(errors.DUPLICATE_IN_FILE).format(code="310115901001", row=4)
    assert by_row[7]["field"] == "parent_code"
    assert by_row[8]["reason"] == str(errors.PARENT_REJECTED).format(code="310115901009001", row=7)
    assert by_row[9]["field"] == "code"
    assert by_row[11]["field"] == "lat"


@pytest.mark.django_db
def test_dry_run_changes_nothing_but_reports_the_same(tmp_path):
    path = write_csv(tmp_path / "areas.csv", [HEADER, *TREE])
    report = area_import_file(actor=SystemActor(), source=path, filename=path.name, dry_run=True)
    assert report.created == 5 and report.dry_run
    assert Area.objects.count() == 0
    assert not ActionLog.objects.exists()


@pytest.mark.django_db
def test_crash_midway_leaves_nothing_half_applied(tmp_path, monkeypatch):
    path = write_csv(tmp_path / "areas.csv", [HEADER, *TREE])
    real = Area.objects.bulk_create
    calls = []

    def failing_bulk_create(objs, *args, **kwargs):
        calls.append(len(objs))
        if len(calls) == 3:  # districts and streets written, then the disk "fails"
            raise RuntimeError("disk full")
        return real(objs, *args, **kwargs)

    monkeypatch.setattr(Area.objects, "bulk_create", failing_bulk_create)
    with pytest.raises(RuntimeError):
        area_import_file(actor=SystemActor(), source=path, filename=path.name)
    assert Area.objects.count() == 0


def test_unsupported_file_and_missing_header(tmp_path):
    with pytest.raises(ApplicationError, match="xlsx or .csv"):
        area_import_file(actor=SystemActor(), source=tmp_path / "a.pdf", filename="a.pdf")
    path = write_csv(tmp_path / "nohead.csv", [["a", "b"], ["1", "2"]])
    with pytest.raises(ApplicationError, match="No header row") as info:
        area_import_file(actor=SystemActor(), source=path, filename=path.name)
    assert info.value.field == "file"


def test_broken_xlsx_is_a_clear_error(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(ApplicationError, match="could not be read") as info:
        area_import_file(actor=SystemActor(), source=path, filename=path.name)
    assert info.value.field == "file"


def test_community_worker_cannot_import_into_another_community(street, people, tmp_path):
    rows = [
        HEADER,
        ["310115901001009", "A的新网格", "网格", "", "", ""],
        ["310115901002009", "B的新网格", "网格", "", "", ""],
        ["310115901002", "东园改名", "社区", "", "", ""],
        ["310115901001", "明珠一村改名", "社区", "", "", ""],
    ]
    path = write_csv(tmp_path / "areas.csv", rows)
    report = area_import_file(actor=people.worker_a, source=path, filename=path.name)
    d = report.as_dict()
    assert d["created"] == 1 and d["updated"] == 1
    assert [r["row"] for r in d["rejected"]] == [3, 4]
    assert not Area.objects.filter(code="310115901002009").exists()
    assert Area.objects.get(code="310115901002").name == "东园"


def test_import_does_not_move_or_change_level(street, tmp_path):
    rows = [
        HEADER,
        ["3101159010010010001", "一村1号楼", "楼栋", "310115901001002", "121.539", "31.225"],
        ["310115901001001", "一村1格", "楼栋", "310115901001", "", ""],
    ]
    path = write_csv(tmp_path / "areas.csv", rows)
    d = area_import_file(actor=SystemActor(), source=path, filename=path.name).as_dict()
    assert [r["field"] for r in d["rejected"]] == ["parent_code", "code"]
    assert Area.objects.get(code="3101159010010010001").parent == street.grid_a1
