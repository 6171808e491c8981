"""The three faces at a phone's 360 px and a desktop's 1280 px: nothing overflows or is cut
off, and a screenshot of each goes to test-artifacts/screenshots/ for a human to look at."""

from __future__ import annotations

import pytest

from tests.browser.support import IN_VIEWPORT_JS, SCREENSHOTS, TOP_IN_VIEWPORT_JS, expect
from tests.browser.test_pages import open_search, search
from tests.browser.test_widget import FOUND_Q, ask, open_portal

HEIGHT = {360: 740, 1280: 800}
# the page is no wider than the viewport: nothing sticks out sideways
NO_SIDEWAYS_SCROLL_JS = "() => document.documentElement.scrollWidth <= window.innerWidth"


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png")


@pytest.mark.parametrize("width", [360, 1280])
def test_widget_layout(browsing, site, width):
    page = open_portal(browsing, site.portal, width, HEIGHT[width])
    reply = ask(page, FOUND_Q)
    expect(reply).to_have_attribute("data-state", "answered")
    panel = page.get_by_test_id("widget-panel")
    for testid in ("widget-panel", "widget-close", "widget-input", "widget-send"):
        assert page.get_by_test_id(testid).evaluate(IN_VIEWPORT_JS), f"{testid} is not wholly on screen at {width} px"
    box = panel.bounding_box()
    if width == 360:  # a phone: the panel takes the whole screen, the launcher is out of the way
        assert box == {"x": 0, "y": 0, "width": 360, "height": HEIGHT[360]}, box
        expect(page.get_by_test_id("widget-launcher")).to_be_hidden()
    else:
        assert box["width"] <= 400 and box["x"] > width / 2, box
        expect(page.get_by_test_id("widget-launcher")).to_be_visible()
    # the message list scrolls up and down only
    assert page.locator(".scroller").evaluate("(e) => e.scrollWidth <= e.clientWidth")
    for citation in reply.get_by_test_id("widget-citation").all():
        assert citation.evaluate("(e) => e.getBoundingClientRect().right <= e.closest('.panel').getBoundingClientRect().right")
    reply.get_by_test_id("widget-citation").last.scroll_into_view_if_needed()  # show the sources too
    shoot(page, f"widget-{width}")


@pytest.mark.parametrize("width", [360, 1280])
def test_search_and_document_layout(browsing, site, width):
    page = open_search(browsing, site, width)
    search(page, "hỗ trợ vay vốn cho hộ nghèo")
    expect(page.get_by_test_id("search-hit").first).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL_JS), f"the search page scrolls sideways at {width} px"
    for testid in ("search-input", "search-submit", "filter-document", "filter-date-to"):
        right = page.get_by_test_id(testid).evaluate("(e) => e.getBoundingClientRect().right")
        assert right <= width, f"{testid} sticks out at {width} px"
    if width == 360:  # the form fills a phone's first screen: show the results
        page.get_by_test_id("search-status").evaluate("(e) => e.scrollIntoView()")
    shoot(page, f"search-{width}")

    page.get_by_test_id("search-hit").nth(2).get_by_test_id("hit-link").click()
    cited = page.locator(".passage.cited")
    expect(cited).to_have_count(1)
    assert cited.evaluate(TOP_IN_VIEWPORT_JS)
    assert page.evaluate(NO_SIDEWAYS_SCROLL_JS), f"the document page scrolls sideways at {width} px"
    shoot(page, f"document-{width}")
