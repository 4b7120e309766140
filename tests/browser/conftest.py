"""Browser-test harness: Playwright (sync API) driving the system Chromium at a phone's size
against pytest-django's live server. Helpers (``assert_accessible``, ``login``, ``tr``) are in
``browser_support.py``.

- Chromium is ``/usr/bin/chromium`` (from apt); no browser is ever downloaded. Playwright's
  ``launch()`` starts it with a fresh, empty, temporary ``--user-data-dir`` of its own and
  deletes that afterwards (it refuses ``--user-data-dir`` among ``args``). Each test gets a
  new browser context: no cookie or storage carries over from one test to the next.
- If Chromium or axe-core is missing the browser tests are skipped, unless
  ``WUSHE_REQUIRE_BROWSER=1`` (CI), where they fail.
- Every test in this directory is marked ``browser`` and ``slow``.
- Playwright's sync API keeps an event loop running in the test thread, so Django's
  async-unsafe check would refuse the ORM calls tests make; ``DJANGO_ALLOW_ASYNC_UNSAFE`` is
  set while Chromium runs. Chromium is stopped after the last browser test in a row, so the
  tests that follow run with no event loop and with Django's check back in force.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.browser.browser_support import CHROMIUM, unavailable_reason, unchecked_pages

HERE = Path(__file__).resolve().parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
}
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


def _is_browser_test(item: pytest.Item | None) -> bool:
    return item is not None and HERE in Path(str(item.path)).resolve().parents


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark before ``-m`` deselects, so ``-m "not slow"`` leaves these tests out."""
    for item in items:
        if _is_browser_test(item):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


class _Chromium:
    """One Chromium for a run of browser tests: started on first use, stopped after the last
    browser test before a non-browser one, or at the end of the session."""

    def __init__(self) -> None:
        self._playwright: Any = None
        self._browser: Any = None
        self._saved_env: str | None = None

    def get(self) -> Any:
        if self._browser is None:
            from playwright.sync_api import sync_playwright

            self._saved_env = os.environ.get(ASYNC_UNSAFE)
            os.environ[ASYNC_UNSAFE] = "true"
            self._playwright = sync_playwright().start()
            try:
                self._browser = self._playwright.chromium.launch(
                    executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
                )
            except Exception:
                self.stop()
                raise
        return self._browser

    def stop(self) -> None:
        if self._browser is not None:
            self._browser.close()
            self._browser = None
        if self._playwright is not None:
            self._playwright.stop()
            self._playwright = None
            if self._saved_env is None:
                os.environ.pop(ASYNC_UNSAFE, None)
            else:
                os.environ[ASYNC_UNSAFE] = self._saved_env


_chromium = _Chromium()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    try:
        return (yield)  # the test's fixtures (context, live server, database) go first
    finally:
        if _is_browser_test(item) and not _is_browser_test(nextitem):
            _chromium.stop()


def pytest_sessionfinish() -> None:
    _chromium.stop()


@pytest.fixture(scope="session")
def browser_available() -> None:
    reason = unavailable_reason()
    if reason is None:
        return
    if os.environ.get("WUSHE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests cannot run: {reason} (WUSHE_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


@pytest.fixture
def browser(browser_available: None) -> Any:
    """The shared headless Chromium."""
    return _chromium.get()


@pytest.fixture
def context(browser: Any, live_server: Any) -> Any:
    """A fresh phone-sized browser context whose relative URLs go to the live server."""
    ctx = browser.new_context(base_url=live_server.url, **PHONE)
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


_outcome = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Any:
    report = yield
    if report.when == "call":
        item.stash[_outcome] = report.passed
    return report


@pytest.fixture
def page(context: Any, request: pytest.FixtureRequest) -> Any:
    """A page in that context (``page.goto("/areas/")``). The test fails if a page throws a
    JavaScript error, or if a page it visited was never given ``assert_accessible``."""
    tab = context.new_page()
    errors: list[str] = []
    visited: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("load", lambda p: visited.append(p.url))
    yield tab
    if not request.node.stash.get(_outcome, False):
        return  # the test's own failure says enough
    assert not errors, f"JavaScript errors on the page: {errors}"
    unchecked = unchecked_pages(tab, visited)
    assert not unchecked, f"pages visited without assert_accessible(page): {unchecked}"
