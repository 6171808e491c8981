"""The "Kiểm tra hộ nghèo" form of the widget in a real Chromium against the real server (set
to 15 December 2026, inside the notice window before Nghị định 351/2025/NĐ-CP's new lines):
the keyboard-only journey at a phone's width with "Quay lại", the server's reading of typed
answers and its messages, "Hủy", the result with its reasoning, notice, legal basis, cited
support and the result under the standard from 1 January 2027, and the free-text question that
leads to the form."""

from __future__ import annotations

import json

from tests.browser.support import IN_VIEWPORT_JS, SCREENSHOTS, assert_contrast, expect
from tests.browser.test_widget import ask, focused, open_portal

HINT_Q = "thu nhap 1 trieu mot thang o nong thon co phai ho ngheo khong"


def questions(site) -> dict:
    import httpx2 as httpx

    response = httpx.get(f"{site.api}/api/eligibility/questions", timeout=30)
    response.raise_for_status()
    return response.json()


def open_check(page):
    if not page.get_by_test_id("widget-panel").is_visible():
        page.get_by_test_id("widget-launcher").click()
    page.get_by_test_id("widget-check-open").click()
    expect(page.get_by_test_id("widget-check")).to_be_visible()
    expect(page.get_by_test_id("widget-check-question")).to_have_text("Hộ của bạn sống ở khu vực nào?")


