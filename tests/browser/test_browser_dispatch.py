"""A dispatch round on phones: a community worker starts a round, reads the proposal with
its explanations and approves it; the volunteer sees the offered tasks in route order."""

from playwright.sync_api import expect

from tests.browser.browser_support import ROOT, assert_accessible, login, tr
from tests.browser.conftest import PHONE
from tests.needs.factories_needs import make_need, make_volunteer
from wushe.areas import services as area_services
from wushe.dispatch.models import DispatchRound
from wushe.needs import services as needs_services
from wushe.needs.models import TaskAssignment
from wushe.volunteers.models import VolunteerProfile


def test_round_proposed_approved_volunteer_sees_route(browser, live_server, page, street, people):
    volunteer = make_volunteer("router", street.building_a1, ["delivery"])
    VolunteerProfile.objects.filter(user=volunteer).update(on_shift=True)
    for area in (street.building_a2, street.building_a1, street.building_a2):
        need = make_need(people.worker_a, area)
        needs_services.task_create(actor=people.worker_a, need=need)

    outline = [[121.538, 31.224], [121.541, 31.224], [121.541, 31.226], [121.538, 31.224]]
    area_services.area_set_geometry(
        actor=people.command,
        area=street.community_a,
        geometry={"type": "Polygon", "coordinates": [outline]},
    )

    login(page, people.worker_a)
    assert_accessible(page)  # the home page
    page.goto("/dispatch/")
    assert_accessible(page)
    page.get_by_label(tr("Area")).select_option(label=street.community_a.name)
    page.get_by_label(tr("Time limit (seconds)")).fill("1")
    page.get_by_role("button", name=tr("New round")).click()
    expect(page.get_by_test_id("round-status")).to_contain_text(tr("proposed"))
    expect(page.get_by_role("table")).to_have_count(1)
    assert_accessible(page)
    # The dispatcher moves the last stop up one place before approving.
    proposed = [t[1:] for t in DispatchRound.objects.get().solution["routes"][0]["tasks"]]
    last = page.get_by_test_id("edit-stop").nth(2)
    last.get_by_role("button", name=tr("Move up")).click()
    expect(page.get_by_test_id("changes")).to_have_count(1)
    assert_accessible(page)
    edited = [proposed[0], proposed[2], proposed[1]]
    page.get_by_role("button", name=tr("Approve and send offers")).click()
    expect(page.get_by_test_id("round-status")).to_contain_text(tr("approved"))
    assert_accessible(page)
    rnd = DispatchRound.objects.get()
    order = [str(o["task"]) for o in rnd.approval["offered"]]
    assert order == edited

    ctx = browser.new_context(base_url=live_server.url, **PHONE)
    ctx.set_default_timeout(10_000)
    helper = ctx.new_page()
    login(helper, volunteer)
    assert_accessible(helper)
    helper.goto("/dispatch/my-route/")
    assert_accessible(helper)
    stops = helper.get_by_test_id("stop")
    expect(stops).to_have_count(3)
    assert [stops.nth(i).get_attribute("data-task") for i in range(3)] == order
    if (ROOT / "node_modules" / "leaflet" / "dist" / "leaflet.js").is_file():  # `npm ci`
        # The map (Leaflet from local assets, no tiles configured): the start and the stops,
        # one marker per place, numbered in route order.
        labels = helper.locator("#route-map .leaflet-tooltip")
        expect(labels.first).to_contain_text(tr("Start point"))
        text = " · ".join(labels.all_inner_texts())
        assert [t for t in text.split(" · ") if t.isdigit()] == ["1", "2", "3"]
        # The community's outline is drawn under the route.
        expect(helper.locator("#route-map path.route-outline")).to_have_count(1)
        assert_accessible(helper)
    ctx.close()


def test_urgent_request_inserted_into_approved_routes(page, street, people):
    volunteer = make_volunteer("rider", street.building_a1)
    VolunteerProfile.objects.filter(user=volunteer).update(on_shift=True)
    needs_services.task_create(
        actor=people.worker_a, need=make_need(people.worker_a, street.building_a1)
    )
    login(page, people.worker_a)
    assert_accessible(page)
    page.goto("/dispatch/")
    assert_accessible(page)
    page.get_by_label(tr("Area")).select_option(label=street.community_a.name)
    page.get_by_label(tr("Time limit (seconds)")).fill("1")
    page.get_by_label(tr("Approve as soon as the routes are proposed")).check()
    page.get_by_role("button", name=tr("New round")).click()
    expect(page.get_by_test_id("round-status")).to_contain_text(tr("approved"))

    urgent = needs_services.task_create(
        actor=people.worker_a,
        need=make_need(people.worker_a, street.building_a2, medical_emergency=True),
    )
    page.reload()
    form = page.locator(f'[data-insert="{urgent.pk}"]')
    expect(form).to_have_count(1)
    assert_accessible(page)
    form.get_by_role("button", name=tr("Insert into current routes")).click()
    expect(page.get_by_test_id("changes")).to_have_count(1)
    expect(page.locator(f'[data-insert="{urgent.pk}"]')).to_have_count(0)
    assert_accessible(page)
    assert TaskAssignment.objects.get(task=urgent).volunteer == volunteer

    # The street's travel settings page (a community worker reads it).
    page.goto("/dispatch/travel/")
    expect(page.get_by_test_id("street-travel")).to_have_count(1)
    assert_accessible(page)
