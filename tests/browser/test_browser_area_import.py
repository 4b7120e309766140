"""Importing areas from a spreadsheet: preview, then apply; a bad row is named with its reason."""

from playwright.sync_api import expect

from tests.browser.browser_support import assert_accessible, login, tr
from tests.spreadsheets import write_csv
from wushe.areas import errors
from wushe.areas.models import Area

NEW_GRID = "310115901001003"


def test_import_reports_the_rejected_row(page, street, people, tmp_path):
    csv = write_csv(
        tmp_path / "grids.csv",
        [
            ["代码", "名称", "层级", "上级代码"],
            [NEW_GRID, "一村3格", "网格", street.community_a.code],
            ["310115901001004", "一村4格", "小区", street.community_a.code],  # no such level
        ],
    )
    reason = tr(errors.LEVEL_UNKNOWN).format(value="小区")
    login(page, people.worker_a)
    assert_accessible(page)
    page.get_by_role("link", name=tr("Import buildings")).click()
    page.wait_for_url("/areas/import/")
    assert_accessible(page)

    preview = page.get_by_label(tr("Preview only: check every row, change nothing"))
    expect(preview).to_be_checked()  # a preview unless asked otherwise
    page.get_by_label(tr("Spreadsheet (.xlsx or .csv)")).set_input_files(csv)
    page.get_by_role("button", name=tr("Upload")).click()
    report = page.get_by_role("status", name=tr("Preview: nothing was changed"))
    expect(report).to_be_visible()
    assert_accessible(page)
    rows = report.get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(2)  # the header and the one rejected row
    expect(rows.nth(1).get_by_role("cell")).to_have_text(["3", reason])
    assert not Area.objects.filter(code=NEW_GRID).exists()

    preview.uncheck()
    page.get_by_label(tr("Spreadsheet (.xlsx or .csv)")).set_input_files(csv)
    page.get_by_role("button", name=tr("Upload")).click()
    report = page.get_by_role("status", name=tr("Import finished"))
    expect(report).to_be_visible()
    assert_accessible(page)
    expect(report.get_by_role("table").get_by_role("row").nth(1).get_by_role("cell")).to_have_text(
        ["3", reason]
    )
    assert Area.objects.get(code=NEW_GRID).parent == street.community_a
