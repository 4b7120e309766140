"""Hotline work-order import: every row accounted for, a work order imported twice stays one
request, dry run changes nothing, the CLI prints the residents import's summary keys."""

from __future__ import annotations

import json
import re

import pytest
from django.core.management import call_command

from tests.spreadsheets import write_csv, write_xlsx
from wushe.core.management.actor import SystemActor
from wushe.needs.importing import need_import_hotline
from wushe.needs.models import Need, NeedEvent

HEADER = [
    "工单号",
    "来电时间",
    "来电人",
    "联系电话",
    "地址",
    "诉求类型",
    "诉求内容",
    "紧急程度",
    "办结时限",
]
ROWS = [
    ["GD2026001", "2026-11-29 08:01", "王大爷", "13900001111", "一村1号楼302", "就医需求",
     "周二透析需要车辆接送", "特急", "2099-12-01"],
    ["GD2026002", "2026-11-29 08:05", "李阿姨", "13900002222", "东园1号楼101", "生活物资",
     "家中缺米缺菜", "一般", ""],
    [None, "2026-11-29 08:07", "无单号", "13900003333", "", "配药", "降压药", "一般", ""],
    ["GD2026003", "", "", "", "", "其他", "匿名", "一般", ""],
    ["GD2026004", "", "赵", "", "", "心理", "睡不着", "一般", "明天"],
]  # fmt: skip


@pytest.fixture
def sheet(tmp_path):
    return write_xlsx(tmp_path / "12345.xlsx", [HEADER, *ROWS], title="12345热线工单导出")


def test_every_row_accounted_and_twice_is_once(people, street, sheet):
    report = need_import_hotline(
        actor=people.command, source=sheet, filename=sheet.name, area=street.street
    )
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert report.skipped == []  # the reader drops wholly blank lines itself
    assert [r["field"] for r in report.rejected] == ["order_no", "caller", "deadline"]
    assert report.total == len(ROWS)
    escort = Need.objects.get(hotline_order_no="GD2026001")
    assert escort.category == "escort" and escort.medical_emergency
    assert escort.area == street.building_a1 and escort.channel == "hotline"
    assert Need.objects.get(hotline_order_no="GD2026002").area == street.building_b1
    again = need_import_hotline(
        actor=people.command, source=sheet, filename=sheet.name, area=street.street
    )
    assert (again.created, again.unchanged) == (0, 2)
    assert Need.objects.count() == 2


def test_changed_work_order_updates(people, street, tmp_path):
    first = write_csv(tmp_path / "a.csv", [HEADER, ROWS[1]])
    need_import_hotline(actor=people.command, source=first, filename="a.csv", area=street.street)
    changed = list(ROWS[1])
    changed[6] = "家中缺米缺菜，还缺油"
    second = write_csv(tmp_path / "b.csv", [HEADER, changed], encoding="gb18030")
    report = need_import_hotline(
        actor=people.command, source=second, filename="b.csv", area=street.street
    )
    assert report.updated == 1 and Need.objects.count() == 1
    assert "还缺油" in Need.objects.get().description


def test_dry_run_changes_nothing(people, street, sheet):
    report = need_import_hotline(
        actor=people.command, source=sheet, filename=sheet.name, area=street.street, dry_run=True
    )
    assert report.created == 2 and Need.objects.count() == 0


def test_cli_json_summary_keys(street, sheet, capsys):
    with pytest.raises(SystemExit):  # rejected rows: non-zero exit, like the residents import
        call_command("import_needs", str(sheet), "--area", street.street.code, "--json")
    out = json.loads(capsys.readouterr().out)
    assert {"created", "updated", "unchanged", "skipped", "rejected"} <= set(out)
    assert out["created"] == 2


def test_system_actor_records_no_user(street, sheet):
    need_import_hotline(actor=SystemActor(), source=sheet, filename=sheet.name, area=street.street)
    assert Need.objects.filter(taken_in_by__isnull=True).count() == 2