def test_keyboard_only_check_with_back_gives_the_result_the_api_gives(browsing, site):
    data = questions(site)
    total = len(data["steps"])
    indicators = [step for step in data["steps"] if step["kind"] == "yes_no"]
    assert total == 17 and [s["id"] for s in indicators if s["for_period"]] == ["digital_services", "waste"]
    page = open_portal(browsing, site.portal, 360, 740)
    page.get_by_test_id("widget-launcher").focus()
    page.keyboard.press("Enter")
    assert focused(page) == "widget-input"
    page.keyboard.press("Shift+Tab")  # the entry sits just before the question box
    assert focused(page) == "widget-check-open"
    page.keyboard.press("Enter")

    check = page.get_by_test_id("widget-check")
    expect(check).to_be_visible()
    expect(page.get_by_test_id("widget-input")).to_be_hidden()  # the form takes the conversation's place
    expect(page.get_by_test_id("widget-check-standard")).to_have_text(data["intro"])
    expect(page.get_by_test_id("widget-check-standard")).to_contain_text("Nghị định 351/2025/NĐ-CP, giữ nguyên Điều 3 Nghị định 07/2021/NĐ-CP")
    expect(page.get_by_test_id("widget-check-standard")).to_contain_text("Từ 01/01/2027 áp dụng Chuẩn nghèo đa chiều giai đoạn 2027–2030")
    expect(page.get_by_test_id("widget-check-progress")).to_have_text(f"Bước 1/{total}")
    expect(page.get_by_test_id("widget-check-choice")).to_have_text(["Nông thôn", "Thành thị"])
    assert focused(page) == "widget-check-choice"
    assert_contrast(page, "widget-check-title", "widget-check-progress", "widget-check-question", "widget-check-choice", "widget-check-back", "widget-check-cancel")
    page.keyboard.press("Enter")  # Nông thôn

    expect(page.get_by_test_id("widget-check-progress")).to_have_text(f"Bước 2/{total}")
    expect(page.get_by_test_id("widget-check-echo")).to_have_text("Đã ghi: Nông thôn")
    expect(page.get_by_role("textbox", name="Hộ của bạn có bao nhiêu người (cùng ăn ở, chung thu nhập)?")).to_be_focused()
    page.keyboard.type("0")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("widget-check-error")).to_have_text("Số người phải từ 1 trở lên.")  # the server's reading
    expect(page.get_by_test_id("widget-check-input")).to_have_attribute("aria-invalid", "true")
    assert_contrast(page, "widget-check-error")
    page.keyboard.press("Backspace")
    page.keyboard.type("3 người")
    page.keyboard.press("Enter")

    expect(page.get_by_test_id("widget-check-question")).to_have_text("Tổng thu nhập của cả hộ mỗi tháng là bao nhiêu?")
    expect(page.get_by_test_id("widget-check-echo")).to_have_text("Đã ghi: 3 người")
    expect(page.get_by_test_id("widget-check-error")).to_be_hidden()
    page.keyboard.type("4 triệu rưỡi")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("widget-check-echo")).to_have_text("Đã ghi: 4.500.000 đồng/tháng")  # what the server understood

    answers = {}
    for n, question in enumerate(indicators, start=1):
        expect(page.get_by_test_id("widget-check-progress")).to_have_text(f"Bước {n + 3}/{total}")
        expect(page.get_by_test_id("widget-check-question")).to_have_text(question["question"])
        assert page.get_by_test_id("widget-check-question").evaluate(IN_VIEWPORT_JS)
        if question["for_period"]:  # the coming standard's extra questions say so, and that they are a draft
            expect(page.get_by_test_id("widget-check-step-provisional")).to_have_text("(theo dự thảo, chờ văn bản chính thức)")
            expect(page.get_by_test_id("widget-check-for-period")).to_contain_text("Câu hỏi thêm cho Chuẩn nghèo đa chiều giai đoạn 2027–2030")
        else:
            expect(page.get_by_test_id("widget-check-step-provisional")).to_have_count(0)
        if n == 1:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=SCREENSHOTS / "widget-eligibility-form-360.png")
        if n == 3:  # go back to question 2 and see its answer kept, then answer it again
            page.keyboard.press("Tab")
            page.keyboard.press("Tab")
            assert focused(page) == "widget-check-back"
            page.keyboard.press("Enter")
            expect(page.get_by_test_id("widget-check-question")).to_have_text(indicators[1]["question"])
            expect(page.get_by_role("button", name="Có", exact=True)).to_have_attribute("aria-pressed", "true")
            assert page.evaluate("document.querySelector('tro-ly-giam-ngheo').shadowRoot.activeElement.textContent") == "Có"
            page.keyboard.press("Enter")
            expect(page.get_by_test_id("widget-check-question")).to_have_text(question["question"])
        # "Có" (deprived) to the first three questions, "Không" to the others
        assert focused(page) == "widget-check-choice"
        deprived = n <= 3
        if not deprived:
            page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        answers[question["id"]] = deprived

    reply = page.locator('[data-role="assistant"]').last
    expect(reply).to_have_attribute("data-state", "eligibility")
    expect(check).to_be_hidden()
    expect(page.get_by_test_id("widget-input")).to_be_visible()
    expected = site.post("/api/eligibility", {"area": "rural", "members": 3, "monthly_income": 4_500_000, "answers": answers})
    assert expected["classification"] == "poor" and expected["coming"]["result"]["classification"] == "poor"
    expect(reply).to_have_attribute("data-classification", "poor")
    expect(reply.get_by_test_id("widget-check-label")).to_have_text("Kết quả: Hộ nghèo")
    assert focused(page) == "widget-check-label"  # a screen reader reads the result first
    expect(reply.get_by_test_id("widget-check-reason")).to_have_text(expected["reasoning"])
    expect(reply.get_by_test_id("widget-check-notice")).to_have_text(expected["notice"])
    expect(reply.get_by_test_id("widget-check-basis")).to_have_text(f"Căn cứ: {expected['basis']}")
    expect(reply.get_by_test_id("widget-check-basis")).to_contain_text("Nghị định 351/2025/NĐ-CP ngày 30/12/2025 của Chính phủ, giữ nguyên Điều 3 Nghị định 07/2021/NĐ-CP")
    # the result under the standard from 1 January 2027, with what is still provisional
    expect(reply.get_by_test_id("widget-check-coming-label")).to_have_text("Từ 01/01/2027, theo Nghị định 351/2025/NĐ-CP: Hộ nghèo")
    expect(reply.get_by_test_id("widget-check-coming-reason")).to_have_text(expected["coming"]["result"]["reasoning"])
    expect(reply.get_by_test_id("widget-check-coming-provisional")).to_have_count(2)
    expect(page.locator('[data-role="user"]').last).to_contain_text("Tự kiểm tra: Nông thôn, 3 người, thu nhập cả hộ 4.500.000 đồng/tháng")
    links = reply.get_by_test_id("widget-citation")
    assert expected["support"] and links.count() == len(expected["support"])
    expect(reply.get_by_test_id("widget-support-quote")).to_have_count(len(expected["support"]))
    for link, citation in zip(links.all(), expected["support"]):
        assert link.get_attribute("href") == f"{site.api}/documents/{citation['document']['id']}#{citation['passage_id']}"
        expect(link).to_have_text(citation["label"])
    assert_contrast(page, "widget-check-label", "widget-check-reason", "widget-check-notice", "widget-check-basis", "widget-support-quote",
                    "widget-check-coming-label", "widget-check-coming-provisional")
    assert page.locator(".scroller").evaluate("(e) => e.scrollWidth <= e.clientWidth")  # nothing sticks out at 360 px
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "widget-eligibility-360.png", full_page=True)


