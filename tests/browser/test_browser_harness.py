"""The harness's own checks: a page with known faults is caught, with a readable report."""

import pytest

from tests.browser.browser_support import accessibility_problems, assert_accessible

FAULTY = """<!DOCTYPE html><html><head><title>faulty</title>
<meta name="viewport" content="width=device-width"></head><body><main>
<p style="color:#bbb;background:#fff">Pale text nobody over sixty can read.</p>
<form><input type="text" name="who"><button type="submit" style="height:20px">Go</button></form>
<div style="width:900px">Too wide for a phone.</div>
</main></body></html>"""


def test_faulty_page_is_reported(page):
    page.set_content(FAULTY)
    report = "\n".join(accessibility_problems(page))
    for expected in ("html-has-lang", "color-contrast", "label", "tap-target-44px", "reflow"):
        assert expected in report, report
    assert "button" in report and "20 px" in report  # names the element and its size
    with pytest.raises(pytest.fail.Exception, match=r"accessibility problem\(s\) on about:blank"):
        assert_accessible(page)