def test_a_row_failing_inside_create_leaves_nothing_and_the_rest_import(
    people, street, sheet, monkeypatch
):
    """need_create has no savepoint of its own: the importer's per-row savepoint undoes a row
    that fails after its INSERT, and the other rows of the same transaction stay."""
    from wushe.core.errors import ApplicationError
    from wushe.needs import services

    real_insert = services.insert_together

    def failing_history(*groups, **kw):  # the history and log rows, after the request's INSERT
        if groups[0][1][0].need.hotline_order_no == "GD2026001":
            raise ApplicationError("refused", field="content")
        return real_insert(*groups, **kw)

    monkeypatch.setattr(services, "insert_together", failing_history)
    report = need_import_hotline(
        actor=people.command, source=sheet, filename=sheet.name, area=street.street
    )
    assert report.created == 1
    assert [r["field"] for r in report.rejected] == ["content", "order_no", "caller", "deadline"]
    assert list(Need.objects.values_list("hotline_order_no", flat=True)) == ["GD2026002"]
    assert not Need.objects.filter(hotline_order_no="GD2026001").exists()
    assert NeedEvent.objects.count() == 2  # created and triaged, of the one row kept


def _changed(row, content):
    row = list(row)
    row[6] = content
    return row


def test_a_work_order_known_in_another_area_is_rejected_by_row_not_moved(people, street, tmp_path):
    first = write_csv(tmp_path / "a.csv", [HEADER, ROWS[0]])
    need_import_hotline(
        actor=SystemActor(), source=first, filename="a.csv", area=street.community_a
    )
    need = Need.objects.get(hotline_order_no="GD2026001")
    events = NeedEvent.objects.count()
    again = write_csv(tmp_path / "b.csv", [HEADER, _changed(ROWS[0], "改了"), ROWS[1]])
    for actor, says in ((SystemActor(), "一村1号楼"), (people.worker_b, "outside your area")):
        report = need_import_hotline(
            actor=actor, source=again, filename="b.csv", area=street.community_b
        )
        assert [(r["row"], r["field"]) for r in report.rejected] == [(2, "order_no")]
        assert "GD2026001" in report.rejected[0]["reason"] and says in report.rejected[0]["reason"]
        assert report.total == 2
    assert "一村" not in report.rejected[0]["reason"]  # not named to whom it is not visible
    need.refresh_from_db()
    assert need.area == street.building_a1 and "改了" not in need.description
    assert NeedEvent.objects.filter(need=need).count() == events


def test_a_repeated_work_order_is_rejected_and_a_second_run_is_unchanged(people, street, tmp_path):
    sheet = write_csv(tmp_path / "a.csv", [HEADER, ROWS[0], _changed(ROWS[0], "再来一次")])
    report = need_import_hotline(
        actor=people.command, source=sheet, filename="a.csv", area=street.street
    )
    assert report.created == 1
    assert [(r["row"], r["field"]) for r in report.rejected] == [(3, "order_no")]
    assert "first in row 2" in report.rejected[0]["reason"]
    events = NeedEvent.objects.count()
    again = need_import_hotline(
        actor=people.command, source=sheet, filename="a.csv", area=street.street
    )
    assert (again.created, again.updated, again.unchanged, len(again.rejected)) == (0, 0, 1, 1)
    assert NeedEvent.objects.count() == events
    assert "再来一次" not in Need.objects.get().description


def test_total_and_signature_rows_are_skipped_and_every_row_is_accounted(people, street, tmp_path):
    footer = [
        ["合计", "", "", "", "", "", "共3件", "", ""],
        ["", "", "填表人：张三", "", "", "", "审核人：李四", "", ""],
    ]
    data = [*ROWS, _changed(ROWS[1], "负责人签字后送达"), *footer]
    data[-3][0] = "GD2026009"  # a real work order whose cells mention 负责人/签字
    sheet = write_csv(tmp_path / "a.csv", [HEADER, *data])
    report = need_import_hotline(
        actor=people.command, source=sheet, filename="a.csv", area=street.street
    )
    assert [r["row"] for r in report.skipped] == [len(data), len(data) + 1]
    assert report.created == 3
    counts = report.as_dict()
    assert counts["rows"] == report.total == len(data)
    assert counts["created"] + counts["updated"] + counts["unchanged"] + counts["skipped"] + len(
        counts["rejected"]
    ) == len(data)


def test_cli_summary_and_help_speak_the_product_language(street, sheet, capsys):
    from django.utils import translation

    from wushe.needs.management.commands.import_needs import Command

    with translation.override("zh-hans"), pytest.raises(SystemExit):
        call_command("import_needs", str(sheet), "--area", street.street.code)
    out = capsys.readouterr().out
    assert out.startswith("已导入：新建 2，更新 0，未变 0，跳过 0，拒绝 3")
    assert re.search(r"第 \d+ 行：", out)
    with translation.override("zh-hans"):
        assert "热线工单" in Command().help
        assert "逐行检查" in Command().create_parser("wushe", "import-needs").format_help()