def test_cancel_back_at_the_start_and_escape_keep_the_conversation(browsing, site):
    page = open_portal(browsing, site.portal)
    open_check(page)
    page.get_by_role("button", name="Thành thị").click()
    page.get_by_test_id("widget-check-input").fill("4")
    page.get_by_test_id("widget-check-next").click()
    expect(page.get_by_test_id("widget-check-progress")).to_have_text("Bước 3/17")  # the server has read "4"
    for bad, message in (
        ("nhiều tiền", "Tôi chưa hiểu số tiền này. Bạn hãy gõ ví dụ: 6 triệu, 6.000.000 hoặc 6tr."),
        ("-5", "Thu nhập không thể là số âm. Nếu hộ không có thu nhập, hãy gõ 0."),
    ):
        page.get_by_test_id("widget-check-input").fill(bad)
        page.get_by_test_id("widget-check-input").press("Enter")
        expect(page.get_by_test_id("widget-check-error")).to_have_text(message)  # the server's words

    # Escape closes the panel; the launcher reopens it where the citizen was
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("widget-panel")).to_be_hidden()
    page.get_by_test_id("widget-launcher").click()
    expect(page.get_by_test_id("widget-check-progress")).to_have_text("Bước 3/17")
    assert focused(page) == "widget-check-input"
    # what the bot accepts, the widget accepts: the same reading on the server
    for typed, understood in (("1 triệu rưỡi", "1.500.000"), ("1 triệu 500 nghìn", "1.500.000"), ("6 triệu đồng/tháng", "6.000.000")):
        page.get_by_test_id("widget-check-input").fill(typed)
        page.get_by_test_id("widget-check-input").press("Enter")
        expect(page.get_by_test_id("widget-check-echo")).to_have_text(f"Đã ghi: {understood} đồng/tháng")
        expect(page.get_by_test_id("widget-check-progress")).to_have_text("Bước 4/17")
        page.get_by_test_id("widget-check-back").click()
        expect(page.get_by_test_id("widget-check-input")).to_have_value(typed)  # going back shows what was typed

    page.get_by_test_id("widget-check-cancel").click()  # Hủy
    expect(page.get_by_test_id("widget-check")).to_be_hidden()
    expect(page.get_by_test_id("widget-input")).to_be_visible()
    assert focused(page) == "widget-input"
    expect(page.locator('[data-role="assistant"]')).to_have_count(0)  # nothing was sent

    open_check(page)  # starts afresh
    expect(page.get_by_role("button", name="Thành thị")).to_have_attribute("aria-pressed", "false")
    page.get_by_test_id("widget-check-back").click()  # "Quay lại" at the first step leaves the form
    expect(page.get_by_test_id("widget-check")).to_be_hidden()
    expect(page.get_by_test_id("widget-input")).to_be_visible()


def test_a_refused_check_shows_the_servers_words_and_lets_the_citizen_go_back(browsing, site):
    page = open_portal(browsing, site.portal)
    detail = "Còn thiếu câu trả lời cho 1/12 câu hỏi: Nhà tiêu hợp vệ sinh."
    # the form cannot send a bad household; the server refusing one is stood in for here
    page.route("**/api/eligibility", lambda route: route.fulfill(status=422, content_type="application/json", body=json.dumps({"detail": detail})))
    open_check(page)
    page.get_by_role("button", name="Nông thôn").click()
    page.get_by_test_id("widget-check-input").fill("2")
    page.get_by_test_id("widget-check-input").press("Enter")
    expect(page.get_by_test_id("widget-check-progress")).to_have_text("Bước 3/17")
    page.get_by_test_id("widget-check-input").fill("3000000")
    page.get_by_test_id("widget-check-input").press("Enter")
    for n in range(4, 18):
        expect(page.get_by_test_id("widget-check-progress")).to_have_text(f"Bước {n}/17")
        page.get_by_role("button", name="Có", exact=True).click()
    expect(page.get_by_test_id("widget-check-error")).to_have_text(detail)
    expect(page.get_by_test_id("widget-check-progress")).to_have_text("Bước 17/17")
    page.get_by_test_id("widget-check-back").click()
    expect(page.get_by_test_id("widget-check-progress")).to_have_text("Bước 16/17")
    expect(page.get_by_role("button", name="Có", exact=True)).to_have_attribute("aria-pressed", "true")
    browsing.take_errors(r"status of 422")


def test_a_free_text_eligibility_question_leads_to_the_form(browsing, site):
    page = open_portal(browsing, site.portal)
    reply = ask(page, HINT_Q)
    expect(reply).to_have_attribute("data-state", "hint")
    expected = site.post("/api/ask", {"question": HINT_Q})
    assert expected["status"] == "eligibility_hint"
    expect(reply.get_by_test_id("widget-answer")).to_have_text(expected["answer"])
    expect(reply.get_by_test_id("widget-not-found")).to_have_count(0)
    expect(reply.get_by_test_id("widget-answer")).to_contain_text("1.500.000 đồng/người/tháng ở nông thôn")
    expect(reply.get_by_test_id("widget-answer")).to_contain_text("Từ 01/01/2027, theo Nghị định 351/2025/NĐ-CP")  # the coming change
    reply.get_by_test_id("widget-hint-check").click()
    expect(page.get_by_test_id("widget-check")).to_be_visible()
    expect(page.get_by_test_id("widget-check-progress")).to_have_text("Bước 1/17")
    assert focused(page) == "widget-check-choice"
