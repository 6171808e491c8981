"""Bad input of every kind refused with one Vietnamese sentence (and the right status), never
echoing what was sent; unknown routes and methods; bodies over the limit."""

from __future__ import annotations

import pytest

from tests.web.support import ALLOWED, ANSWERS, ELIGIBLE

MEMBERS_TYPE = "Số người trong hộ (members) phải là số nguyên từ 1 đến 100, hoặc câu trả lời như người dân gõ (“4”, “bốn người”)."
INCOME_TYPE = ("Thu nhập của hộ mỗi tháng (monthly_income) phải là số nguyên từ 0 đến 1000000000000 (đồng), "
               "hoặc câu trả lời như người dân gõ (“6 triệu”, “1tr5”).")
BAD_INPUT = [
    ("/api/ask", {"question": ""}, 422, "Câu hỏi không được để trống."),
    ("/api/ask", {"question": "   \n\t "}, 422, "Câu hỏi không được để trống."),
    ("/api/ask", {"question": "a" * 1001}, 422, "Câu hỏi dài quá 1000 ký tự."),
    ("/api/ask", {}, 422, "Thiếu câu hỏi."),
    ("/api/ask", {"question": None}, 422, "Câu hỏi phải là một chuỗi văn bản."),
    ("/api/ask", {"question": 42}, 422, "Câu hỏi phải là một chuỗi văn bản."),
    ("/api/ask", {"question": ["a"]}, 422, "Câu hỏi phải là một chuỗi văn bản."),
    ("/api/ask", {"question": "hộ nghèo", "user": "x"}, 422, "Trường 'user' không được hỗ trợ."),
    ("/api/ask", {"question": "hộ nghèo", "history": ["a"] * 11}, 422, "Lịch sử hội thoại có tối đa 10 câu."),
    ("/api/ask", {"question": "hộ nghèo", "history": "a"}, 422, "Lịch sử hội thoại (history) phải là một danh sách."),
    ("/api/ask", {"question": "hộ nghèo", "history": [1]}, 422, "Câu thứ 1 của lịch sử hội thoại (history) phải là một chuỗi văn bản."),
    ("/api/ask", {"question": "hộ nghèo", "history": ["a", "b" * 1001]}, 422, "Câu thứ 2 của lịch sử hội thoại (history) dài quá 1000 ký tự."),
    ("/api/ask", ["hộ nghèo"], 422, "Dữ liệu gửi lên phải là một đối tượng JSON (Content-Type: application/json)."),
    ("/api/ask", "hộ nghèo", 422, "Dữ liệu gửi lên phải là một đối tượng JSON (Content-Type: application/json)."),
    ("/api/search", {"query": ""}, 422, "Nội dung tìm kiếm không được để trống."),
    ("/api/search", {"query": "x" * 1001}, 422, "Nội dung tìm kiếm dài quá 1000 ký tự."),
    ("/api/search", {"query": "a", "k": 0}, 422, "Số kết quả (k) phải là số nguyên từ 1 đến 50."),
    ("/api/search", {"query": "a", "k": 51}, 422, "Số kết quả (k) phải là số nguyên từ 1 đến 50."),
    ("/api/search", {"query": "a", "k": "5"}, 422, "Số kết quả (k) phải là số nguyên từ 1 đến 50."),
    ("/api/search", {"query": "a", "k": 2.5}, 422, "Số kết quả (k) phải là số nguyên từ 1 đến 50."),
    ("/api/search", {"query": "a", "k": True}, 422, "Số kết quả (k) phải là số nguyên từ 1 đến 50."),
    ("/api/search", {"query": "a", "date_from": "29/11/2021"}, 422, "Ngày bắt đầu (date_from) phải là ngày dạng YYYY-MM-DD."),
    ("/api/search", {"query": "a", "date_to": 20211129}, 422, "Ngày kết thúc (date_to) phải là ngày dạng YYYY-MM-DD."),
    ("/api/search", {"query": "a", "document_ids": "000"}, 422, "Danh sách mã văn bản (document_ids) phải là một danh sách."),
    ("/api/search", {"query": "a", "types": [None]}, 422, "Mục thứ 1 của danh sách loại văn bản (types) phải là một chuỗi văn bản."),
    ("/api/search", {"query": "a", "mode": "dense"}, 422, "Trường 'mode' không được hỗ trợ."),
    # the eligibility check
    ("/api/eligibility", {**ELIGIBLE, "monthly_income": -1}, 422, "Thu nhập của hộ mỗi tháng (monthly_income) không thể là số âm; hộ không có thu nhập thì gửi 0."),
    ("/api/eligibility", {**ELIGIBLE, "monthly_income": 1.5}, 422, INCOME_TYPE),
    ("/api/eligibility", {**ELIGIBLE, "monthly_income": "nhiều lắm"}, 422, "Tôi chưa hiểu số tiền này. Bạn hãy gõ ví dụ: 6 triệu, 6.000.000 hoặc 6tr."),
    ("/api/eligibility", {**ELIGIBLE, "monthly_income": "x" * 101}, 422, "Thu nhập của hộ mỗi tháng (monthly_income) dài quá 100 ký tự."),
    ("/api/eligibility", {**ELIGIBLE, "members": 0}, 422, MEMBERS_TYPE),
    ("/api/eligibility", {**ELIGIBLE, "members": 101}, 422, MEMBERS_TYPE),
    ("/api/eligibility", {**ELIGIBLE, "members": True}, 422, MEMBERS_TYPE),
    ("/api/eligibility", {**ELIGIBLE, "members": "mấy người"}, 422, "Bạn hãy gõ số người trong hộ bằng chữ số, ví dụ: 4"),
    ("/api/eligibility/read", {"step": "pets", "text": "4"}, 422, "Bài kiểm tra không có câu “pets”."),
    ("/api/eligibility/read", {"step": "income"}, 422, "Thiếu câu trả lời (text)."),
    ("/api/eligibility/read", {"step": "income", "text": ""}, 422, "Câu trả lời (text) không được để trống."),
    ("/api/eligibility", {**ELIGIBLE, "area": "mountain"}, 422, "Khu vực (area) phải là “rural” (nông thôn) hoặc “urban” (thành thị)."),
    ("/api/eligibility", {k: v for k, v in ELIGIBLE.items() if k != "area"}, 422, "Thiếu khu vực (area)."),
    ("/api/eligibility", {k: v for k, v in ELIGIBLE.items() if k != "answers"}, 422, "Thiếu câu trả lời (answers)."),
    ("/api/eligibility", {**ELIGIBLE, "answers": []}, 422, "Câu trả lời (answers) phải là một đối tượng JSON {mã câu hỏi: true/false}."),
    ("/api/eligibility", {**ELIGIBLE, "answers": {**ANSWERS, "water": "true"}}, 422, "Câu trả lời (answers) chỉ nhận true (Có) hoặc false (Không) cho mỗi câu hỏi."),
    ("/api/eligibility", {**ELIGIBLE, "answers": {**ANSWERS, "water": 1}}, 422, "Câu trả lời (answers) chỉ nhận true (Có) hoặc false (Không) cho mỗi câu hỏi."),
    ("/api/eligibility", {**ELIGIBLE, "answers": {"x" * 41: True}}, 422, "Mã câu hỏi trong câu trả lời (answers) dài quá 40 ký tự."),
    ("/api/eligibility", {**ELIGIBLE, "answers": {k: v for k, v in ANSWERS.items() if k != "latrine"}}, 422, "Còn thiếu câu trả lời cho 1/12 câu hỏi: Nhà tiêu hợp vệ sinh."),
    ("/api/eligibility", {**ELIGIBLE, "date": "2021-12-31"}, 404, "Không có chuẩn nghèo nào áp dụng vào ngày 31/12/2021. Tệp chuẩn nghèo có: Chuẩn nghèo đa chiều giai đoạn 2022–2025 (từ 01/01/2022 đến 31/12/2025); Chuẩn nghèo đa chiều năm 2026 (từ 01/01/2026 đến 31/12/2026); Chuẩn nghèo đa chiều giai đoạn 2027–2030 (từ 01/01/2027)."),
    ("/api/eligibility", {**ELIGIBLE, "date": "31/12/2024"}, 422, "Ngày áp dụng (date) phải là ngày dạng YYYY-MM-DD."),
    ("/api/eligibility", {**ELIGIBLE, "pets": 2}, 422, "Trường 'pets' không được hỗ trợ."),
]



