"""The volunteer on a phone: their tasks (none yet), no area pages to wander into, and
their shift in one tap."""

from playwright.sync_api import expect

from tests.browser.browser_support import assert_accessible, login, tr
from tests.browser.conftest import PHONE
from tests.needs.factories_needs import make_need, make_volunteer
from wushe.needs import services as needs_services
from wushe.volunteers.models import Shift, VolunteerProfile


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


def test_shift_toggle_on_the_phone(browser, live_server, page, street, people):
    """The volunteer starts their shift in one tap, is warned that an accepted task stays
    theirs, goes from a route stop straight to its task with a call link, and ends the shift;
    the community worker sees it on the volunteers page and sets it back on."""
    volunteer = make_volunteer("shifter", street.building_a1)
    task = needs_services.task_create(
        actor=people.worker_a, need=make_need(people.worker_a, street.building_a1)
    )
    offer = needs_services.task_offer(actor=people.worker_a, task=task, volunteer=volunteer)
    needs_services.assignment_accept(actor=volunteer, assignment=offer)

    login(page, volunteer)
    assert_accessible(page)
    page.goto("/needs/my-tasks/")
    shift = page.get_by_test_id("shift")
    expect(shift.get_by_role("heading")).to_have_text(tr("You are off shift"))
    assert_accessible(page)
    shift.get_by_role("button", name=tr("Start my shift")).click()
    expect(shift.get_by_role("heading")).to_have_text(tr("You are on shift"))
    expect(page.get_by_test_id("shift-kept")).to_be_visible()
    assert_accessible(page)
    assert VolunteerProfile.objects.get(user=volunteer).on_shift

    page.goto("/dispatch/my-route/")
    expect(page.get_by_test_id("shift").get_by_role("heading")).to_have_text(tr("You are on shift"))
    assert_accessible(page)
    page.get_by_test_id("stop-action").click()
    page.wait_for_url(f"**/needs/my-tasks/#task-{offer.pk}")
    expect(page.locator(f"#task-{offer.pk}").get_by_test_id("call")).to_have_attribute(
        "href", "tel:13812345678"
    )
    assert_accessible(page)
    page.get_by_role("button", name=tr("End my shift")).click()
    expect(page.get_by_test_id("shift").get_by_role("heading")).to_have_text(
        tr("You are off shift")
    )
    assert_accessible(page)
    assert Shift.objects.get(volunteer__user=volunteer).ended_by == volunteer

    ctx = browser.new_context(base_url=live_server.url, **PHONE)
    ctx.set_default_timeout(10_000)
    worker = ctx.new_page()
    login(worker, people.worker_a)
    assert_accessible(worker)
    worker.goto("/volunteers/")
    row = worker.locator(f"#volunteer-{offer.volunteer.volunteer_profile.pk}")
    assert_accessible(worker)
    row.get_by_role("button", name=tr("Start shift")).click()
    expect(row.get_by_role("button", name=tr("End shift"))).to_be_visible()
    assert_accessible(worker)
    assert Shift.objects.filter(volunteer__user=volunteer, started_by=people.worker_a).count() == 1
    ctx.close()
