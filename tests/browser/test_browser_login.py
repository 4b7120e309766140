"""Signing in: each role sees its own area and nothing else; a wrong password; the language."""

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.utils.text import capfirst
from playwright.sync_api import expect

from tests.browser.browser_support import assert_accessible, login, tr


def open_menu(page):
    page.locator("summary").filter(has_text=tr("Menu")).click()
    nav = page.get_by_role("navigation", name=tr("Main"))
    expect(nav).to_be_visible()
    assert_accessible(page)  # the open menu too
    return nav


def sign_out(page):
    open_menu(page).get_by_role("button", name=tr("Sign out")).click()
    page.wait_for_url("/login/")
    assert_accessible(page)


def listed_codes(page):
    """The codes of the areas the list page links to."""
    links = page.get_by_role("main").get_by_role("list").get_by_role("link")
    return {
        href.strip("/").split("/")[-1]
        for href in links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    }


def test_worker_and_command_each_see_their_own_area(page, street, people):
    a, b = street.community_a, street.community_b

    login(page, people.worker_a)
    assert_accessible(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text(a.name)
    open_menu(page).get_by_role("link", name=tr("Areas"), exact=True).click()
    page.wait_for_url("/areas/")
    assert_accessible(page)
    mine = {a, street.grid_a1, street.grid_a2, street.building_a1, street.building_a2}
    assert listed_codes(page) == {area.code for area in mine}
    expect(page.get_by_role("main")).not_to_contain_text(b.name)  # 东园 is in no name above
    response = page.goto(f"/areas/{b.code}/")
    assert response.status == 404
    assert_accessible(page)
    expect(page.get_by_text(b.name)).to_have_count(0)
    page.goto("/")
    assert_accessible(page)
    sign_out(page)

    login(page, people.command)
    assert_accessible(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text(street.street.name)
    panel = page.get_by_role("region", name=tr("Your area"))
    expect(panel.get_by_role("link", name=a.name)).to_be_visible()
    expect(panel.get_by_role("link", name=b.name)).to_be_visible()
    page.get_by_role("link", name=tr("Areas"), exact=True).click()
    page.wait_for_url("/areas/")
    assert_accessible(page)
    everything = {street.street, a, b, street.grid_a1, street.grid_a2, street.grid_b1}
    everything |= {street.building_a1, street.building_a2, street.building_b1}
    assert listed_codes(page) == {area.code for area in everything}
    page.get_by_role("main").locator(f'a[href="/areas/{b.code}/"]').click()
    page.wait_for_url(f"/areas/{b.code}/")
    assert_accessible(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(b.name)
    expect(page.get_by_role("link", name=street.grid_b1.name)).to_be_visible()


def test_wrong_password_says_so(page, people):
    page.goto("/login/")
    assert_accessible(page)
    page.get_by_label(tr("User name")).fill(people.worker_a.username)
    page.get_by_label(tr("Password"), exact=True).fill("not-the-password")
    page.get_by_role("button", name=tr("Sign in"), exact=True).click()
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    assert_accessible(page)
    username = capfirst(tr(get_user_model()._meta.get_field("username").verbose_name))
    expected = tr(AuthenticationForm.error_messages["invalid_login"]) % {"username": username}
    expect(alert).to_have_text(expected)
    assert page.url.endswith("/login/")
    expect(page.get_by_label(tr("User name"))).to_have_value(people.worker_a.username)
    expect(page.get_by_label(tr("Password"), exact=True)).to_have_value("")
    expect(page.get_by_role("navigation", name=tr("Main"))).to_have_count(0)  # not signed in


def test_language_switch_to_english_and_back(page, street, people):
    community = street.community_a.name
    login(page, people.worker_a)
    assert_accessible(page)
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "zh-Hans")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(f"{tr('Community work')} · {community}")

    page.get_by_label(tr("Language")).select_option("en")
    page.get_by_role("contentinfo").get_by_role("button", name=tr("Switch")).click()
    expect(html).to_have_attribute("lang", "en")
    assert_accessible(page)
    expect(heading).to_have_text(f"Community work · {community}")
    expect(page.locator("summary")).to_have_text("Menu")
    expect(page.get_by_role("link", name="Import buildings")).to_be_visible()

    page.goto("/areas/")  # the choice sticks across pages
    assert_accessible(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Areas")

    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("contentinfo").get_by_role("button", name="Switch").click()
    expect(html).to_have_attribute("lang", "zh-Hans")
    assert_accessible(page)
    assert page.url.endswith("/areas/")
    expect(page.get_by_role("heading", level=1)).to_have_text(tr("Areas"))