@pytest.mark.parametrize(("path", "body", "status", "detail"), BAD_INPUT)
def test_bad_input_is_refused_in_vietnamese(client, path, body, status, detail):
    r = client.post(path, json=body)
    assert r.status_code == status, r.text
    assert r.json() == {"detail": detail}


@pytest.mark.parametrize("path", ["/api/ask", "/api/search"])
@pytest.mark.parametrize(
    ("content", "headers", "status", "detail"),
    [
        (b'{"question": "h', {"Content-Type": "application/json"}, 400, "Dữ liệu gửi lên không đúng định dạng JSON."),
        (b"\xff\xfe", {"Content-Type": "application/json"}, 400, "Dữ liệu gửi lên không đúng định dạng JSON."),
        (b"", {"Content-Type": "application/json"}, 422, "Thiếu dữ liệu gửi lên: hãy gửi một đối tượng JSON."),
        (b'{"question": "a", "query": "a"}', {"Content-Type": "text/plain"}, 422, "Dữ liệu gửi lên phải là một đối tượng JSON (Content-Type: application/json)."),
        (b'{"question": "\\ud800", "query": "\\ud800"}', {"Content-Type": "application/json"}, 422, "chứa ký tự không hợp lệ."),
    ],
)
def test_malformed_bodies(client, path, content, headers, status, detail):
    r = client.post(path, content=content, headers=headers)
    assert r.status_code == status, r.text
    assert r.json()["detail"].endswith(detail)


