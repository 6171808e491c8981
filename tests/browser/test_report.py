"""The cadres' report page (/admin/bao-cao) in a real Chromium against the real server, whose
question log is seeded (the 200 generated citizen questions, answered ones, 👎 votes) and fed
by the widget: the token asked once (HTTP Basic), filters, the grouped tables, the two charts,
the CSV export, the jump to the search page and to the clause — by keyboard, at 360 and 1280 px.
A browser without the token gets 401 for the page, the API and the export."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse

import httpx2 as httpx
import pytest

from retrieval.records import FACES, QuestionStatus, RecordStore, SQLiteDatabase
from support.generated_questions import SIZES_200, TOPICS, generate
from tests.browser.support import SCREENSHOTS, expect
from tests.browser.test_widget import ask, open_portal

HEIGHT = {360: 740, 1280: 800}
LOAN_DOC, PLAN_DOC = "000_9518dc1484de870f", "004_b366543ccdd4efef"
TODAY = date.today()
START = TODAY - timedelta(days=TODAY.weekday() + 49)  # a Monday, seven weeks back
END = START + timedelta(days=41)  # a Sunday: six whole weeks, before anything the other tests ask today
NO_SIDEWAYS_SCROLL_JS = "() => document.documentElement.scrollWidth <= window.innerWidth"
# data-testid (or tag) of the focused element
FOCUSED_JS = "() => { const e = document.activeElement; return e ? (e.dataset.testid || e.tagName.toLowerCase()) : ''; }"


@pytest.fixture(scope="module")
def seeded(site):
    """Six weeks of questions in the server's own log, written as the faces write them."""
    passages = {doc: [p["id"] for p in httpx.get(f"{site.api}/api/documents/{doc}", timeout=30).json()["passages"] if p["searchable"]] for doc in (LOAN_DOC, PLAN_DOC)}
    loan, plan = passages[LOAN_DOC], passages[PLAN_DOC]
    nearest = {topic: (loan[3] if topic == "lai_suat" else plan[1 + n]) for n, topic in enumerate(TOPICS)}
    store = RecordStore(SQLiteDatabase(site.records_path))
    for i, g in enumerate(generate()):
        store.log_question(FACES[i % 3], g.text, QuestionStatus.NOT_COVERED, nearest_passage_id=nearest[g.topic], on=START + timedelta(days=(i * 5) % 42))
    for i in range(90):  # answered more often as the weeks go by, on Telegram more than on the widget
        day = START + timedelta(days=i % 42)
        answered = (i % 42) / 42 + (0.3 if FACES[i % 2] == "telegram" else 0) > 0.4
        cited = (loan[1] if i % 3 else plan[0],)
        if answered:
            store.log_question(FACES[i % 2], f"hộ nghèo được vay vốn ở đâu {i}", QuestionStatus.ANSWERED, passage_ids=cited, nearest_passage_id=cited[0], on=day)
        else:  # too long to be read, say: counted, never grouped
            store.log_question(FACES[i % 2], "", QuestionStatus.REFUSED, on=day)
    for n in range(6):
        store.record_vote("telegram", answer_key=f"bao-cao-{n}", question="Hộ nghèo vay vốn ở đâu, lãi suất thế nào?", answer="“…” [1]", passage_ids=(loan[1],), vote=-1, on=START + timedelta(days=3 * n))
    return {"nearest": nearest, "loan": loan, "plan": plan}


def shoot(page, name: str, full_page: bool = False) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=full_page)


