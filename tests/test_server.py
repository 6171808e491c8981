"""In-process tests of the web layer (server.py) against a real index built over a small copy
of the corpus. The model is loaded once per session."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings as hypothesis_settings

import server
from retrieval import Assistant, ConfigError, ServerSettings, Settings, build, load_settings
from server import SlidingWindowLimiter, create_app
from tests.server_support import (
    HTML_ATTACK,
    REPO,
    SCRIPT_ATTACK,
    XSS_ID,
    XSS_TITLE,
    make_corpus,
    parse_sse,
    seed_embedding_cache,
)

ALLOWED = "https://xa-mau.gov.vn"
OTHER = "https://lua-dao.example"
FOUND_Q = "tín dụng chính sách xã hội"
NOT_FOUND_Q = "giá vé máy bay đi Paris là bao nhiêu?"
GENEROUS = {"allowed_origins": [ALLOWED], "ask_rate_per_minute": 100_000, "search_rate_per_minute": 100_000}


# -- fixtures ------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def web_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("web")
    make_corpus(root)
    return root


@pytest.fixture(scope="session")
def settings(web_root):
    base = load_settings(REPO / "config.toml")
    built = base.with_overrides(
        corpus={"dir": str(web_root / "corpus"), "metadata_file": str(web_root / "corpus" / "documents.json")},
        index={"dir": str(web_root / "index")},
        # the poverty standard is chosen by date: a December 2026 day, in the notice window
        # before Nghị định 351/2025/NĐ-CP's new lines (nothing here depends on the clock)
        eligibility={"as_of": "2026-12-15"},
    )
    seed_embedding_cache(built.index_dir)
    build(built)
    return built


@pytest.fixture(scope="session")
def assistant(settings) -> Assistant:
    return Assistant.open(settings)


def make_client(settings, assistant, **server_settings) -> TestClient:
    return TestClient(create_app(settings.with_overrides(server={**GENEROUS, **server_settings}), assistant))


@pytest.fixture(scope="module")
def client(settings, assistant):
    with make_client(settings, assistant) as c:
        yield c


def web_file(name: str) -> Path:
    path = REPO / "web" / name
    if not path.is_file():
        pytest.skip(f"web/{name} is not there yet")
    return path


# -- health and documents ------------------------------------------------------------------
def test_healthz(client, assistant):
    r = client.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    info = assistant.info()
    assert body == {"status": "ok", "model": info.model, "documents": 5, "passages": info.passages, "built_at": info.built_at}


def test_documents_list(client):
    r = client.get("/api/documents")
    assert r.status_code == 200
    documents = r.json()["documents"]
    assert len(documents) == 5
    for doc in documents:
        assert set(doc) == {
            "id", "title", "code", "issuer", "province", "date", "type", "source_file", "url",
            "effective_from", "effective_to", "replaced_by", "in_force", "validity_note",
        }
        assert doc["in_force"] is True and doc["validity_note"] is None  # the test corpus states no validity
    by_id = {d["id"]: d for d in documents}
    assert by_id["000_9518dc1484de870f"]["code"] == "19-CT/TU"
    assert by_id["000_9518dc1484de870f"]["date"] == "2021-11-29"
    assert by_id[XSS_ID]["title"] == XSS_TITLE  # the markup is just text


def test_document_detail(client):
    r = client.get("/api/documents/000_9518dc1484de870f")
    assert r.status_code == 200
    body = r.json()
    assert body["document"]["id"] == "000_9518dc1484de870f"
    passages = body["passages"]
    assert passages and all(set(p) == {"id", "location", "text", "searchable"} for p in passages)
    assert all(isinstance(p["location"], str) and isinstance(p["searchable"], bool) for p in passages)
    assert any(" › " in p["location"] for p in passages)
    assert all(p["id"].startswith("000_9518dc1484de870f-") for p in passages)


def test_unknown_document_is_404_in_vietnamese(client):
    r = client.get("/api/documents/khong-co-van-ban-nay")
    assert r.status_code == 404
    assert r.json() == {"detail": "Không tìm thấy văn bản có mã “khong-co-van-ban-nay”."}


def test_html_in_a_document_comes_back_as_literal_text(client):
    r = client.get(f"/api/documents/{XSS_ID}")
    assert r.status_code == 200
    body = r.json()
    assert body["document"]["title"] == XSS_TITLE
    texts = [p["text"] for p in body["passages"]]
    assert any(HTML_ATTACK in t for t in texts)
    assert any(SCRIPT_ATTACK in t for t in texts)
    assert HTML_ATTACK in r.text  # JSON leaves it as it is; the pages render it as text
    assert r.headers["content-type"].startswith("application/json")

    hits = client.post("/api/search", json={"query": "nuôi cá tầm nước lạnh", "document_ids": [XSS_ID]}).json()["hits"]
    assert hits and all(h["document"]["title"] == XSS_TITLE for h in hits)
    assert any(HTML_ATTACK in h["text"] for h in hits)


# -- ask --------------------------------------------------------------------------------------
def _check_answer_shape(body: dict) -> None:
    assert set(body) == {"question", "found", "status", "answer", "citations"}
    for n, citation in enumerate(body["citations"], start=1):
        assert citation["number"] == n
        assert set(citation) == {"passage_id", "text", "score", "location", "document", "number", "label"}
        assert citation["label"].startswith(f"[{n}] ")


def test_ask_found(client):
    r = client.post("/api/ask", json={"question": FOUND_Q})
    assert r.status_code == 200
    body = r.json()
    _check_answer_shape(body)
    assert body["question"] == FOUND_Q
    assert body["found"] is True and body["status"] == "answered"
    assert body["citations"]
    for citation in body["citations"]:
        assert f"[{citation['number']}]" in body["answer"]
    assert any(c["document"]["id"] == "000_9518dc1484de870f" for c in body["citations"])


def test_ask_not_found(client):
    r = client.post("/api/ask", json={"question": NOT_FOUND_Q})
    assert r.status_code == 200
    body = r.json()
    _check_answer_shape(body)
    assert body["found"] is False and body["status"] == "not_covered"
    assert body["citations"] == []
    assert body["answer"].strip()


def test_ask_with_history(client):
    r = client.post("/api/ask", json={"question": "còn hộ cận nghèo thì sao?", "history": [FOUND_Q]})
    assert r.status_code == 200
    _check_answer_shape(r.json())
    assert client.post("/api/ask", json={"question": FOUND_Q, "history": None}).status_code == 200
    assert client.post("/api/ask", json={"question": FOUND_Q, "history": [""] * 10}).status_code == 200


def test_ask_stream_sends_citations_answer_done(client):
    r = client.post("/api/ask/stream", json={"question": FOUND_Q})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    assert r.headers["cache-control"] == "no-cache"
    events = parse_sse(r.text)
    assert [name for name, _ in events] == ["citations", "answer", "done"]
    citations, answer, done = (data for _, data in events)
    assert answer["found"] is True and citations and citations == answer["citations"]
    assert done == {}
    assert answer == client.post("/api/ask", json={"question": FOUND_Q}).json()


def test_ask_stream_not_found(client):
    events = parse_sse(client.post("/api/ask/stream", json={"question": NOT_FOUND_Q}).text)
    assert [name for name, _ in events] == ["citations", "answer", "done"]
    assert events[0][1] == [] and events[1][1]["found"] is False


class BrokenAssistant:
    def __init__(self, real: Assistant) -> None:
        self.info = real.info

    def ask(self, question, history=None):
        raise RuntimeError("hỏng")

    def search(self, query, k=None, filters=None):
        raise RuntimeError("hỏng")


def test_failures_give_vietnamese_errors_not_tracebacks(settings, assistant):
    with TestClient(create_app(settings.with_overrides(server=GENEROUS), BrokenAssistant(assistant)), raise_server_exceptions=False) as c:
        events = parse_sse(c.post("/api/ask/stream", json={"question": FOUND_Q}).text)
        assert len(events) == 1 and events[0][0] == "error"
        assert "lỗi" in events[0][1]["detail"]
        for path, body in (("/api/ask", {"question": FOUND_Q}), ("/api/search", {"query": FOUND_Q})):
            r = c.post(path, json=body)
            assert r.status_code == 500
            assert r.json() == {"detail": "Máy chủ gặp lỗi khi xử lý yêu cầu. Vui lòng thử lại sau."}
            assert "hỏng" not in r.text and "Traceback" not in r.text


# -- search -----------------------------------------------------------------------------------
def test_search(client):
    r = client.post("/api/search", json={"query": FOUND_Q, "k": 3})
    assert r.status_code == 200
    body = r.json()
    assert body["query"] == FOUND_Q
    assert 1 <= len(body["hits"]) <= 3
    hit = body["hits"][0]
    assert set(hit) == {"passage_id", "text", "score", "location", "label", "document"}
    assert isinstance(hit["location"], str)
    assert len(client.post("/api/search", json={"query": FOUND_Q}).json()["hits"]) == 10  # default k


def test_search_filters(client):
    def hits(**filters):
        r = client.post("/api/search", json={"query": "giảm nghèo bền vững", "k": 50, **filters})
        assert r.status_code == 200, r.text
        return r.json()["hits"]

    everything = hits()
    assert len({h["document"]["id"] for h in everything}) > 2
    only = hits(document_ids=["004_b366543ccdd4efef"])
    assert only and {h["document"]["id"] for h in only} == {"004_b366543ccdd4efef"}
    plans = hits(types=["kế hoạch"])
    assert plans and {h["document"]["type"] for h in plans} == {"kế hoạch"}
    dated = hits(date_from="2021-11-01", date_to="2021-12-31")
    assert dated and {h["document"]["date"] for h in dated} == {"2021-11-29"}
    assert hits(date_from="2030-01-01") == []
    assert hits(document_ids=["khong-co"]) == []
    assert len(hits(document_ids=[], types=[])) == len(everything)  # empty lists filter nothing


# -- bad input ----------------------------------------------------------------------------------
INDICATORS = ["employment", "dependants", "nutrition", "health_insurance", "adult_education", "school_attendance",
              "housing_quality", "housing_area", "water", "latrine", "telecom", "information"]
ANSWERS = {i: False for i in INDICATORS}  # "Không" to every question: nothing deprived
ELIGIBLE = {"area": "rural", "members": 3, "monthly_income": 4_500_000, "answers": ANSWERS, "date": "2024-06-01"}
MEMBERS_TYPE = "Số người trong hộ (members) phải là số nguyên từ 1 đến 100, hoặc câu trả lời như người dân gõ (“4”, “bốn người”)."
INCOME_TYPE = ("Thu nhập của hộ mỗi tháng (monthly_income) phải là số nguyên từ 0 đến 1000000000000 (đồng), "
               "hoặc câu trả lời như người dân gõ (“6 triệu”, “1tr5”).")
BAD_INPUT = [
    ("/api/ask", {"question": ""}, 422, "Câu hỏi không được để trống."),
    ("/api/ask", {"question": "   \n\t "}, 422, "Câu hỏi không được để trống."),
    ("/api/ask", {"question": "a" * 1001}, 422, "Câu hỏi dài quá 1000 ký tự."),
    ("/api/ask/stream", {"question": "a" * 1001}, 422, "Câu hỏi dài quá 1000 ký tự."),
    ("/api/ask/stream", {"question": " "}, 422, "Câu hỏi không được để trống."),
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


@pytest.mark.parametrize("path", ["/api/ask", "/api/ask/stream", "/api/search"])
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


# -- the eligibility check ------------------------------------------------------------------------
def test_eligibility_questions_come_from_the_data_file(client):
    r = client.get("/api/eligibility/questions", params={"date": "2024-06-01"})
    assert r.status_code == 200
    body = r.json()
    assert body["period"]["name"] == "Chuẩn nghèo đa chiều giai đoạn 2022–2025" and body["period"]["effective_to"] == "2025-12-31"
    assert body["period"]["legal_basis"]["citation"] == "Điều 3 Nghị định 07/2021/NĐ-CP ngày 27/01/2021 của Chính phủ"
    assert body["period"]["income_lines"] == {"rural": 1_500_000, "urban": 2_000_000}
    assert body["areas"] == [{"id": "rural", "label": "Nông thôn"}, {"id": "urban", "label": "Thành thị"}]
    assert [q["id"] for q in body["questions"]] == INDICATORS
    assert all(set(q) == {"id", "service", "name", "question", "definition", "confirmed", "note"} for q in body["questions"])
    assert [s["id"] for s in body["steps"]] == ["area", "members", "income", *INDICATORS]
    assert body["coming"] is None and "rà soát" in body["notice"] and "Tôi hỏi 15 câu" in body["intro"]
    assert client.get("/api/eligibility/questions", params={"date": "2022-01-01"}).json() == body
    r = client.get("/api/eligibility/questions", params={"date": "2021-12-31"})
    assert r.status_code == 404 and r.json()["detail"].startswith("Không có chuẩn nghèo nào áp dụng vào ngày 31/12/2021.")
    r = client.get("/api/eligibility/questions", params={"date": "hôm qua"})
    assert r.status_code == 422 and r.json() == {"detail": "Ngày áp dụng (date) phải là ngày dạng YYYY-MM-DD."}


def test_eligibility_questions_in_december_2026_announce_the_new_standard(client):
    body = client.get("/api/eligibility/questions").json()  # [eligibility] as_of: 2026-12-15
    assert body["period"]["id"] == "2026" and body["period"]["basis"] == (
        "Nghị định 351/2025/NĐ-CP ngày 30/12/2025 của Chính phủ, giữ nguyên Điều 3 Nghị định 07/2021/NĐ-CP ngày 27/01/2021 của Chính phủ"
    )
    assert body["coming"]["starts_on"] == "2027-01-01" and body["coming"]["period"]["income_lines"] == {"rural": 2_200_000, "urban": 2_800_000}
    assert body["coming"]["period"]["average_living_upper"] is None and len(body["coming"]["period"]["provisional"]) == 2
    extra = [s for s in body["steps"] if s["for_period"]]
    assert [s["id"] for s in extra] == ["digital_services", "waste"]
    assert all(s["provisional"] == "theo dự thảo, chờ văn bản chính thức" for s in extra)
    assert "Từ 01/01/2027 áp dụng Chuẩn nghèo đa chiều giai đoạn 2027–2030" in body["intro"]


@pytest.mark.parametrize(
    "area, members, income, deprived, classification",
    [
        ("rural", 3, 4_500_000, 4, "poor"),  # at the line, 4 deprivations
        ("rural", 3, 4_500_001, 4, "average_living"),  # one đồng above
        ("urban", 3, 4_500_001, 2, "near_poor"),  # the urban line is higher
        ("urban", 1, 3_000_001, 0, "above_average_living"),
    ],
)
def test_eligibility_check(client, area, members, income, deprived, classification):
    answers = {i: i in INDICATORS[:deprived] for i in INDICATORS}  # "Có" (true): deprived
    body = {"area": area, "members": members, "monthly_income": income, "answers": answers, "date": "2024-06-01"}
    r = client.post("/api/eligibility", json=body)
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["classification"] == classification and result["deprivation_count"] == deprived
    assert result["checked_on"] == "2024-06-01" and result["period"]["id"] == "2022-2025" and result["coming"] is None
    assert result["legal_basis"]["code"] == "07/2021/NĐ-CP" and "Ủy ban nhân dân xã, phường" in result["notice"]
    assert len(result["reasoning"]) == 4 and result["reasoning"][0].startswith("Thu nhập bình quân:")
    group = {"poor": "hộ nghèo", "near_poor": "cận nghèo"}.get(classification)
    if group:
        assert result["support"] and all(group in c["text"] for c in result["support"])
        assert [c["number"] for c in result["support"]] == list(range(1, len(result["support"]) + 1))
        assert set(result["support"][0]) == {"passage_id", "text", "score", "location", "document", "number", "label"}
    else:
        assert result["support"] == []  # the test corpus names no support for these groups


THE_ISSUES_HOUSEHOLD = {"area": "rural", "members": 4, "monthly_income": 8_800_000}  # 2.200.000 đồng a person


def test_eligibility_in_2027_uses_decree_351_2025(client):
    questions = client.get("/api/eligibility/questions", params={"date": "2027-03-01"}).json()
    ids = [s["id"] for s in questions["steps"] if s["kind"] == "yes_no"]
    answers = {i: i in ids[:3] for i in ids}
    r = client.post("/api/eligibility", json={**THE_ISSUES_HOUSEHOLD, "answers": answers, "date": "2027-03-01"})
    assert r.status_code == 200, r.text
    result = r.json()
    assert (result["classification"], result["period"]["name"]) == ("poor", "Chuẩn nghèo đa chiều giai đoạn 2027–2030")
    assert result["basis"] == "Nghị định 351/2025/NĐ-CP ngày 30/12/2025 của Chính phủ" and result["income_line"] == 2_200_000
    assert result["average_living_upper"] is None and len(result["provisional"]) == 2 and result["coming"] is None
    above = client.post("/api/eligibility", json={**THE_ISSUES_HOUSEHOLD, "monthly_income": 8_800_004, "answers": answers, "date": "2027-03-01"}).json()
    assert above["classification"] == "not_poor" and "mức sống trung bình" not in above["label"]


def test_eligibility_in_december_2026_gives_both_results(client):
    questions = client.get("/api/eligibility/questions").json()  # as_of 2026-12-15
    ids = [s["id"] for s in questions["steps"] if s["kind"] == "yes_no"]
    answers = {i: i in ("employment", "dependants", "nutrition") for i in ids}
    # typed as a citizen types it: read by the library, as the bot reads it
    r = client.post("/api/eligibility", json={**THE_ISSUES_HOUSEHOLD, "members": "bốn người", "monthly_income": "8 triệu 800 nghìn", "answers": answers})
    assert r.status_code == 200, r.text
    result = r.json()
    assert (result["classification"], result["period"]["id"], result["checked_on"]) == ("average_living", "2026", "2026-12-15")
    assert (result["members"], result["monthly_income"]) == (4, 8_800_000)
    assert "giữ nguyên Điều 3 Nghị định 07/2021/NĐ-CP" in result["basis"]
    coming = result["coming"]
    assert coming["headline"] == "Từ 01/01/2027, theo Nghị định 351/2025/NĐ-CP: Hộ nghèo"
    assert coming["result"]["classification"] == "poor" and coming["result"]["checked_on"] == "2027-01-01" and coming["missing"] == []
    # a client that knows only today's questions still gets today's result, and what is missing
    today_only = {i: answers[i] for i in INDICATORS}
    r = client.post("/api/eligibility", json={**THE_ISSUES_HOUSEHOLD, "answers": today_only})
    assert r.status_code == 200 and r.json()["coming"]["result"] is None
    assert [m["id"] for m in r.json()["coming"]["missing"]] == ["digital_services", "waste"]


@pytest.mark.parametrize(
    "step, text, value, display",
    [("income", "1 triệu rưỡi", 1_500_000, "1.500.000 đồng/tháng"), ("income", "6 triệu đồng/tháng", 6_000_000, "6.000.000 đồng/tháng"),
     ("members", "4 người", 4, "4 người"), ("area", "thành thị", "urban", "Thành thị"), ("water", "có", True, "Có")],
)
def test_eligibility_read_says_how_the_server_understood_a_typed_answer(client, step, text, value, display):
    r = client.post("/api/eligibility/read", json={"step": step, "text": text})
    assert r.status_code == 200 and r.json() == {"step": step, "understood": True, "value": value, "display": display, "message": None}


@pytest.mark.parametrize(
    "step, text, message",
    [("income", "nhiều lắm", "Tôi chưa hiểu số tiền này. Bạn hãy gõ ví dụ: 6 triệu, 6.000.000 hoặc 6tr."),
     ("income", "-5", "Thu nhập không thể là số âm. Nếu hộ không có thu nhập, hãy gõ 0."),
     ("members", "0", "Số người phải từ 1 trở lên.")],
)
def test_eligibility_read_says_what_to_type_when_it_does_not_understand(client, step, text, message):
    r = client.post("/api/eligibility/read", json={"step": step, "text": text})
    assert r.status_code == 200 and r.json() == {"step": step, "understood": False, "value": None, "display": None, "message": message}


def test_eligibility_unknown_question_ids_are_refused_without_echoing_them(client, caplog):
    caplog.set_level(logging.DEBUG)
    secret = "Nguyễn Văn Bí Mật"
    r = client.post("/api/eligibility", json={**ELIGIBLE, "answers": {**ANSWERS, secret: True}})
    assert r.status_code == 422
    assert r.json()["detail"].startswith("Câu trả lời (answers) có mã câu hỏi không có trong Chuẩn nghèo đa chiều giai đoạn 2022–2025. Các mã: employment")
    r = client.post("/api/eligibility", json={**ELIGIBLE, "answers": {**ANSWERS, secret: "có"}})
    assert r.status_code == 422
    assert secret not in "\n".join(rec.getMessage() for rec in caplog.records)


def test_an_eligibility_question_is_answered_with_the_rule(client):
    r = client.post("/api/ask", json={"question": "thu nhap 1 trieu mot thang o nong thon co phai ho ngheo khong"})
    assert r.status_code == 200
    body = r.json()
    _check_answer_shape(body)
    assert body["status"] == "eligibility_hint" and body["found"] is True
    assert "1.500.000 đồng/người/tháng ở nông thôn" in body["answer"] and "07/2021/NĐ-CP" in body["answer"]
    assert "Từ 01/01/2027, theo Nghị định 351/2025/NĐ-CP" in body["answer"] and "2.200.000" in body["answer"]  # December 2026
    assert "Kiểm tra hộ nghèo" in body["answer"]


# -- rate limits ----------------------------------------------------------------------------------
def test_rate_limit_gives_429_with_retry_after(settings, assistant):
    with make_client(settings, assistant, ask_rate_per_minute=2, search_rate_per_minute=3) as c:
        assert c.post("/api/ask", json={"question": NOT_FOUND_Q}).status_code == 200
        assert c.post("/api/ask/stream", json={"question": NOT_FOUND_Q}).status_code == 200  # same bucket
        for path in ("/api/ask", "/api/ask/stream"):
            r = c.post(path, json={"question": NOT_FOUND_Q})
            assert r.status_code == 429
            assert 1 <= int(r.headers["retry-after"]) <= 60
            assert r.json()["detail"].startswith("Bạn đã gửi quá nhiều yêu cầu.")
        # searches have their own budget
        for _ in range(3):
            assert c.post("/api/search", json={"query": "hộ nghèo"}).status_code == 200
        r = c.post("/api/search", json={"query": "hộ nghèo"})
        assert r.status_code == 429 and "retry-after" in r.headers
        # reading is not limited
        assert c.get("/api/documents").status_code == 200
        assert c.get("/healthz").status_code == 200

    app = create_app(settings.with_overrides(server={"ask_rate_per_minute": 1}), assistant)
    with TestClient(app, client=("10.0.0.1", 1000)) as first, TestClient(app, client=("10.0.0.2", 1000)) as second:
        assert first.post("/api/ask", json={"question": NOT_FOUND_Q}).status_code == 200
        assert first.post("/api/ask", json={"question": NOT_FOUND_Q}).status_code == 429
        assert second.post("/api/ask", json={"question": NOT_FOUND_Q}).status_code == 200  # per client


def test_sliding_window():
    now = [1000.0]
    limiter = SlidingWindowLimiter(window=60, clock=lambda: now[0])
    assert limiter.check("ask", "a", 2) is None
    now[0] += 30
    assert limiter.check("ask", "a", 2) is None
    assert limiter.check("ask", "a", 2) == 30
    assert limiter.check("search", "a", 2) is None
    now[0] += 30.5  # the first request left the window
    assert limiter.check("ask", "a", 2) is None
    assert limiter.check("ask", "a", 2) == 30
    now[0] += 500  # idle clients are forgotten
    limiter.check("ask", "b", 2)
    assert set(limiter._hits) == {("ask", "b")}


# -- CORS -------------------------------------------------------------------------------------------
def test_cors_allows_only_configured_origins(client):
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    r = client.options("/api/ask", headers={"Origin": ALLOWED, **preflight})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == ALLOWED
    assert "POST" in r.headers["access-control-allow-methods"]
    assert "content-type" in r.headers["access-control-allow-headers"].lower()

    r = client.options("/api/ask", headers={"Origin": OTHER, **preflight})
    assert r.status_code == 400
    assert "access-control-allow-origin" not in r.headers

    r = client.options("/api/ask", headers={"Origin": ALLOWED, "Access-Control-Request-Method": "DELETE"})
    assert r.status_code == 400

    r = client.post("/api/ask", json={"question": NOT_FOUND_Q}, headers={"Origin": ALLOWED})
    assert r.headers["access-control-allow-origin"] == ALLOWED
    r = client.post("/api/ask", json={"question": NOT_FOUND_Q}, headers={"Origin": OTHER})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
    r = client.post("/api/ask", json={"question": ""}, headers={"Origin": ALLOWED})
    assert r.status_code == 422 and r.headers["access-control-allow-origin"] == ALLOWED  # errors are readable too


def test_no_cors_without_configured_origins(settings, assistant):
    with TestClient(create_app(settings, assistant)) as c:
        r = c.get("/api/documents", headers={"Origin": ALLOWED})
        assert r.status_code == 200 and "access-control-allow-origin" not in r.headers


# -- pages ----------------------------------------------------------------------------------------
def test_pages(client):
    index = web_file("index.html")
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.content == index.read_bytes()
    assert "default-src 'self'" in r.headers["content-security-policy"]

    document = web_file("document.html")
    r = client.get("/documents/000_9518dc1484de870f")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.content == document.read_bytes()

    widget = web_file("widget.js")
    r = client.get("/widget.js")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/javascript")
    assert r.content == widget.read_bytes()

    css = web_file("app.css")
    r = client.get("/static/app.css")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/css")
    assert r.content == css.read_bytes()
    assert r.headers["x-content-type-options"] == "nosniff"


def test_pages_missing_give_404(settings, assistant, tmp_path):
    with TestClient(create_app(settings, assistant, web_dir=tmp_path)) as c:
        for path in ("/", "/documents/x", "/widget.js", "/static/app.css"):
            r = c.get(path)
            assert r.status_code == 404 and r.json()["detail"].startswith("Không tìm thấy")


# -- schema -----------------------------------------------------------------------------------------
def test_openapi_declares_every_error(client):
    schema = client.get("/openapi.json").json()
    assert set(schema["paths"]) == {
        "/api/ask", "/api/ask/stream", "/api/search", "/api/documents", "/api/documents/{document_id}", "/healthz",
        "/api/eligibility", "/api/eligibility/questions", "/api/eligibility/read",
    }
    error_ref = {"$ref": "#/components/schemas/ErrorResponse"}
    for code in ("404", "422"):
        assert schema["paths"]["/api/eligibility/questions"]["get"]["responses"][code]["content"]["application/json"]["schema"] == error_ref
    answers = schema["components"]["schemas"]["EligibilityRequest"]["properties"]["answers"]  # from the standards file
    # December 2026: today's 12 questions are required; the coming standard's 2 extra ones may be sent
    assert answers["required"] == INDICATORS and answers["additionalProperties"] is False
    assert set(answers["properties"]) == {*INDICATORS, "digital_services", "waste"}
    assert answers["properties"]["water"] == {"type": "boolean", "description": answers["properties"]["water"]["description"]}
    for path in ("/api/ask", "/api/ask/stream", "/api/search", "/api/eligibility", "/api/eligibility/read"):
        responses = schema["paths"][path]["post"]["responses"]
        assert {"200", "400", "413", "422", "429", "500"} <= set(responses)
        for code in ("400", "413", "422", "429", "500"):
            assert responses[code]["content"]["application/json"]["schema"] == error_ref
        assert "Retry-After" in responses["429"]["headers"]
    assert "text/event-stream" in schema["paths"]["/api/ask/stream"]["post"]["responses"]["200"]["content"]
    assert schema["paths"]["/api/documents/{document_id}"]["get"]["responses"]["404"]["content"]["application/json"]["schema"] == error_ref
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    question = schema["components"]["schemas"]["AskRequest"]["properties"]["question"]
    assert question["maxLength"] == 1000 and question["pattern"] == r"\S"


def test_openapi_uses_configured_length(settings, assistant):
    with TestClient(create_app(settings.with_overrides(server={"max_question_chars": 200}), assistant)) as c:
        schema = c.get("/openapi.json").json()
        assert schema["components"]["schemas"]["SearchRequest"]["properties"]["query"]["maxLength"] == 200
        r = c.post("/api/ask", json={"question": "a" * 201})
        assert r.status_code == 422 and r.json() == {"detail": "Câu hỏi dài quá 200 ký tự."}


class _SessionAssistant:
    """Stands for the session's Assistant: schemathesis parametrizes at collection time, before
    any fixture has run, so the app it tests is built first and given the Assistant later.
    (schemathesis.pytest.from_fixture would avoid this but fails under pytest 9.)"""

    target: Assistant | None = None

    def __getattr__(self, name: str):
        if self.target is None:
            raise RuntimeError("the session Assistant is not open yet")
        return getattr(self.target, name)


_SESSION_ASSISTANT = _SessionAssistant()
TYPED_TEXT_OPERATIONS = {"/api/eligibility"}
_SCHEMA_APP = create_app(Settings().with_overrides(server=GENEROUS, eligibility={"as_of": "2026-12-15"}), _SESSION_ASSISTANT)  # type: ignore[arg-type]
schema = schemathesis.openapi.from_dict(_SCHEMA_APP.openapi())
schema.app = _SCHEMA_APP  # call the app in-process, as schemathesis.openapi.from_asgi does


@schema.parametrize()
@hypothesis_settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_to_its_schema(case, assistant):
    """Generated requests (valid and invalid) never get a 500, and every response matches the
    schema: status declared, body shape, content type, headers."""
    _SESSION_ASSISTANT.target = assistant
    # Answers typed as citizens type them ("1tr5", "bốn người") are read by the library: no
    # schema can say which sentences are amounts, so a schema-valid text may rightly get 422.
    typed = case.operation.path in TYPED_TEXT_OPERATIONS
    case.call_and_validate(excluded_checks=[positive_data_acceptance] if typed else None)


# -- configuration, lifespan, logging -------------------------------------------------------------
def _write_config(path: Path, settings, extra: str = "") -> Path:
    """A config for the session's index. BM25-only, so nothing loads the model; the index
    still knows which model built it, so the config names the same folder."""
    path.write_text(
        f"""
