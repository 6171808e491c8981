"""POST /api/ask: answers with citations, "not covered", follow-ups, the eligibility hint,
failures as Vietnamese sentences; and no stream endpoint."""

from __future__ import annotations

from fastapi.testclient import TestClient

from retrieval import Assistant
from tests.web.support import FOUND_Q, GENEROUS, NOT_FOUND_Q, check_answer_shape
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

    def ask(self, question, history=None):
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