def tab_to(page, testid: str, limit: int = 80) -> list[str]:
    """Press Tab until ``testid`` has the focus; returns what was focused on the way."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(FOCUSED_JS))
        if seen[-1] == testid:
            return seen
    raise AssertionError(f"Tab never reached {testid}: {seen}")


def open_report(cadre_browsing, site, width: int, query: str = ""):
    page = cadre_browsing.new_page(width, HEIGHT[width])
    response = page.goto(f"{site.api}/admin/bao-cao{query}")
    assert response.ok, response.status  # the browser answered the Basic challenge with the token
    return page


@pytest.mark.parametrize("width", [360, 1280])
def test_the_report_page_by_keyboard(cadre_browsing, site, seeded, width):
    page = open_report(cadre_browsing, site, width)
    expect(page).to_have_title("Báo cáo câu hỏi của người dân — Trợ lý Giảm nghèo")

    # the filters, set from the keyboard, then "Xem báo cáo"
    order = tab_to(page, "filter-from")
    assert order[:2] == ["a", "search-page-link"], order  # the skip link, the way back to the search page
    # (filled rather than typed: the order of a date input's fields follows the browser's own locale)
    page.get_by_test_id("filter-from").fill(START.isoformat())
    assert tab_to(page, "filter-to", limit=4)
    page.get_by_test_id("filter-to").fill(END.isoformat())
    assert tab_to(page, "filter-document", limit=4)
    page.get_by_test_id("filter-document").select_option(LOAN_DOC)
    page.get_by_test_id("filter-document").select_option("")  # and back to every document
    assert tab_to(page, "report-submit", limit=3)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert parse_qs(urlparse(page.url).query) == {"from": [START.isoformat()], "to": [END.isoformat()]}
    expect(page.get_by_test_id("filter-from")).to_have_value(START.isoformat())
    expect(page.get_by_test_id("report-period")).to_have_text(f"Từ {START.strftime('%d/%m/%Y')} đến {END.strftime('%d/%m/%Y')}. Văn bản: tất cả.")

    # the groups: "48 citizens asked about the interest rate of policy loans" first
    groups = page.get_by_test_id("not-covered-group")
    counts = [int(c) for c in page.get_by_test_id("not-covered-table").get_by_test_id("group-count").all_inner_texts()]
    assert counts[: len(SIZES_200)] == sorted(SIZES_200.values(), reverse=True), counts
    first = groups.first
    expect(first.get_by_test_id("group-question")).to_contain_text(re.compile("lãi suất", re.IGNORECASE))
    expect(first.get_by_test_id("group-clause")).to_have_attribute("href", f"/documents/{LOAN_DOC}#{seeded['nearest']['lai_suat']}")
    expect(page.get_by_test_id("disliked-group")).to_have_count(1)
    expect(page.get_by_test_id("disliked-group").get_by_test_id("group-count")).to_have_text("6")

    # the charts render: the weekly lines (an image with its name and a text alternative) and the bars
    chart = page.get_by_role("img", name="Tỷ lệ câu hỏi được trả lời mỗi tuần, theo kênh")
    expect(chart).to_be_visible()
    assert chart.evaluate("(svg) => svg.getBoundingClientRect().width") > 250
    expect(chart.locator("g.series")).to_have_count(3)  # Telegram, widget, API
    assert len(chart.locator("svg.point").all()) >= 6 * 2
    assert re.match(r"Tỷ lệ câu hỏi được trả lời: Telegram: từ \d+ % \(tuần", chart.locator("desc").text_content())
    ticks = [t for t in chart.locator("text.tick").all() if t.is_visible()]
    assert 3 <= len(ticks) <= 7 if width == 360 else len(ticks) == 6, len(ticks)
    bars = page.get_by_test_id("cited-row")
    expect(bars.first).to_contain_text("lần")
    widths = [float(b.locator("rect.bar").evaluate("(r) => r.getBoundingClientRect().width")) for b in bars.all()]
    assert widths[0] > 100 and widths == sorted(widths, reverse=True), widths
    assert page.evaluate(NO_SIDEWAYS_SCROLL_JS), f"the report scrolls sideways at {width} px"
    shoot(page, f"report-{width}", full_page=True)
    page.get_by_test_id("coverage-chart").scroll_into_view_if_needed()
    shoot(page, f"report-chart-{width}")

    # keyboard: every link of the page is reached, in reading order, and the table opens
    page.get_by_test_id("report-submit").focus()
    order = tab_to(page, "cited-link", limit=120)
    assert order[:2] == ["export-csv", "filter-reset"], order
    assert order.count("group-search") == groups.count() + 1 and order.count("group-clause") >= groups.count()
    assert order.index("coverage-table-toggle") < order.index("cited-link")
    page.get_by_test_id("coverage-table-toggle").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("coverage-table")).to_be_visible()

    # the export, from the keyboard: the same filters, a BOM, the parts of the report
    page.get_by_test_id("export-csv").focus()
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename == f"bao-cao-cau-hoi_tu-{START.isoformat()}_den-{END.isoformat()}.csv"
    data = download.value.path().read_bytes()
    assert data.startswith(b"\xef\xbb\xbfmuc,")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [int(r["so_luong"]) for r in rows if r["muc"] == "chua_co_van_ban"][: len(SIZES_200)] == counts[: len(SIZES_200)]

    # closing the loop: the group's question on the search page, searched at once
    link = first.get_by_test_id("group-search")
    wanted = parse_qs(urlparse(link.get_attribute("href")).query)["q"][0]
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/\?q="))
    expect(page.get_by_test_id("search-input")).to_have_value(wanted)
    expect(page.get_by_test_id("search-hit").first).to_be_visible()
    page.go_back()
    # and the nearest clause on its document page
    page.get_by_test_id("not-covered-group").first.get_by_test_id("group-clause").click()
    expect(page.locator(".passage.cited")).to_have_attribute("id", seeded["nearest"]["lai_suat"])


def test_the_document_filter(cadre_browsing, site, seeded):
    page = open_report(cadre_browsing, site, 1280, f"?from={START.isoformat()}&to={END.isoformat()}&document={LOAN_DOC}")
    expect(page.get_by_test_id("filter-document")).to_have_value(LOAN_DOC)
    counts = page.get_by_test_id("not-covered-table").get_by_test_id("group-count").all_inner_texts()
    assert counts[0] == str(SIZES_200["lai_suat"]) and str(SIZES_200["the_bhyt"]) not in counts, counts  # one need, not split
    expect(page.get_by_test_id("export-csv")).to_have_attribute("href", f"/admin/bao-cao.csv?from={START.isoformat()}&to={END.isoformat()}&document={LOAN_DOC}")
    for link in page.get_by_test_id("cited-link").all():
        assert link.get_attribute("href").startswith(f"/documents/{LOAN_DOC}#")


def test_the_widgets_and_the_apis_questions_reach_the_report(browsing, cadre_browsing, site):
    question = "Giá vé tàu hỏa Thống Nhất cho hộ nghèo là bao nhiêu, tôi là Lê Văn Tám số 0912 345 678"
    portal = open_portal(browsing, site.portal)
    expect(ask(portal, question)).to_have_attribute("data-state", "not-found")
    assert httpx.post(f"{site.api}/api/ask", json={"question": question}, timeout=60).json()["found"] is False  # the API, no header

    page = open_report(cadre_browsing, site, 1280, f"?from={TODAY.isoformat()}&to={TODAY.isoformat()}")
    group = page.get_by_test_id("not-covered-group").filter(has_text="tàu hỏa Thống Nhất")
    expect(group).to_have_count(1)
    expect(group.get_by_test_id("group-count")).to_have_text("2")
    expect(group).to_contain_text("Kênh: API, widget")
    text = group.get_by_test_id("group-question").inner_text()
    assert "0912" not in text and "<SĐT>" in text and "Tám" not in text, text  # masked before it was written


FETCH_JS = """async (path) => {
  const r = await fetch(path, {credentials: "omit"});  // no prompt: headless Chromium would wait on it for ever
  return {status: r.status, challenge: r.headers.get("www-authenticate"), body: await r.text()};
}"""


def test_without_the_token_page_api_and_export_are_401(browsing, site):
    """A browser that has not been given the token: the page, its export and the API answer
    401, the page with the Basic challenge that makes a browser ask for it. (Headless Chromium
    cannot show that prompt and would wait on it for ever, so a page of the same origin fetches
    them without credentials: a 401 is then handed to the script as it is.)"""
    page = browsing.new_page()
    page.goto(f"{site.api}/")
    for path in ("/admin/bao-cao", "/admin/bao-cao.csv", "/api/admin/report", "/api/admin/report.csv"):
        got = page.evaluate(FETCH_JS, path)
        assert got["status"] == 401, path
        assert "lãi suất" not in got["body"] and "tàu hỏa" not in got["body"], path  # nothing of the report
        if path.startswith("/admin/"):
            assert got["challenge"].startswith('Basic realm="') and "<strong>mật khẩu</strong> là mã quản trị" in got["body"]
        else:
            assert got["challenge"] == "Bearer"
    assert len(browsing.take_errors(r"status of 401")) == 4  # Chromium reports each refusal in the console
    for path in ("/admin/bao-cao", "/api/admin/report"):
        r = httpx.get(f"{site.api}{path}", headers={"Authorization": "Bearer sai-ma-0123456789abcdefghij"}, timeout=30)
        assert r.status_code == 401, path
    assert httpx.get(f"{site.api}/api/admin/report", headers={"Authorization": f"Bearer {site.admin_token}"}, timeout=30).status_code == 200
