"""Helpers for the browser tests: the accessibility check, signing in, translated UI text.

Every page a test visits must pass ``assert_accessible(page)``: axe-core's WCAG 2.0/2.1 A and
AA rules, axe's ``target-size`` rule, our own rule that whatever a thumb has to hit
(buttons, fields, menu toggles, navigation and list links) is at least 44×44 CSS px, and no
sideways scrolling on the phone-sized screen. The ``page`` fixture fails a test that leaves
a visited page unchecked.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

import pytest
from django.conf import settings
from django.utils import translation

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
# The system Chromium (apt); WUSHE_CHROMIUM points elsewhere (a developer's machine). Never
# a browser Playwright downloads.
CHROMIUM = Path(os.environ.get("WUSHE_CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
MIN_TAP = 44  # CSS px: WCAG 2.5.5, and what iOS and Android ask for


def unavailable_reason() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"{CHROMIUM} not found: install Chromium (apt-get install chromium) or set WUSHE_CHROMIUM"
    if not AXE.is_file():
        return f"{AXE.relative_to(ROOT)} not found: run `npm ci` to install axe-core"
    return None


def tr(message: Any, language: str | None = None) -> str:
    """``message`` (a msgid or a lazy translation) as the UI shows it in ``language``
    (default: the product's language, Simplified Chinese).

    Tests find labels and buttons through it, so they pass whether or not the Chinese
    catalogue has the string yet, and never spell out Chinese UI text themselves."""
    with translation.override(language or settings.LANGUAGE_CODE):
        return translation.gettext(message) if isinstance(message, str) else str(message)


def page_language(page: Any) -> str:
    """The Django language code of the page shown (from ``<html lang>``): zh-hans, en."""
    return str(page.locator("html").get_attribute("lang")).lower()


def login(page: Any, user: Any, password: str = PASSWORD) -> None:
    """Sign in through the login page (checked too) and land on the home page."""
    page.goto("/login/")
    assert_accessible(page)
    language = page_language(page)
    page.get_by_label(tr("User name", language)).fill(user.username)
    page.get_by_label(tr("Password", language), exact=True).fill(password)
    page.get_by_role("button", name=tr("Sign in", language), exact=True).click()
    page.wait_for_url("/")


# -- the accessibility check ---------------------------------------------------------------

_AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    rules: {"target-size": {enabled: true}},
    resultTypes: ["violations"],
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary})),
  }));
}"""

# Whatever a thumb must hit: buttons, fields, <summary> toggles, and links that navigate (in
# nav, the header, lists, action rows). A checkbox or radio counts with its label, which
# toggles it too. Elements not shown (a closed menu) are left out.
_SMALL_TARGETS = """(min) => {
  const selector = [
    "button", "input:not([type=hidden])", "select", "textarea", "summary", "a.button",
    "nav a", "header a", ".list a", ".actions a",
  ].join(",");
  const small = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!el.checkVisibility({visibilityProperty: true})) continue;  // e.g. in a closed menu
    let r = el.getBoundingClientRect();
    if ((el.type === "checkbox" || el.type === "radio") && el.labels) {
      for (const label of el.labels) {
        const l = label.getBoundingClientRect();
        const left = Math.min(r.left, l.left), top = Math.min(r.top, l.top);
        const right = Math.max(r.right, l.right), bottom = Math.max(r.bottom, l.bottom);
        r = {width: right - left, height: bottom - top};
      }
    }
    if (r.width + 0.5 < min || r.height + 0.5 < min) {
      const name = (el.getAttribute("aria-label") || el.textContent || el.name || "").trim();
      const where = el.id ? "#" + el.id : (el.classList.length ? "." + el.classList[0] : "");
      small.push(`${el.tagName.toLowerCase()}${where} "${name.replace(/\\s+/g, " ").slice(0, 40)}"` +
                 ` is ${Math.round(r.width)}×${Math.round(r.height)} px`);
    }
  }
  return small;
}"""

_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > width + 0.5 && !wide.some((w) => w.el.contains(el))) {
      wide.push({el, text: `${el.tagName.toLowerCase()}${el.className ? "." + el.className : ""}` +
                          ` "${(el.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 40)}"`});
    }
  }
  return [document.documentElement.scrollWidth - width, wide.slice(0, 3).map((w) => w.text)];
}"""

_axe_source: list[str] = []
_checked: WeakKeyDictionary[Any, set[str]] = WeakKeyDictionary()


def _axe() -> str:
    if not _axe_source:
        _axe_source.append(AXE.read_text(encoding="utf-8"))
    return _axe_source[0]


def accessibility_problems(page: Any) -> list[str]:
    """One readable entry per axe violation (with its elements) or too-small tap target."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=_axe())
    problems = []
    for v in page.evaluate(_AXE_RUN, AXE_TAGS):
        nodes = "".join(
            f"\n      at {n['target']}\n         {n['summary'].replace(chr(10), ' ')}"
            for n in v["nodes"]
        )
        problems.append(f"{v['id']} [{v['impact']}]: {v['help']} ({v['url']}){nodes}")
    small = page.evaluate(_SMALL_TARGETS, MIN_TAP)
    problems.extend(f"tap-target-{MIN_TAP}px [serious]: {target}" for target in small)
    overflow, wide = page.evaluate(_OVERFLOW)
    if overflow > 1:
        problems.append(
            f"reflow [serious]: the page is {overflow} px wider than the screen and scrolls "
            "sideways (WCAG 1.4.10); wrap the content or give wide tables .table-wrap"
            + "".join(f"\n      at {w}" for w in wide)
        )
    return problems


def assert_accessible(page: Any) -> None:
    """Fail, listing every problem, unless the page as it stands passes the checks."""
    problems = accessibility_problems(page)
    _checked.setdefault(page, set()).add(page.url)
    if problems:
        listing = "\n".join(f"  - {p}" for p in problems)
        pytest.fail(
            f"{len(problems)} accessibility problem(s) on {page.url}:\n{listing}", pytrace=False
        )


def unchecked_pages(page: Any, visited: list[str]) -> list[str]:
    checked = _checked.get(page, set()) | {"about:blank"}
    return [url for url in dict.fromkeys(visited) if url not in checked]
