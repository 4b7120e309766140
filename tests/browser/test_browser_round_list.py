"""The list of dispatch rounds on a phone: each round is one full-width link to tap (its
name was squeezed into a column one character wide beside the details)."""

from playwright.sync_api import expect

from tests.browser.browser_support import assert_accessible, login, tr
from tests.needs.factories_needs import make_need
from wushe.dispatch import services
from wushe.needs import services as needs_services


def test_round_list_rows_are_whole_links(page, street, people):
    need = make_need(people.worker_a, street.building_a1)
    needs_services.task_create(actor=people.worker_a, need=need)
    rnd = services.dispatch_round_start(
        actor=people.worker_a, area=street.community_a, time_limit_s=1
    )
    login(page, people.worker_a)
    assert_accessible(page)  # the home page
    page.goto("/dispatch/")
    assert_accessible(page)  # 44 px tap targets, no sideways scrolling
    link = page.get_by_role("link", name=tr("Round %(n)s") % {"n": rnd.pk})
    expect(link).to_contain_text(street.community_a.name)
    link.click()
    expect(page).to_have_url(f"/dispatch/{rnd.pk}/")
    assert_accessible(page)
