"""A request from end to end on phones: the resident files it on the public form and checks
it by tracking code; a dispatcher assigns it from the queue; the volunteer accepts and
completes it, seeing the address only while the task is theirs."""

from playwright.sync_api import expect

from tests.browser.browser_support import assert_accessible, login, tr
from tests.browser.conftest import PHONE
from tests.needs.factories_needs import make_volunteer
from wushe.needs.models import Need


def test_resident_files_dispatcher_assigns_volunteer_completes(
    browser, live_server, page, street, people
):
    volunteer = make_volunteer("helper", street.community_a, ["delivery"])

    # The resident, no account, on a phone.
    page.goto("/needs/help/")
    assert_accessible(page)
    page.get_by_label(tr("Your name")).fill("赵先生")
    page.get_by_label(tr("Your phone number")).fill("13600000000")
    page.get_by_label(tr("Your community")).select_option(label=street.community_a.name)
    page.get_by_label(tr("Your address")).fill("一村1号楼101")
    page.get_by_label(tr("What do you need?")).select_option("groceries")
    page.get_by_label(tr("Tell us more")).fill("家里没菜了")
    page.get_by_role("button", name=tr("Send")).click()
    code = page.get_by_test_id("tracking-code").inner_text().strip()
    assert_accessible(page)
    page.get_by_role("link", name=tr("Check progress")).click()
    expect(page.get_by_test_id("status-text")).to_have_text(
        tr("We have your request. A community worker will call you back.")
    )
    assert_accessible(page)
    need = Need.objects.get(tracking_code=code)

    # The dispatcher (a community worker) confirms by phone and assigns it.
    worker_ctx = _phone(browser, live_server)
    worker = worker_ctx.new_page()
    login(worker, people.worker_a)
    worker.goto("/needs/")
    assert_accessible(worker)
    worker.get_by_role("link", name=code).click()
    assert_accessible(worker)
    worker.get_by_role("button", name=tr("Confirmed by phone")).click()
    worker.get_by_label(tr("Offer to a volunteer")).select_option(str(volunteer.pk))
    worker.get_by_role("button", name=tr("Assign")).click()
    expect(worker.get_by_text(tr("Saved."))).to_be_visible()
    assert_accessible(worker)
    worker_ctx.close()

    # The volunteer accepts, sees the address, and completes it.
    helper_ctx = _phone(browser, live_server)
    helper = helper_ctx.new_page()
    login(helper, volunteer)
    helper.goto("/needs/my-tasks/")
    assert_accessible(helper)
    expect(helper.get_by_text("一村1号楼101")).to_have_count(0)
    helper.get_by_role("button", name=tr("Accept")).click()
    expect(helper.get_by_text("一村1号楼101")).to_be_visible()
    assert_accessible(helper)
    helper.get_by_label(tr("Note")).fill("已送到门口")
    helper.get_by_role("button", name=tr("Done"), exact=True).click()
    expect(helper.get_by_text("一村1号楼101")).to_have_count(0)
    assert_accessible(helper)
    helper_ctx.close()

    need.refresh_from_db()
    assert need.status == "done"
    page.goto(f"/needs/track/?code={code}")
    expect(page.get_by_test_id("status-text")).to_have_text(
        tr("Done: your request has been taken care of.")
    )
    assert_accessible(page)


def _phone(browser, live_server):
    """Another person's phone: a separate context (own cookies), the same size."""
    ctx = browser.new_context(base_url=live_server.url, **PHONE)
    ctx.set_default_timeout(10_000)
    return ctx
