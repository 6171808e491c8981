"""POST /api/ask: answers with citations, "not covered", follow-ups, the eligibility hint,
failures as Vietnamese sentences; no stream endpoint; every question logged with its face."""

from __future__ import annotations

from fastapi.testclient import TestClient

from retrieval import Assistant
from retrieval.records import QuestionStatus
from tests.web.support import ALLOWED, FOUND_Q, GENEROUS, NOT_FOUND_Q, check_answer_shape
from web import create_app


def test_ask_found(client):
    r = client.post("/api/ask", json={"question": FOUND_Q})
    assert r.status_code == 200
    body = r.json()
    check_answer_shape(body)
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
    check_answer_shape(body)
    assert body["found"] is False and body["status"] == "not_covered"
    assert body["citations"] == []
    assert body["answer"].strip()


def test_ask_with_history(client):
    r = client.post("/api/ask", json={"question": "còn hộ cận nghèo thì sao?", "history": [FOUND_Q]})
    assert r.status_code == 200
    check_answer_shape(r.json())
    assert client.post("/api/ask", json={"question": FOUND_Q, "history": None}).status_code == 200
    assert client.post("/api/ask", json={"question": FOUND_Q, "history": [""] * 10}).status_code == 200


def test_the_answer_is_the_librarys_answer_in_the_contracts_shape(client, assistant):
    assert client.post("/api/ask", json={"question": FOUND_Q}).json() == assistant.ask(FOUND_Q).to_dict()


def test_an_eligibility_question_is_answered_with_the_rule(client):
    r = client.post("/api/ask", json={"question": "thu nhap 1 trieu mot thang o nong thon co phai ho ngheo khong"})
    assert r.status_code == 200
    body = r.json()
    check_answer_shape(body)
    assert body["status"] == "eligibility_hint" and body["found"] is True
    assert "1.500.000 đồng/người/tháng ở nông thôn" in body["answer"] and "07/2021/NĐ-CP" in body["answer"]
    assert "Từ 01/01/2027, theo Nghị định 351/2025/NĐ-CP" in body["answer"] and "2.200.000" in body["answer"]  # December 2026
    assert "Kiểm tra hộ nghèo" in body["answer"]


def test_there_is_no_stream_endpoint(client):
    """The answer is computed whole in tens of milliseconds: /api/ask/stream was removed."""
    assert client.post("/api/ask/stream", json={"question": FOUND_Q}).status_code == 404


class BrokenAssistant:
    def __init__(self, real: Assistant) -> None:
        self.info = real.info

    def ask(self, question, history=None, *, face=None):
        raise RuntimeError("hỏng")

    def search(self, query, k=None, filters=None):
        raise RuntimeError("hỏng")

    def add_listener(self, listener):  # the app counts answers (metrics): none come from here
        pass

    remove_listener = add_listener


def test_failures_give_vietnamese_errors_not_tracebacks(settings, assistant):
    with TestClient(create_app(settings.with_overrides(server=GENEROUS), BrokenAssistant(assistant)), raise_server_exceptions=False) as c:
        for path, body in (("/api/ask", {"question": FOUND_Q}), ("/api/search", {"query": FOUND_Q})):
            r = c.post(path, json=body)
            assert r.status_code == 500
            assert r.json() == {"detail": "Máy chủ gặp lỗi khi xử lý yêu cầu. Vui lòng thử lại sau."}
            assert "hỏng" not in r.text and "Traceback" not in r.text


def _logged(assistant: Assistant, marker: str) -> list:
    return [q for q in assistant.records.questions() if marker in q.normalized]


def test_questions_are_logged_masked_with_their_face(client, assistant):
    """The widget says so with its header; anyone else is the API. The log keeps the masked
    text, what became of it and the clause, never who asked."""
    widget_q = "cho hỏi giá vé tàu hỏa tuyến Bắc Nam của hộ nghèo là bao nhiêu, sđt 0912 345 678"
    api_q = "giá vé tàu hỏa tuyến Bắc Nam cho hộ cận nghèo bao nhiêu"
    assert client.post("/api/ask", json={"question": widget_q}, headers={"X-Tro-Ly-Face": "widget"}).status_code == 200
    assert client.post("/api/ask", json={"question": api_q}).status_code == 200
    assert client.post("/api/ask", json={"question": api_q + " nhé"}, headers={"X-Tro-Ly-Face": "telegram"}).status_code == 200
    assert client.post("/api/ask", json={"question": FOUND_Q + " tàu hỏa"}, headers={"X-Tro-Ly-Face": "Widget"}).status_code == 200
    logged = _logged(assistant, "tau hoa")
    assert [q.face for q in logged] == ["widget", "api", "api", "widget"]
    first = logged[0]
    assert "0912" not in first.question and "<SĐT>" in first.question
    assert first.status is QuestionStatus.NOT_COVERED and first.nearest_passage_id and not first.passage_ids
    assert logged[3].status is QuestionStatus.ANSWERED and logged[3].passage_ids


def test_a_question_whose_detail_is_not_stated_is_logged_as_not_covered(client, assistant):
    """The documents speak of policy loans but state no interest rate: the citizen got no
    answer, and the report must show it with the nearest clause offered."""
    question = "hộ nghèo vay vốn tín dụng chính sách lãi suất bao nhiêu tàu thủy?"
    body = client.post("/api/ask", json={"question": question}).json()
    assert body["status"] == "not_stated" and body["related"]
    [row] = _logged(assistant, "tau thuy")
    assert (row.face, row.status, row.nearest_passage_id) == ("api", QuestionStatus.NOT_COVERED, body["related"][0]["passage_id"])


def test_the_widgets_header_passes_the_cors_preflight(client):
    r = client.options("/api/ask", headers={"Origin": ALLOWED, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,x-tro-ly-face"})
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == ALLOWED
    assert "x-tro-ly-face" in r.headers["access-control-allow-headers"].lower()
