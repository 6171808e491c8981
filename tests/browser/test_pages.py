"""The cadre search page (/) and the document page (/documents/{id}#{passage}) in a real
Chromium against the real server: search, filters, highlighted words, the link to the clause,
"Sao chép trích dẫn", and HTML from the documents shown as text."""

from __future__ import annotations

import re
from datetime import date

from tests.browser.support import TOP_IN_VIEWPORT_JS, assert_contrast, expect, fold
from support import HTML_ATTACK, SCRIPT_ATTACK, XSS_ID, XSS_TITLE

QUERY = "hộ nghèo"
PLAN_ID = "004_b366543ccdd4efef"
PLAN = {"code": "24-KH/TU", "type": "Kế hoạch", "date": "16/08/2021", "issuer": "Ban Thường vụ Tỉnh ủy Tiền Giang"}
DOCUMENT_COUNT = 5  # the four bundled documents and the test document carrying HTML


def open_search(browsing, site, width: int = 1280):
    page = browsing.new_page(width)
    page.goto(f"{site.api}/")
    # the filters are filled from /api/documents: one option per document, after "all"
    expect(page.get_by_test_id("filter-document").locator("option")).to_have_count(DOCUMENT_COUNT + 1)
    return page


def run_search(page, action) -> None:
    """Do ``action`` (submit, change a filter) and wait until its results are on the page."""
    with page.expect_response(re.compile(r"/api/search$")) as response:
        action()
    assert response.value.ok, response.value.text()
    expect(page.get_by_test_id("search-form")).not_to_have_attribute("aria-busy", "true")


def search(page, query: str) -> None:
    page.get_by_test_id("search-input").fill(query)
    run_search(page, lambda: page.get_by_test_id("search-input").press("Enter"))


def hit_documents(page) -> list[str]:
    return page.get_by_test_id("hit-document").all_inner_texts()


def hit_dates(page) -> list[date]:
    dates = []
    for line in hit_documents(page):
        day, month, year = re.search(r"ngày (\d{2})/(\d{2})/(\d{4})", line).groups()
        dates.append(date(int(year), int(month), int(day)))
    return dates


def assert_cited_passage(page, passage_id: str, text: str) -> None:
    cited = page.locator(".passage.cited")
    expect(cited).to_have_count(1)
    expect(cited).to_have_attribute("id", passage_id)
    expect(cited.locator(".passage-text")).to_have_text(text)
    assert page.evaluate("window.scrollY") > 0 and cited.evaluate(TOP_IN_VIEWPORT_JS), "the cited clause was not scrolled into view"
    assert page.evaluate("document.activeElement.id") == passage_id


def test_search_highlights_the_words_and_filters_narrow_the_results(browsing, site):
    page = open_search(browsing, site)
    # typed without diacritics, the words are still found and marked as the text spells them
    search(page, fold(QUERY))
    assert "hộ nghèo" in [m.lower() for m in page.locator('[data-testid="hit-text"] mark').all_inner_texts()]

    search(page, QUERY)
    expect(page.get_by_test_id("search-status")).to_have_text(re.compile(r"^Tìm thấy \d+ điều khoản phù hợp\.$"))
    hits = page.get_by_test_id("search-hit")
    everything = hit_documents(page)
    assert len(everything) >= 5 and len({line.split(" — ")[0] for line in everything}) >= 3, everything
    assert "q=h%E1%BB%99+ngh%C3%A8o" in page.url  # the search can be bookmarked

    # the query's words, and only they, are marked ("hộ" not inside "hoạch"); "hộ nghèo" is one mark
    marks = [fold(m) for m in page.locator('[data-testid="hit-text"] mark').all_inner_texts()]
    assert marks and {word for mark in marks for word in mark.split()} <= {"ho", "ngheo"}, marks
    assert "ho ngheo" in marks, marks
    expect(hits.first.locator("mark").first).to_be_visible()
    # location and document of every hit are shown
    for hit in hits.all()[:5]:
        expect(hit.get_by_test_id("hit-location")).not_to_be_empty()
        expect(hit.get_by_test_id("hit-document")).to_contain_text(re.compile(r"^(Chỉ thị|Kế hoạch|Chương trình hành động)"))
    assert_contrast(page, "search-status", "hit-document", "hit-title", "hit-location", "hit-text", "hit-link", "hit-copy", "search-submit")

    # one document
    run_search(page, lambda: page.get_by_test_id("filter-document").select_option(XSS_ID))
    only = hit_documents(page)
    assert only and all(line.startswith("Kế hoạch số 99-KH/TN") for line in only), only
    assert len(only) < len(everything)

    # one type (back to all documents)
    run_search(page, lambda: page.get_by_test_id("filter-document").select_option(""))
    run_search(page, lambda: page.get_by_test_id("filter-type").select_option("chỉ thị"))
    directives = hit_documents(page)
    assert directives and all(line.startswith("Chỉ thị") for line in directives), directives
    assert set(directives) != set(everything)

    # a date range (back to all types): only the two documents issued in Aug–Dec 2021
    run_search(page, lambda: page.get_by_test_id("filter-type").select_option(""))
    run_search(page, lambda: page.get_by_test_id("filter-date-from").fill("2021-08-01"))
    run_search(page, lambda: page.get_by_test_id("filter-date-to").fill("2021-12-31"))
    dated = hit_documents(page)
    assert {line.split(" — ")[0] for line in dated} == {"Chỉ thị số 19-CT/TU", "Kế hoạch số 24-KH/TU"}, dated
    assert all(date(2021, 8, 1) <= d <= date(2021, 12, 31) for d in hit_dates(page))

    # a range with no document (2022): a clear empty state
    run_search(page, lambda: page.get_by_test_id("filter-date-to").fill("2022-12-31"))
    run_search(page, lambda: page.get_by_test_id("filter-date-from").fill("2022-01-01"))
    expect(page.get_by_test_id("search-status")).to_have_text("Không tìm thấy điều khoản phù hợp.")
    expect(hits).to_have_count(0)