[corpus]
dir = "{settings.corpus_dir.as_posix()}"
metadata_file = "{settings.metadata_path.as_posix()}"

[index]
dir = "{settings.index_dir.as_posix()}"

[embedding]
model = "{Path(settings.model_location).as_posix()}"

[search]
mode = "bm25"
{extra}
""",
        encoding="utf-8",
    )
    return path


def test_the_server_table_is_part_of_the_settings(tmp_path, settings):
    cfg = _write_config(tmp_path / "config.toml", settings, '[server]\nport = 8123\nallowed_origins = ["https://a.example"]\nask_rate_per_minute = 5\n')
    loaded = load_settings(cfg)
    assert loaded.server == ServerSettings(port=8123, allowed_origins=["https://a.example"], ask_rate_per_minute=5)
    assert loaded.search.mode == "bm25" and loaded.index_dir == settings.index_dir

    assert load_settings(_write_config(tmp_path / "plain.toml", settings)).server == ServerSettings()
    with pytest.raises(ConfigError):
        load_settings(_write_config(tmp_path / "bad.toml", settings, "[server]\nportt = 1\n"))
    with pytest.raises(ConfigError):
        load_settings(tmp_path / "missing.toml")


def test_import_loads_nothing():
    assert server.app.state.assistant is None
    assert server.app.state.config.settings is None


def test_lifespan_opens_the_assistant_once(tmp_path, settings, assistant, caplog):
    cfg = _write_config(tmp_path / "config.toml", settings, f'[server]\nallowed_origins = ["{ALLOWED}"]\n')
    app = create_app(config_path=cfg)  # BM25-only: no model to load
    assert app.state.assistant is None
    caplog.set_level(logging.INFO, logger="tro_ly.server")
    with TestClient(app) as c:
        assert app.state.assistant is not None
        assert c.get("/healthz").json()["documents"] == 5
        r = c.get("/api/documents", headers={"Origin": ALLOWED})
        assert r.headers["access-control-allow-origin"] == ALLOWED  # origins from the [server] table
    assert app.state.assistant is None
    ready = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Sẵn sàng:")]
    assert ready == [f"Sẵn sàng: 5 văn bản, {assistant.info().passages} đoạn, mô hình {settings.embedding.model}"]


def test_lifespan_fails_cleanly_without_an_index(tmp_path, settings, caplog):
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[index]\ndir = "{(tmp_path / "empty-index").as_posix()}"\n[search]\nmode = "bm25"\n', encoding="utf-8")
    with pytest.raises(Exception):
        with TestClient(create_app(config_path=cfg)):
            pass
    assert any("Không khởi động được trợ lý" in r.getMessage() for r in caplog.records)


def test_logs_hold_no_question_text(client, caplog):
    secret = "Nguyễn Văn Bí Mật số nhà 42 hỏi về tín dụng"
    caplog.set_level(logging.DEBUG)
    client.post("/api/ask", json={"question": secret, "history": [secret]})
    client.post("/api/ask/stream", json={"question": secret})
    client.post("/api/search", json={"query": secret})
    client.post("/api/ask", json={"question": secret * 100})  # refused: too long
    client.post("/api/ask", json={"question": secret, "extra": secret})  # refused: unknown field
    messages = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("tro_ly"))
    assert "POST /api/ask 200" in messages and "POST /api/ask 422" in messages
    assert "Bí Mật" not in messages
    assert "testclient" not in messages  # no client address either