def test_lone_surrogate_in_history_is_refused(client):
    r = client.post("/api/ask", content=b'{"question": "h\\u1ed9 ngh\\u00e8o", "history": ["\\udc00"]}', headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    assert r.json() == {"detail": "Câu thứ 1 của lịch sử hội thoại (history) chứa ký tự không hợp lệ."}


def test_body_too_large(client):
    big = b'{"question": "' + b"a" * (200 * 1024) + b'"}'
    r = client.post("/api/ask", content=big, headers={"Content-Type": "application/json", "Origin": ALLOWED})
    assert r.status_code == 413
    assert r.json() == {"detail": "Dữ liệu gửi lên quá lớn."}
    assert r.headers["access-control-allow-origin"] == ALLOWED

    def chunks():  # no Content-Length: counted as it arrives
        yield b'{"question": "'
        for _ in range(200):
            yield b"a" * 1024
        yield b'"}'

    r = client.post("/api/ask", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.json() == {"detail": "Dữ liệu gửi lên quá lớn."}


def test_unknown_routes_and_methods(client):
    r = client.get("/api/khong-co")
    assert r.status_code == 404 and r.json() == {"detail": "Không tìm thấy địa chỉ này."}
    r = client.get("/api/ask")
    assert r.status_code == 405 and r.json() == {"detail": "Phương thức GET không được hỗ trợ ở địa chỉ này."}
    assert "POST" in r.headers["allow"]
    r = client.post("/", json={})
    assert r.status_code == 405 and r.json()["detail"].startswith("Phương thức POST")
    r = client.get("/static/khong-co.css")
    assert r.status_code == 404 and r.json() == {"detail": "Không tìm thấy địa chỉ này."}