def test_dates_in_the_wrong_order_are_refused(browsing, site):
    page = open_search(browsing, site)
    page.get_by_test_id("filter-date-from").fill("2022-01-01")
    page.get_by_test_id("filter-date-to").fill("2021-01-01")
    page.get_by_test_id("search-input").fill(QUERY)
    page.get_by_test_id("search-input").press("Enter")
    expect(page.get_by_test_id("search-error")).to_have_text("“Ban hành từ ngày” phải trước hoặc trùng “Đến ngày”.")
    expect(page.get_by_test_id("search-hit")).to_have_count(0)


def test_copy_citation_puts_a_formal_citation_on_the_clipboard(browsing, site):
    browsing.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.api)
    page = open_search(browsing, site)
    page.get_by_test_id("filter-document").select_option(PLAN_ID)
    search(page, "mục tiêu giảm tỷ lệ hộ nghèo")
    hit = page.get_by_test_id("search-hit").first
    location = hit.get_by_test_id("hit-location").inner_text()
    button = hit.get_by_test_id("hit-copy")
    expect(button).to_have_accessible_name("Sao chép trích dẫn")
    button.click()
    expect(button).to_have_text("Đã sao chép ✓")
    expect(page.get_by_test_id("copy-status")).to_have_text("Đã sao chép")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == f"{PLAN['type']} số {PLAN['code']} ngày {PLAN['date']} của {PLAN['issuer']}, {location}.", copied


def test_result_link_opens_the_clause_highlighted_in_the_document(browsing, site):
    page = open_search(browsing, site)
    search(page, "tín dụng chính sách xã hội")
    hit = page.get_by_test_id("search-hit").nth(1)  # not the first: arriving mid-document must scroll
    text = hit.get_by_test_id("hit-text").inner_text()
    link = hit.get_by_test_id("hit-link")
    document_id, passage_id = re.search(r"/documents/([^#]+)#(.+)$", link.get_attribute("href")).groups()
    link.click()
    page.wait_for_url(f"{site.api}/documents/{document_id}#{passage_id}")
    assert_cited_passage(page, passage_id, text)
    # back to the results, the search restored from the address bar
    page.go_back()
    expect(page.get_by_test_id("search-hit").nth(1).get_by_test_id("hit-text")).to_have_text(text)


def test_html_in_titles_and_texts_is_shown_as_text(browsing, site):
    page = open_search(browsing, site)
    option = page.get_by_test_id("filter-document").locator(f'option[value="{XSS_ID}"]')
    expect(option).to_have_text(f"99-KH/TN — {XSS_TITLE}")
    search(page, "nuôi cá tầm")
    hit = page.get_by_test_id("search-hit").first
    expect(hit.get_by_test_id("hit-title")).to_have_text(XSS_TITLE)
    search(page, "hiển thị nguyên văn nội dung văn bản")
    texts = page.get_by_test_id("hit-text").all_inner_texts()
    assert any(HTML_ATTACK in t and SCRIPT_ATTACK in t for t in texts), texts
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert page.evaluate("document.querySelectorAll('script').length") == 1  # search.js only

    passage_id = f"{XSS_ID}-2"
    page.goto(f"{site.api}/documents/{XSS_ID}#{passage_id}")
    expect(page.get_by_test_id("doc-title")).to_have_text(XSS_TITLE)
    expect(page.locator(".passage.cited")).to_contain_text(HTML_ATTACK)
    expect(page.get_by_test_id("doc-meta")).to_contain_text("Ban thử nghiệm")
    assert page.title() == f"{XSS_TITLE} — Trợ lý Giảm nghèo"
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    page.wait_for_timeout(300)  # an onerror handler would have fired by now
    assert browsing.dialogs == []


def test_unknown_document_says_so(browsing, site):
    page = browsing.new_page()
    page.goto(f"{site.api}/documents/khong-co-van-ban-nay")
    expect(page.get_by_test_id("doc-error")).to_contain_text("Không tìm thấy văn bản này.")
    expect(page.get_by_test_id("document")).to_be_hidden()
    expect(page.get_by_test_id("doc-error").get_by_role("link", name="Quay lại trang tìm kiếm")).to_have_attribute("href", "/")
    # Chromium reports the API's 404 in the console; that one is expected
    assert browsing.take_errors(r"status of 404"), browsing.errors
