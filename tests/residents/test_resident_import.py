"""The canvass import: a messy real-world sheet, every row accounted for, idempotent re-import,
atomicity, the error workbook, the CLI."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection
from django.utils import timezone
from openpyxl import load_workbook

from tests.residents.factories_residents import id_for, years_ago
from tests.spreadsheets import write_csv, write_xlsx
from wushe.core.errors import ApplicationError, PermissionDeniedError
from wushe.core.management.actor import SystemActor
from wushe.core.models import ActionLog
from wushe.residents import services
from wushe.residents.models import Household, LegalBasis, Resident, ResidentTag
from wushe.residents.services import Basis, resident_error_workbook, resident_import_file

OLD_MAN = id_for(years_ago(85), 11)
WOMAN = id_for(datetime.date(1975, 6, 1), 22)
CHILD = id_for(years_ago(6), 33)
DIALYSIS = id_for(datetime.date(1958, 1, 9), 45)
X_ID = next(
    n for n in (id_for(datetime.date(1966, 2, 2), s) for s in range(1, 999)) if n.endswith("X")
)
FULLWIDTH = id_for(datetime.date(1990, 8, 8), 57).translate(
    str.maketrans("0123456789", "０１２３４５６７８９")
)

HEADER = [
    "序号",
    "姓名",
    "性别",
    "公民身份号码",
    "手机号",
    "楼栋",
    "单元",
    "门牌号",
    "人员类别",
    "紧急联系人",
    "紧急联系电话",
    "监护人",
    "备注",
    "填报说明",
]


def messy_rows() -> list[list]:
    return [
        HEADER,
        [
            1,
            "张 三",
            "男",
            f"'{OLD_MAN}",
            "138 1234 5678",
            "1号楼",
            "2单元",
            "301",
            "独居老人、透析（周二、四、六）",
            "张小三",
            "13912345678",
            None,
            "腿脚不便",
            "x",
        ],
        [
            2,
            "李四",
            "男",
            WOMAN,
            "+86 13900001111",
            "1",
            "2",
            "302",
            "空巢，低保/肢体残疾二级",
            None,
            None,
            None,
            None,
            None,
        ],
        [None, None, None, None, None, None, None, None, None, None, None, None, None, None],
        [
            3,
            "王小宝",
            None,
            CHILD,
            None,
            "2号楼",
            None,
            "101",
            "儿童",
            None,
            None,
            "王大宝",
            None,
            None,
        ],
        [
            4,
            "赵六",
            "女",
            X_ID.lower(),
            "021-50123456",
            "一村2号楼",
            "",
            "",
            "孕妇 外星人",
            None,
            None,
            None,
            None,
            None,
        ],
        [
            5,
            "钱七",
            "女",
            FULLWIDTH,
            None,
            "1",
            "1",
            "101",
            "滞留人员",
            None,
            None,
            None,
            None,
            None,
        ],
        [
            6,
            "孙八",
            "男",
            3.10115195801094e17,
            "13800000001",
            "1",
            "1",
            "102",
            "",
            None,
            None,
            None,
            None,
            None,
        ],
        [
            7,
            "周九",
            "男",
            "3.10115E+17",
            "13800000002",
            "1",
            "1",
            "103",
            "",
            None,
            None,
            None,
            None,
            None,
        ],
        [
            8,
            "吴十",
            "男",
            OLD_MAN,
            "13800000003",
            "1",
            "1",
            "104",
            "",
            None,
            None,
            None,
            None,
            None,
        ],
        [9, "郑一", "男", DIALYSIS, "12345", "1", "1", "105", "化疗", None, None, None, None, None],
        [
            10,
            None,
            None,
            id_for(datetime.date(1980, 1, 1), 61),
            "13800000004",
            "1",
            "1",
            "106",
            "",
            None,
            None,
            None,
            None,
            None,
        ],
        [
            11,
            "冯二",
            "男",
            id_for(datetime.date(1980, 1, 1), 71),
            "13800000005",
            "99号楼",
            "1",
            "107",
            "",
            None,
            None,
            None,
            None,
            None,
        ],
        [
            12,
            "陈三",
            "女",
            None,
            "13800000006",
            None,
            None,
            None,
            "特困",
            None,
            None,
            None,
            None,
            None,
        ],
        ["合计", None, None, "12人", None, None, None, None, None, None, None, None, None, None],
        [
            "填表人：刘芳",
            None,
            "审核人：王强",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        ],
    ]


def _import(tmp_path, street, *, rows=None, name="canvass.xlsx", actor=None, **kwargs):
    path = write_xlsx(
        tmp_path / name, rows or messy_rows(), title="明珠一村重点人群摸排表（2022年4月）"
    )
    report = resident_import_file(
        actor=actor or SystemActor(), source=path, filename=name, area=street.community_a, **kwargs
    )
    return path, report


def test_messy_sheet_every_row_accounted_for(street, tmp_path):
    _path, report = _import(tmp_path, street)
    data = report.as_dict()
    # 15 rows below the header: 6 created, 6 rejected, 3 skipped (blank, total, signature).
    assert data["header_row"] == 2
    assert report.total == 15
    assert (data["created"], data["updated"], data["unchanged"]) == (6, 0, 0)
    assert [s["row"] for s in data["skipped_rows"]] == [5, 16, 17]
    assert [s["reason"] for s in data["skipped_rows"]] == [
        "Blank row.",
        "Total row (合计/小计/总计).",
        "Signature row (填表人/审核人).",
    ]
    rejected = {r["row"]: r for r in data["rejected"]}
    assert set(rejected) == {9, 10, 11, 12, 13, 14}
    assert "digits were lost" in rejected[9]["reason"]
    assert "digits were lost" in rejected[10]["reason"]
    assert "appears again; first in row 3" in rejected[11]["reason"]
    assert rejected[12]["field"] == "phone"
    assert rejected[13]["reason"] == "The name is missing."
    assert "“99号楼” was not found" in rejected[14]["reason"]
    assert Resident.objects.count() == data["created"]
    warnings = {w["row"]: w["warning"] for w in data["warnings"]}
    assert "外星人" in warnings[7]
    assert data["unknown_columns"] == ["填报说明"]


def test_messy_sheet_details(street, tmp_path):
    _import(tmp_path, street)
    zhang = Resident.objects.get(name="张三")
    assert zhang.id_number == OLD_MAN and zhang.phone == "+8613812345678"
    assert zhang.name_pinyin == "zhangsan" and zhang.name_initials == "zs"
    assert zhang.household.building == street.building_a1
    assert (zhang.household.unit, zhang.household.room) == ("2", "301")
    assert zhang.emergency_phone == "+8613912345678" and zhang.notes == "腿脚不便"
    dialysis = ResidentTag.objects.get(resident=zhang, tag__code="critical_treatment")
    assert (dialysis.treatment, dialysis.schedule) == ("dialysis", "周二、四、六")
    li = Resident.objects.get(name="李四")
    assert li.gender == "female"  # the ID number wins over the stated gender
    disabled = li.tag_links.get(tag__code="disabled")
    assert (disabled.disability_category, disabled.disability_grade) == ("physical", 2)
    assert set(li.tag_links.values_list("tag__code", flat=True)) == {
        "empty_nest",
        "low_income",
        "disabled",
    }
    child = Resident.objects.get(name="王小宝")
    assert child.guardian == "王大宝" and not child.tag_links.exists()  # "child" is derived
    assert Resident.objects.get(name="赵六").id_number == X_ID
    assert Resident.objects.get(name="赵六").household is None
    assert Resident.objects.get(name="赵六").area == street.building_a2
    chen = Resident.objects.get(name="陈三")
    assert chen.id_number is None and chen.area == street.community_a
    assert Resident.objects.get(name="钱七").id_number == FULLWIDTH.translate(
        str.maketrans("０１２３４５６７８９", "0123456789")
    )
    assert Household.objects.filter(building=street.building_a1, unit="2").count() == 2


def test_reimport_creates_nothing_and_updates_changes(street, tmp_path):
    _import(tmp_path, street)
    count = Resident.objects.count()
    _path, again = _import(tmp_path, street, name="again.xlsx")
    assert (again.created, again.updated, again.unchanged) == (0, 0, count)
    assert Resident.objects.count() == count
    rows = messy_rows()
    rows[1][4] = "13700000000"  # 张三 has a new phone
    rows[2][8] = "空巢"  # 李四: fewer categories
    _path, changed = _import(tmp_path, street, rows=rows, name="changed.xlsx")
    assert (changed.created, changed.updated, changed.unchanged) == (0, 2, count - 2)
    zhang = Resident.objects.get(name="张三")
    assert zhang.phone == "+8613700000000"
    assert list(
        Resident.objects.get(name="李四").tag_links.values_list("tag__code", flat=True)
    ) == ["empty_nest"]
    assert Resident.objects.count() == count


def test_dry_run_changes_nothing_and_reports_the_same(street, tmp_path):
    _path, preview = _import(tmp_path, street, dry_run=True)
    assert preview.dry_run and preview.created > 0
    assert Resident.objects.count() == 0 and Household.objects.count() == 0
    assert preview.preview[0] == {
        "row": 3,
        "action": "create",
        "name": "张三",
        "address": "一村1号楼2单元301室",
        "tags": ["critical_treatment", "living_alone"],
    }
    _path, real = _import(tmp_path, street, name="real.xlsx")
    assert (real.created, len(real.rejected), len(real.skipped)) == (
        preview.created,
        len(preview.rejected),
        len(preview.skipped),
    )


def test_import_is_atomic(street, tmp_path, monkeypatch):
    real = services.fast_insert

    def boom(model, rows, **kwargs):
        if model is ResidentTag:  # the residents of the batch are written by then
            raise RuntimeError("disk full")
        return real(model, rows, **kwargs)

    monkeypatch.setattr(services, "fast_insert", boom)
    with pytest.raises(RuntimeError):
        _import(tmp_path, street)
    assert Resident.objects.count() == 0 and Household.objects.count() == 0


def test_gb18030_csv(street, tmp_path):
    rows = [
        ["姓名", "身份证号", "联系电话", "楼号", "房号", "人员类别"],
        ["张三", OLD_MAN, "13812345678", "1", "301", "独居"],
    ]
    path = write_csv(tmp_path / "gbk.csv", rows, encoding="gb18030")
    report = resident_import_file(
        actor=SystemActor(), source=path, filename="gbk.csv", area=street.community_a
    )
    assert report.created == 1
    assert Resident.objects.get().tag_links.get().tag.code == "living_alone"


def test_error_workbook_keeps_original_columns_and_adds_the_reason(street, tmp_path):
    path, report = _import(tmp_path, street)
    content = resident_error_workbook(source=path, filename=path.name, report=report)
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0][: len(HEADER)]) == HEADER
    assert rows[0][len(HEADER)] == services.REASON_COLUMN
    assert len(rows) == 1 + len(report.rejected)
    by_row = {r[-1]: r for r in rows[1:]}
    assert by_row[11][1] == "吴十" and by_row[11][3] == OLD_MAN
    assert "appears again" in by_row[11][len(HEADER)]


def test_scope_of_the_importer(street, people, tmp_path):
    with pytest.raises(PermissionDeniedError):
        _import(tmp_path, street, actor=people.worker_b)
    _import(tmp_path, street, actor=people.worker_a)
    rows = [["姓名", "身份证号"], ["张三", OLD_MAN]]
    path = write_xlsx(tmp_path / "b.xlsx", rows)
    report = resident_import_file(
        actor=people.worker_b, source=path, filename="b.xlsx", area=street.community_b
    )
    assert report.created == 0
    assert "outside yours" in report.rejected[0]["reason"]
    assert Resident.objects.get(name="张三").area.path.startswith(street.community_a.path)


def test_legal_basis_is_recorded_and_the_emergency_basis_audited(street, tmp_path):
    _import(tmp_path, street)
    assert set(Resident.objects.values_list("legal_basis", flat=True)) == {
        LegalBasis.PUBLIC_HEALTH_EMERGENCY
    }
    assert ActionLog.objects.filter(action="residents.import.emergency_basis").count() == 1
    assert ActionLog.objects.filter(action="residents.import.completed").count() == 1


def test_consent_basis_needs_purpose_and_a_guardian_for_children(street, tmp_path):
    with pytest.raises(ApplicationError):
        _import(tmp_path, street, basis=Basis(legal_basis=LegalBasis.CONSENT))
    rows = [
        ["姓名", "身份证号", "监护人"],
        ["小明", CHILD, None],
        ["小红", id_for(years_ago(8), 2), "李妈妈"],
    ]
    path = write_xlsx(tmp_path / "c.xlsx", rows)
    basis = Basis(
        legal_basis=LegalBasis.CONSENT, consent_purpose="疫情期间生活保障", consent_version="v1"
    )
    report = resident_import_file(
        actor=SystemActor(), source=path, filename="c.xlsx", area=street.community_a, basis=basis
    )
    assert report.created == 1 and "guardian" in report.rejected[0]["reason"]
    red = Resident.objects.get(name="小红")
    assert (red.consent_guardian, red.consent_purpose, red.consent_version) == (
        "李妈妈",
        "疫情期间生活保障",
        "v1",
    )


def test_cli_json_and_errors_workbook(street, tmp_path, capsys):
    path = write_xlsx(tmp_path / "cli.xlsx", messy_rows(), title="摸排表")
    out = tmp_path / "errors.xlsx"
    with pytest.raises(SystemExit) as exit_info:
        call_command(
            "import_residents",
            str(path),
            "--area",
            street.community_a.code,
            "--json",
            "--errors",
            str(out),
        )
    assert exit_info.value.code == 1
    summary = json.loads(capsys.readouterr().out)
    assert {"created", "updated", "unchanged", "skipped", "rejected"} <= set(summary)
    assert all(set(r) >= {"row", "reason"} for r in summary["rejected"])
    assert out.exists()
    with pytest.raises(SystemExit):
        call_command("import_residents", str(path), "--area", street.community_a.code, "--json")
    again = json.loads(capsys.readouterr().out)
    assert again["created"] == 0 and again["unchanged"] == summary["created"]


def test_cli_dry_run(street, tmp_path, capsys):
    rows = [["姓名", "身份证号"], ["张三", OLD_MAN]]
    path = write_xlsx(tmp_path / "ok.xlsx", rows)
    call_command("import_residents", str(path), "--area", street.community_a.code, "--dry-run")
    assert "Dry run: 1 created" in capsys.readouterr().out
    assert not Resident.objects.exists()


def test_fast_insert_rows_read_back_like_orm_rows(street, tmp_path):
    from wushe.core.privacy import blind_index, blind_tail

    _import(tmp_path, street)
    zhang = Resident.objects.get(id_number_index=blind_index("id_number", OLD_MAN))
    assert zhang.name == "张三" and zhang.phone == "+8613812345678"
    assert Resident.objects.filter(phone_tail=blind_tail("phone", "5678")).get() == zhang
    assert Resident.objects.filter(phone_index=blind_index("phone", "13812345678")).get() == zhang
    assert zhang.created_at is not None and zhang.updated_at is not None
    # Dates and times go through binary COPY on PostgreSQL: read back as written.
    assert zhang.birth_date == years_ago(85)
    assert abs(zhang.created_at - timezone.now()) < datetime.timedelta(minutes=10)
    zhang.save(update_fields=["phone"])  # an ORM save keeps the same index
    assert Resident.objects.filter(phone_index=blind_index("phone", "138-1234-5678")).exists()


@pytest.mark.django_db(transaction=True)
def test_worker_processes_give_the_same_report(street, tmp_path):
    path = write_xlsx(tmp_path / "w.xlsx", messy_rows(), title="摸排表")
    kwargs = {
        "actor": SystemActor(),
        "source": path,
        "filename": "w.xlsx",
        "area": street.community_a,
    }
    serial = resident_import_file(dry_run=True, **kwargs).as_dict()
    parallel = resident_import_file(workers=2, **kwargs).as_dict()
    assert {k: v for k, v in parallel.items() if k != "dry_run"} == {
        k: v for k, v in serial.items() if k != "dry_run"
    }
    assert Resident.objects.count() == serial["created"]
    assert Resident.objects.get(name="张三").id_number == OLD_MAN


def test_batches_give_the_same_report_when_the_lookups_run_ahead(street, tmp_path, monkeypatch):
    """The registry lookup of a batch runs before the previous batch is written (in the
    writer thread on PostgreSQL): with batches of two rows, the messy sheet (a person repeated
    across batches) gives the same report, and so do its re-imports."""
    path = write_xlsx(tmp_path / "b.xlsx", messy_rows(), title="摸排表")
    kwargs = {
        "actor": SystemActor(),
        "source": path,
        "filename": "b.xlsx",
        "area": street.community_a,
    }
    whole = resident_import_file(dry_run=True, **kwargs).as_dict()
    monkeypatch.setattr(services, "BATCH", 2)
    progress: list[int] = []
    batched = resident_import_file(progress=progress.append, **kwargs).as_dict()
    assert {k: v for k, v in batched.items() if k != "dry_run"} == {
        k: v for k, v in whole.items() if k != "dry_run"
    }
    assert progress == sorted(progress) and progress[-1] == 15 and len(progress) == 8
    assert Resident.objects.count() == whole["created"] == 6
    ids = set(Resident.objects.values_list("pk", flat=True))
    assert len(ids) == 6
    rows = messy_rows()
    rows[1][4] = "13700000000"  # 张三 (first batch) has a new phone
    again = resident_import_file(
        **{**kwargs, "source": write_xlsx(tmp_path / "c.xlsx", rows, title="摸排表")}
    )
    assert (again.created, again.updated, again.unchanged) == (0, 1, 5)
    assert set(Resident.objects.values_list("pk", flat=True)) == ids
    assert Resident.objects.get(name="张三").phone == "+8613700000000"


def test_writer_runs_a_job_after_the_writes_before_it(street):
    from django.db import IntegrityError, transaction

    from wushe.residents.bulk import Writer, fast_insert

    room = {"building_id": street.building_a1.pk, "unit": "1", "room": "101"}

    def count(cursor):
        cursor.execute("SELECT count(*) FROM residents_household WHERE room = %s", ["101"])
        return cursor.fetchone()[0]

    with transaction.atomic(), Writer() as writer:
        fast_insert(Household, [room], writer=writer)
        assert writer.result(writer.run(count)) == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        with Writer() as writer:
            fast_insert(Household, [room], writer=writer)  # already there
            writer.result(writer.run(count))
    with pytest.raises(ValueError, match="2 ids reserved for 1 rows"):
        fast_insert(Household, [room], return_ids=True, ids=[1, 2])


def test_writer_raises_a_failed_write_and_leaves_constraints_deferred(street):
    """The import's writer (a background thread on PostgreSQL): a write that fails is raised
    as Django's IntegrityError by ``wait()``; after the block the foreign keys it checked at
    once are deferred again, as declared."""
    from django.db import IntegrityError, transaction

    from wushe.residents.bulk import Writer, fast_insert

    room = {"building_id": street.building_a1.pk, "unit": "1", "room": "101"}
    with pytest.raises(IntegrityError), transaction.atomic():
        with Writer(check_now=[Household]) as writer:
            fast_insert(Household, [room, room], writer=writer)
            writer.wait()
    with transaction.atomic():
        with Writer(check_now=[Household]) as writer:
            fast_insert(Household, [room], writer=writer)
        assert Household.objects.filter(room="101").count() == 1
        missing = street.building_a1.pk + 10_000
        # Deferred again: a row may point at a building inserted later in the transaction.
        fast_insert(Household, [{**room, "building_id": missing, "room": "102"}])
        Household.objects.filter(room="102").update(building_id=street.building_a1.pk)


def test_a_family_sharing_one_phone_without_id_numbers_is_found_again(street, tmp_path):
    # Without an ID number a person is their name and phone; a couple often gives one phone.
    family = [HEADER] + [
        [n, name, None, None, "13811112222", "1号楼", "2单元", "302", "独居老人", None, None, None,
         None, None]
        for n, name in ((1, "王芳"), (2, "王强"))
    ]  # fmt: skip
    _path, first = _import(tmp_path, street, rows=family)
    assert first.created == 2
    _path, again = _import(tmp_path, street, rows=family, name="again.xlsx")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Resident.objects.count() == 2


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="writes run in a writer thread on PostgreSQL"
)
def test_a_failed_write_is_reported_as_itself(street, tmp_path, monkeypatch):
    # A write in the writer thread fails while the main thread goes on with the next batch:
    # the import must name the write's error, not "current transaction is aborted".
    person = [HEADER, [1, "甲", None, None, "13800000001", "1号楼", "2单元", "101"] + [None] * 6]
    _import(tmp_path, street, rows=person, name="first.xlsx")
    taken = Resident.objects.get().pk
    reserve = services.reserve_ids

    def clash_once(model, count, cursor=None):
        ids = reserve(model, count, cursor)
        if not getattr(clash_once, "done", False):
            clash_once.done = True
            ids[0] = taken  # as if another import had just written that id
        return ids

    monkeypatch.setattr(services, "reserve_ids", clash_once)
    monkeypatch.setattr(services, "BATCH", 2)
    rows = [HEADER] + [
        [n, f"人{n}", None, None, f"1380000{n:04d}", "1号楼", "2单元", str(200 + n)] + [None] * 6
        for n in range(10, 18)
    ]
    with pytest.raises(IntegrityError):
        _import(tmp_path, street, rows=rows, name="second.xlsx")
    assert Resident.objects.count() == 1
