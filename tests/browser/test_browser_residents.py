"""Canvass import in the browser: upload a sheet, read the preview, confirm, then find a person
by the initials of their name's pinyin."""

import datetime
from importlib import import_module

from django.apps import apps
from playwright.sync_api import expect

from tests.browser.browser_support import assert_accessible, login, tr
from tests.residents.factories_residents import id_for
from tests.spreadsheets import write_xlsx
from wushe.residents.models import Resident

ZHANG = id_for(datetime.date(1941, 5, 6), 123)
WANG = id_for(datetime.date(1950, 1, 2), 456)


def test_upload_preview_confirm_and_find_by_initials(page, street, people, tmp_path):
    # Browser tests run on a flushed database after any other browser test: put back the
    # key-population tags the migrations load, else the sheet's categories match nothing.
    import_module("wushe.residents.migrations.0002_load_default_tags").load_tags(apps, None)
    sheet = write_xlsx(
        tmp_path / "canvass.xlsx",
        [
            ["序号", "姓名", "身份证号", "联系电话", "楼号", "单元", "门牌号", "人员类别"],
            [1, "张三", ZHANG, "13812345678", "1号楼", "2", "301", "独居老人、透析（周二四六）"],
            [2, "李四", "3.1E+17", "13900001111", "1号楼", "2", "302", "低保"],
            # A long name and address beside a full phone number must still fit a phone.
            [3, "欧阳娜娜", WANG, "13812340000", "1号楼", "12", "1201", ""],
            ["合计", None, None, None, None, None, None, None],
        ],
        title="明珠一村重点人群摸排表",
    )
    login(page, people.worker_a)
    assert_accessible(page)
    page.goto("/residents/import/")
    assert_accessible(page)
    page.get_by_label(tr("Canvass sheet (.xlsx or .csv)")).set_input_files(sheet)
    page.get_by_role("button", name=tr("Preview")).click()
    report = page.get_by_role("status", name=tr("Preview: nothing was changed"))
    expect(report).to_be_visible()
    assert_accessible(page)
    expect(report.get_by_role("table").get_by_role("row")).to_have_count(2)  # one rejected row
    expect(page.get_by_role("cell", name="张三")).to_be_visible()
    assert not Resident.objects.exists()

    page.get_by_role("button", name=tr("Confirm the import")).click()
    expect(page.get_by_role("status", name=tr("Import finished"))).to_be_visible()
    assert_accessible(page)
    assert sorted(Resident.objects.values_list("name", flat=True)) == ["张三", "欧阳娜娜"]

    page.get_by_role("link", name=tr("See the residents")).click()
    page.wait_for_url("/residents/")
    assert_accessible(page)
    page.get_by_label(tr("Search")).fill("zs")
    page.get_by_role("button", name=tr("Search")).click()
    page.wait_for_url("**/residents/?q=zs**")
    assert_accessible(page)
    expect(page.get_by_role("link", name="张三")).to_be_visible()

    # A worker learns on a call that 张三 now receives the minimum living allowance: tick it.
    page.get_by_role("link", name="张三").click()
    page.wait_for_url("**/residents/*/")
    assert_accessible(page)
    page.get_by_role("link", name=tr("Key-population tags")).click()
    page.wait_for_url("**/tags/")
    assert_accessible(page)
    expect(page.get_by_label("独居", exact=True)).to_be_checked()  # from the sheet
    page.get_by_label("低保", exact=True).check()
    page.get_by_role("button", name=tr("Save")).click()
    expect(page.get_by_text(tr("Saved."))).to_be_visible()
    assert_accessible(page)
    zhang = Resident.objects.get(name="张三")
    assert {"living_alone", "low_income"} <= {t.code for t in zhang.tags.all()}
