"""The street command moves a building to another grid from the area pages."""

from playwright.sync_api import expect

from tests.browser.browser_support import assert_accessible, login, tr
from wushe.areas.models import AreaChange


def test_command_moves_a_building_to_another_grid(page, street, people):
    building, old, new = street.building_a1, street.grid_a1, street.grid_a2
    reason = "楼栋划归2格管理"
    login(page, people.command)
    assert_accessible(page)
    for name in (street.community_a.name, old.name, building.name):  # walk down the tree
        page.get_by_role("main").get_by_role("link", name=name).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(name)
        assert_accessible(page)
    assert page.url.endswith(f"/areas/{building.code}/")

    form = page.get_by_role("form", name=tr("Move to another parent"))
    form.get_by_label(tr("Move under")).select_option(new.code)
    form.get_by_label(tr("Reason")).fill(reason)
    form.get_by_role("button", name=tr("Move")).click()

    expect(page.get_by_role("status")).to_have_text(tr("Moved. Everything under it moved too."))
    assert_accessible(page)
    breadcrumbs = page.get_by_role("navigation", name=tr("Breadcrumbs"))
    expect(breadcrumbs).to_contain_text(new.name)
    expect(breadcrumbs).not_to_contain_text(old.name)
    history = page.get_by_role("list").filter(has_text=reason)
    moved = tr("%(name)s moved from %(from)s to %(to)s")
    expect(history).to_contain_text(
        moved % {"name": building.name, "from": old.name, "to": new.name}
    )
    expect(history).to_contain_text(people.command.username)
    building.refresh_from_db()
    assert building.parent == new
    assert AreaChange.objects.filter(area=building, reason=reason).count() == 1
