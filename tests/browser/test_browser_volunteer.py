"""The volunteer on a phone: their tasks (none yet), and no area pages to wander into."""

from playwright.sync_api import expect

from tests.browser.browser_support import assert_accessible, login, tr


def test_volunteer_home_shows_my_tasks_and_no_area_navigation(page, street, people):
    login(page, people.volunteer)
    assert_accessible(page)
    tasks = page.get_by_role("region", name=tr("My tasks"))
    expect(tasks).to_be_visible()
    expect(tasks).to_contain_text(
        tr(
            "No tasks for you right now. When the community sends you one, it shows here "
            "with the address and what to do."
        )
    )
    expect(tasks).to_contain_text(street.community_a.name)
    expect(page.locator('a[href^="/areas/"]')).to_have_count(0)  # nowhere, menu included

    page.locator("summary").filter(has_text=tr("Menu")).click()
    nav = page.get_by_role("navigation", name=tr("Main"))
    expect(nav).to_be_visible()
    assert_accessible(page)
    expect(nav.get_by_role("link")).to_have_text(
        [tr("My tasks"), tr("My route"), tr("Change password")]
    )
    expect(nav.get_by_role("button", name=tr("Sign out"))).to_be_visible()

    response = page.goto("/areas/")  # typing the address does not help either
    assert response.status == 403
    assert_accessible(page)
